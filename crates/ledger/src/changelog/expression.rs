//! Contexts, labels and `dbms` lists: which changesets (and which `--property` values) apply to a
//! run.
//!
//! Liquibase evaluates these with string rewriting rather than a grammar (`ExpressionMatcher`):
//! parenthesised groups are evaluated innermost first and replaced by `:TRUE`/`:FALSE`, commas
//! become `or`, then the text is split on ` or `, then on ` and `, then `!x` / `not x` are
//! negations. Copying that procedure, instead of writing a proper parser, is what keeps odd
//! inputs (`a,b and c`, `(a, b)`, `@x`) evaluating exactly as Liquibase does, including the
//! inputs it rejects ("Cannot parse expression ...").
//!
//! The two kinds are asymmetric in Liquibase and therefore here:
//! * a **context expression** is written on the changeset (`context:dev and !prod`) and is
//!   matched against the runtime set given with `--contexts`;
//! * a **label expression** is the runtime filter (`--labels "x and !y"`) and is matched against
//!   the changeset's plain comma list of labels (`labels:x,y`).
//!
//! In both cases an empty side means "everything matches", and a leading `@` marks a required
//! item.

use std::sync::OnceLock;

use regex::Regex;

use super::java;

/// An expression Liquibase cannot evaluate (its `UnexpectedLiquibaseException`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Cannot parse expression {expression}")]
pub struct ExpressionError {
    /// The (partly rewritten) expression, as Liquibase prints it.
    pub expression: String,
}

/// `StringUtil.splitAndTrim(s, ",")` after `trimToNull`, lower-cased: the items of a context or
/// label list. `None` or blank gives no items.
pub fn split_list(s: Option<&str>) -> Vec<String> {
    let Some(s) = s.and_then(java::trim_to_none) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for item in java::split(comma(), s) {
        let item = java::lower(java::trim(item));
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn comma() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| Regex::new(",").expect("valid"))
}

fn nested() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| Regex::new(r"\([^()]+\)").expect("valid"))
}

fn comma_ws() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| Regex::new(&format!("{ws}*,{ws}*", ws = java::re::WS)).expect("valid"))
}

fn or_split() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| Regex::new(&format!("{ws}+or{ws}+", ws = java::re::WS)).expect("valid"))
}

fn and_split() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| Regex::new(&format!("{ws}+and{ws}+", ws = java::re::WS)).expect("valid"))
}

fn required_not() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| {
        Regex::new(&format!(r"\A@{ws}*(?:!|not )", ws = java::re::WS)).expect("valid")
    })
}

/// Liquibase's `ExpressionMatcher.matches(expression, items)`: whether the item set satisfies
/// one expression (`a and !b`, `(a or b) and c`, `not a`, `a, b`). Items compare ignoring case.
pub fn expression_matches(expression: &str, items: &[String]) -> Result<bool, ExpressionError> {
    evaluate(expression, items, 0)
}

