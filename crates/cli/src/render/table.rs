//! Flyway's ASCII table: `+---+` rules, `| cell |` rows, columns as wide as their widest cell.

/// Renders a table with a header row.
pub fn ascii_table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let rule = format!(
        "+{}+",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c}{} ", " ".repeat(w - c.chars().count())))
            .collect();
        format!("|{}|", parts.join("|"))
    };
    let mut out = vec![rule.clone(), line(header.to_vec()), rule.clone()];
    for row in rows {
        out.push(line(row.iter().map(String::as_str).collect()));
    }
    out.push(rule);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_the_widest_cell() {
        let t = ascii_table(&["A", "Bee"], &[vec!["long cell".into(), "é".into()]]);
        assert_eq!(
            t,
            [
                "+-----------+-----+",
                "| A         | Bee |",
                "+-----------+-----+",
                "| long cell | é   |",
                "+-----------+-----+",
            ]
        );
    }
}
