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
    // Each line written into one string (`info` renders a thousand rows).
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut line = String::with_capacity(rule.len());
        line.push('|');
        for (cell, width) in cells.zip(&widths) {
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            line.push_str(" |");
        }
        line
    };
    let mut out = vec![
        rule.clone(),
        line(&mut header.iter().copied()),
        rule.clone(),
    ];
    for row in rows {
        out.push(line(&mut row.iter().map(String::as_str)));
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