fn evaluate(expression: &str, items: &[String], depth: usize) -> Result<bool, ExpressionError> {
    let mut expression = java::trim(expression).to_string();
    if expression == ":TRUE" {
        return Ok(true);
    }
    if expression == ":FALSE" {
        return Ok(false);
    }
    if depth > 256 {
        return Err(ExpressionError { expression });
    }
    while expression.contains('(') {
        let Some(m) = nested().find(&expression) else {
            return Err(ExpressionError { expression });
        };
        let inner = &expression[m.start() + 1..m.end() - 1];
        let value = evaluate(inner, items, depth + 1)?;
        expression = format!(
            "{} :{} {}",
            &expression[..m.start()],
            if value { "TRUE" } else { "FALSE" },
            &expression[m.end()..]
        );
    }
    let expression = comma_ws().replace_all(&expression, " or ").into_owned();

    let ors = java::split(or_split(), &expression);
    if ors.len() > 1 {
        for part in ors {
            if evaluate(part, items, depth + 1)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    let ands = java::split(and_split(), &expression);
    if ands.len() > 1 {
        for part in ands {
            if !evaluate(part, items, depth + 1)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }

    let mut negated = false;
    let mut token: &str = &expression;
    if let Some(rest) = token.strip_prefix('!') {
        negated = true;
        token = java::trim(rest);
    } else if token.len() >= 4
        && token.is_char_boundary(4)
        && token[..4].eq_ignore_ascii_case("not ")
    {
        negated = true;
        token = java::trim(&token[4..]);
    }
    let rewritten;
    if !negated {
        if let Some(m) = required_not().find(token) {
            // `@!x` / `@not x`: the pattern needs at least one char after the prefix and no
            // line terminator anywhere (Java's `.+`).
            let rest = &token[m.end()..];
            if !rest.is_empty() && !rest.chars().any(java::is_line_terminator) {
                negated = true;
                rewritten = java::trim(rest).to_string();
                token = &rewritten;
            }
        }
    }

    let required = items.iter().any(|i| i.starts_with('@'));
    let stripped: Vec<String>;
    let items: &[String] = if required {
        stripped = items.iter().map(|i| i.replace('@', "")).collect();
        &stripped
    } else {
        items
    };
    if !required && items.is_empty() {
        return Ok(true);
    }
    match java::trim(token) {
        ":TRUE" => return Ok(!negated),
        ":FALSE" => return Ok(negated),
        _ => {}
    }
    if items.iter().any(|i| java::equals_ignore_case(i, token)) {
        return Ok(!negated);
    }
    Ok(negated)
}

/// Does a changeset's context expression (the `context:`/`contextFilter:` attribute, plus the
/// ones inherited from `include`/`includeAll`) accept the runtime contexts (`--contexts`)?
///
/// Liquibase's `ContextChangeSetFilter`: a changeset without any context runs under all
/// contexts; no runtime contexts means every changeset runs; otherwise any comma-separated part
/// of the changeset's expression must match, and every inherited expression too.
pub fn contexts_match(
    changeset: Option<&str>,
    inherited: &[String],
    runtime: Option<&str>,
) -> Result<bool, ExpressionError> {
    let own = split_list(changeset);
    if own.is_empty() && inherited.iter().all(|e| split_list(Some(e)).is_empty()) {
        return Ok(true);
    }
    let runtime = runtime_items(runtime);
    if !context_expression_matches(&own, &runtime)? {
        return Ok(false);
    }
    for expr in inherited {
        if !context_expression_matches(&split_list(Some(expr)), &runtime)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `ContextExpression.matches(Contexts)` for the parts of one expression.
fn context_expression_matches(
    parts: &[String],
    runtime: &[String],
) -> Result<bool, ExpressionError> {
    if runtime.is_empty() || parts.is_empty() {
        return Ok(true);
    }
    for part in parts {
        if expression_matches(part, runtime)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Runtime `--contexts` / `--labels` values: backslashes removed, split on commas, trimmed,
/// lower-cased (Liquibase's `Contexts(String)` and `LabelExpression(String)`).
fn runtime_items(runtime: Option<&str>) -> Vec<String> {
    let cleaned = runtime.map(|r| r.replace('\\', ""));
    split_list(cleaned.as_deref())
}

/// Does the runtime label filter (`--labels`) accept a changeset's labels (the `labels:`
/// attribute, plus the ones inherited from `include`/`includeAll`)?
///
/// Liquibase's `LabelChangeSetFilter`: a changeset without labels always matches; an empty
/// filter matches unless the changeset has a required (`@`) label; otherwise any part of the
/// filter expression must match the changeset's labels, and the inherited label lists too.
pub fn labels_match(
    changeset: Option<&str>,
    inherited: &[String],
    filter: Option<&str>,
) -> Result<bool, ExpressionError> {
    let filter = runtime_items(filter);
    if !label_filter_matches(&filter, &split_list(changeset))? {
        return Ok(false);
    }
    for labels in inherited {
        if !label_filter_matches(&filter, &split_list(Some(labels)))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `LabelExpression.matches(Labels)`.
fn label_filter_matches(filter: &[String], labels: &[String]) -> Result<bool, ExpressionError> {
    if labels.is_empty() {
        return Ok(true);
    }
    let required = labels.iter().any(|l| l.starts_with('@'));
    if filter.is_empty() && !required {
        return Ok(true);
    }
    for part in filter {
        if expression_matches(part, labels)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Liquibase's `DatabaseList.definitionMatches`: does a `dbms` list (`postgresql,sqlite`,
/// `!h2`, `all`, `none`) accept the database short name? An absent or blank list gives
/// `if_empty`. Items are trimmed and lower-cased as `ChangeSet.setDbms` does.
pub fn dbms_matches(definition: Option<&str>, database: &str, if_empty: bool) -> bool {
    dbms_list_matches(&dbms_items(definition), database, if_empty)
}

/// [`dbms_matches`] over items already split (compared exactly: `--property dbms:` values are
/// not lower-cased by Liquibase).
pub fn dbms_list_matches(items: &[String], database: &str, if_empty: bool) -> bool {
    if items.is_empty() {
        return if_empty;
    }
    if items.iter().any(|i| i == "all") {
        return true;
    }
    if items.iter().any(|i| i == "none") {
        return false;
    }
    if items.iter().any(|i| i.strip_prefix('!') == Some(database)) {
        return false;
    }
    let positive: Vec<&String> = items.iter().filter(|i| !i.starts_with('!')).collect();
    positive.is_empty() || positive.iter().any(|i| *i == database)
}

/// The items of a `dbms` list, trimmed and lower-cased.
pub fn dbms_items(definition: Option<&str>) -> Vec<String> {
    split_list(definition)
}

/// A run's selection: database short name, `--contexts` and `--labels`, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Database short name (`postgresql`, `sqlite`, `mysql`, ...); `None` skips the dbms check.
    pub dbms: Option<String>,
    /// `--contexts` / `--context-filter` value.
    pub contexts: Option<String>,
    /// `--labels` / `--label-filter` expression.
    pub labels: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(s: &str) -> Vec<String> {
        split_list(Some(s))
    }

    fn m(expr: &str, set: &str) -> bool {
        expression_matches(expr, &items(set)).unwrap()
    }

    #[test]
    fn simple_and_or_not() {
        assert!(m("dev", "dev"));
        assert!(m("DEV", "dev"));
        assert!(!m("prod", "dev"));
        assert!(m("dev or test", "test"));
        assert!(m("dev, test", "test"));
        assert!(m("dev and test", "dev,test"));
        assert!(!m("dev and test", "dev"));
        assert!(m("!prod", "dev"));
        assert!(!m("!dev", "dev"));
        assert!(m("not prod", "dev"));
        assert!(!m("NOT dev", "dev"));
        // An empty item set matches everything, even a negation.
        assert!(m("dev", ""));
    }

    #[test]
    fn parentheses_and_precedence() {
        assert!(m("(a and b) or (c and d)", "c,d"));
        assert!(!m("(a and b) or (c and d)", "a,c"));
        assert!(m("!a and b", "b"));
        assert!(!m("!a and b", "a,b"));
        assert!(m("a and (b or c)", "a,c"));
        assert!(m("((a))", "a"));
        assert!(m("not (a or b)", "c"));
        // Commas bind loosest, like `or`.
        assert!(m("a and b, c", "c"));
    }

    #[test]
    fn unbalanced_parentheses_are_errors() {
        assert!(expression_matches("(a", &items("a")).is_err());
        assert!(expression_matches("a) or (b", &items("b")).is_err());
        assert!(expression_matches("(a) or b)", &items("a")).unwrap());
        assert!(expression_matches("()", &items("a")).is_err());
    }

    #[test]
    fn required_items() {
        // A required runtime item: the changeset must name it.
        assert!(!m("b", "@a"));
        assert!(m("a", "@a"));
        assert!(m("@!x", "a"));
        assert!(!m("@!a", "a"));
    }

    #[test]
    fn contexts_follow_the_changeset_filter() {
        assert!(contexts_match(None, &[], Some("prod")).unwrap());
        assert!(contexts_match(Some("dev"), &[], None).unwrap());
        assert!(contexts_match(Some("dev"), &[], Some("dev,test")).unwrap());
        assert!(!contexts_match(Some("dev"), &[], Some("prod")).unwrap());
        assert!(contexts_match(Some("dev or test"), &[], Some("test")).unwrap());
        assert!(contexts_match(Some("dev, test"), &[], Some("test")).unwrap());
        assert!(contexts_match(Some("!prod"), &[], Some("dev")).unwrap());
        // Inherited include contexts must all match too.
        assert!(!contexts_match(Some("dev"), &["qa".into()], Some("dev")).unwrap());
        assert!(contexts_match(Some("dev"), &["dev or qa".into()], Some("dev")).unwrap());
        assert!(!contexts_match(None, &["qa".into()], Some("dev")).unwrap());
        // Backslashes in the runtime value are dropped.
        assert!(contexts_match(Some("dev"), &[], Some("d\\ev")).unwrap());
    }

    #[test]
    fn labels_follow_the_label_filter() {
        assert!(labels_match(None, &[], Some("x")).unwrap());
        assert!(labels_match(Some("l1,l2"), &[], None).unwrap());
        assert!(labels_match(Some("l1,l2"), &[], Some("l2")).unwrap());
        assert!(!labels_match(Some("l1,l2"), &[], Some("l3")).unwrap());
        assert!(labels_match(Some("l1,l2"), &[], Some("l1 and l2")).unwrap());
        assert!(!labels_match(Some("l1"), &[], Some("l1 and l2")).unwrap());
        assert!(labels_match(Some("l1"), &[], Some("!l2")).unwrap());
        // A changeset's labels are a plain list, not an expression.
        assert!(!labels_match(Some("x and y"), &[], Some("x")).unwrap());
        // A required label needs a filter that names it.
        assert!(!labels_match(Some("@expand"), &[], None).unwrap());
        assert!(labels_match(Some("@expand"), &[], Some("expand")).unwrap());
        assert!(!labels_match(Some("a"), &["b".into()], Some("a")).unwrap());
    }

    #[test]
    fn dbms_lists() {
        assert!(dbms_matches(None, "postgresql", true));
        assert!(!dbms_matches(Some(" "), "postgresql", false));
        assert!(dbms_matches(Some("postgresql,sqlite"), "sqlite", false));
        assert!(dbms_matches(Some("PostgreSQL"), "postgresql", false));
        assert!(!dbms_matches(Some("postgresql"), "sqlite", true));
        assert!(dbms_matches(Some("!h2"), "sqlite", false));
        assert!(!dbms_matches(Some("!h2"), "h2", true));
        assert!(dbms_matches(Some("all,!sqlite"), "sqlite", false));
        assert!(!dbms_matches(Some("none,sqlite"), "sqlite", true));
        assert!(!dbms_matches(Some("!h2, mysql"), "sqlite", true));
    }
}
