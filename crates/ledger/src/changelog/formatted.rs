//! The formatted-SQL changelog parser (`--liquibase formatted sql`), and raw `.sql` files.
//!
//! Liquibase reads the file line by line and tests each line against a list of Java regular
//! expressions, in a fixed order (reference §B1). The order and the exact patterns decide which
//! lines are directives and which are SQL, and the SQL is what the checksum hashes, so this
//! parser is a line-for-line transcription of Liquibase 4.28's `AbstractFormattedChangeLogParser`
//! rather than a grammar. Quirks kept on purpose (each observed on the real Liquibase):
//!
//! * attributes are found *anywhere* on the header line, the last occurrence winning;
//! * `-- comment x` inside a changeset becomes COMMENTS; `-- property ...`, `-- changeset ...`,
//!   `-- comments ...` and `--ignore:...` lines anywhere are parse errors;
//! * `/* liquibase rollback */` block lines are glued together without a separator;
//! * the **last** changeset without SQL lines inherits the previous changeset's SQL (and has no
//!   rollback); any other changeset without SQL is "No SQL for changeset ...";
//! * the last changeset whose SQL ends in a `/` line gets the end delimiter `\n/$`;
//! * a `--preconditions` line replaces any `--precondition-*` lines before it.
//!
//! Line numbers in errors and in [`ChangeSet::line`] are the real ones (Liquibase stops counting
//! inside a multi-line rollback block; tidemark does not copy that).
//!
//! A `.sql` file whose first non-blank line is not the header is a *raw* SQL changelog: one
//! changeset `raw` by `includeAll`, the whole file as SQL, not split, comments kept, no `${}`.

use std::path::PathBuf;
use std::sync::OnceLock;

use regex::Regex;

use super::java::{self, whole};
use super::properties::{Parameters, PropertyDef};
use super::{
    Change, ChangeSet, ChangelogError, Format, Precondition, PreconditionAction, Preconditions,
    Rollback, filename, phase_of,
};

/// Where a file sits: what Liquibase calls its physical path, the real file, and what it
/// inherits from the `include` that reached it.
#[derive(Debug, Clone)]
pub struct FileCtx {
    /// The search-path-relative path, normalised (Liquibase's `physicalChangeLogLocation`);
    /// FILENAME unless a `logicalFilePath` says otherwise.
    pub physical: String,
    /// The real file.
    pub path: PathBuf,
    /// Context expressions of the `include`/`includeAll` elements that reached the file.
    pub inherited_contexts: Vec<String>,
    /// Label lists of the `include`/`includeAll` elements that reached the file.
    pub inherited_labels: Vec<String>,
}

const DOC_LINK: &str = "https://docs.liquibase.com/concepts/changelogs/sql-format.html";

struct Patterns {
    first_line: Pat,
    property: Pat,
    alt_property: Pat,
    change_set: Pat,
    alt_change_set_one: Pat,
    alt_change_set_no_info: Pat,
    rollback: Pat,
    alt_rollback_one: Pat,
    preconditions: Pat,
    alt_preconditions_one: Pat,
    precondition: Pat,
    invalid_empty_precondition: Pat,
    alt_precondition_one: Pat,
    comment: Pat,
    alt_comment_plural: Pat,
    alt_comment_one: Pat,
    valid_check_sum: Pat,
    alt_valid_check_sum_one: Pat,
    ignore_lines: Pat,
    alt_ignore_lines_one: Pat,
    alt_ignore: Pat,
    rollback_start: Pat,
    rollback_end: Pat,
    rollback_end_split: Pat,
    strip_comments: Pat,
    split_statements: Pat,
    rollback_split_statements: Pat,
    end_delimiter: Pat,
    rollback_end_delimiter: Pat,
    run_with: Pat,
    run_with_spool_file: Pat,
    run_on_change: Pat,
    run_always: Pat,
    context: Pat,
    context_filter: Pat,
    logical_file_path: Pat,
    labels: Pat,
    run_in_transaction: Pat,
    dbms: Pat,
    ignore: Pat,
    fail_on_error: Pat,
    on_fail: Pat,
    on_error: Pat,
    on_update_sql: Pat,
    on_sql_output: Pat,
    rb_change_set_id: Pat,
    rb_change_set_author: Pat,
    rb_change_set_path: Pat,
    word_result: Pat,
    single_quote_result: Pat,
    double_quote_result: Pat,
    name: Pat,
    value: Pat,
    global: Pat,
    view: Pat,
    table: Pat,
    schema: Pat,
}

/// A pattern compiled on first use. Compiling all of them (each `{.}` is a large UTF-8
/// automaton) took tens of milliseconds at every start, and most changelogs use few of them.
/// An attribute pattern also carries its `key:` needle: a line without it (ASCII case
/// ignored, as `(?i-u:...)` does) cannot match, so the regex is not even compiled for it.
struct Pat {
    pattern: String,
    /// `Matcher.matches()` semantics ([`whole`]) or a plain search.
    whole: bool,
    /// Lower-case `key:` that every match contains.
    needle: Option<String>,
    re: OnceLock<Regex>,
}

impl Pat {
    fn whole(pattern: &str) -> Pat {
        Pat {
            pattern: pattern.to_string(),
            whole: true,
            needle: None,
            re: OnceLock::new(),
        }
    }

    fn search(pattern: String) -> Pat {
        Pat {
            pattern,
            whole: false,
            needle: None,
            re: OnceLock::new(),
        }
    }

    /// `key:`, which every match of an attribute pattern contains.
    fn with_needle(self, key: &str) -> Pat {
        self.needle(&format!("{key}:"))
    }

    /// A literal every match contains (ASCII case ignored).
    fn needle(mut self, literal: &str) -> Pat {
        self.needle = Some(literal.to_ascii_lowercase());
        self
    }

    /// [`Regex::is_match`], after the needle check.
    fn is_match(&self, line: &str) -> bool {
        self.may_match(line) && self.regex().is_match(line)
    }

    /// [`Regex::captures`], after the needle check.
    fn captures<'h>(&self, line: &'h str) -> Option<regex::Captures<'h>> {
        if !self.may_match(line) {
            return None;
        }
        self.regex().captures(line)
    }

    /// Whether the line can match at all (false only when the needle is missing).
    fn may_match(&self, line: &str) -> bool {
        let Some(needle) = &self.needle else {
            return true;
        };
        contains_ignore_ascii_case(line.as_bytes(), needle.as_bytes())
    }
}

impl Pat {
    fn regex(&self) -> &Regex {
        self.re.get_or_init(|| {
            if self.whole {
                whole(&self.pattern)
            } else {
                #[allow(clippy::expect_used)]
                Regex::new(&self.pattern).expect("valid built-in pattern")
            }
        })
    }
}

/// Whether `hay` contains `needle` (lower-case ASCII), ASCII case ignored: a scan for the first
/// byte in either case, then a comparison at each hit.
fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    let upper = first.to_ascii_uppercase();
    let mut from = 0;
    while from <= last_start {
        let Some(offset) = hay[from..=last_start]
            .iter()
            .position(|&b| b == first || b == upper)
        else {
            return false;
        };
        let at = from + offset;
        if hay[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return true;
        }
        from = at + 1;
    }
    false
}

impl std::ops::Deref for Pat {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.regex()
    }
}

/// `.*KEY:(GROUP).*`, the shape of every attribute pattern.
fn attr(key: &str, group: &str) -> Pat {
    Pat::whole(&format!("{{.}}*(?i-u:{key}):({group}){{.}}*")).with_needle(key)
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        first_line: Pat::whole("{s}*--{s}*(?i-u:liquibase){s}*(?i-u:formatted){.}*")
            .needle("formatted"),
        property: Pat::whole("{s}*--{s}*(?i-u:property){s}+({.}*:{.}*){s}+({.}*:{.}*){.}*")
            .needle("property"),
        alt_property: Pat::whole("{s}*?-+{s}*(?i-u:property){s}{.}*").needle("property"),
        change_set: Pat::whole(
            r#"{s}*--{s}*(?i-u:changeset){s}+("[^"]+"|[^:]+):{s}*("[^"]+"|{S}+){.}*"#,
        )
        .needle("changeset"),
        alt_change_set_one: Pat::whole("-{s}*(?i-u:changeset){s}{.}*").needle("changeset"),
        alt_change_set_no_info: Pat::whole("{s}*--{s}*(?i-u:changeset){s}*{.}*")
            .needle("changeset"),
        rollback: Pat::whole("{s}*--{s}*(?i-u:rollback) ({.}*)").needle("rollback "),
        alt_rollback_one: Pat::whole("{s}*-{s}*(?i-u:rollback){s}{.}*").needle("rollback"),
        preconditions: Pat::whole("{s}*--{s}*(?i-u:preconditions)({.}*)").needle("preconditions"),
        alt_preconditions_one: Pat::whole("{s}*-{s}*(?i-u:preconditions){s}{.}*")
            .needle("preconditions"),
        precondition: Pat::whole("{s}*--{s}*(?i-u:precondition)-([a-zA-Z0-9-]+) ({.}*)")
            .needle("precondition-"),
        invalid_empty_precondition: Pat::whole("{s}*--{s}*(?i-u:precondition)-([a-zA-Z0-9-]+)")
            .needle("precondition-"),
        alt_precondition_one: Pat::whole("{s}*-{s}*(?i-u:precondition)({.}*)")
            .needle("precondition"),
        comment: Pat::whole("--{s}*(?i-u:comment):? ({.}*)").needle("comment"),
        alt_comment_plural: Pat::whole("--{s}*(?i-u:comments):? ({.}*)").needle("comments"),
        alt_comment_one: Pat::whole("-{s}*(?i-u:comment):? ({.}*)").needle("comment"),
        valid_check_sum: Pat::whole("--{s}*(?i-u:validCheckSum):? ({.}*)").needle("validchecksum"),
        alt_valid_check_sum_one: Pat::whole("-{s}*(?i-u:validCheckSum)({.}*)")
            .needle("validchecksum"),
        ignore_lines: Pat::whole("--{s}*(?i-u:ignoreLines):({w}+)").needle("ignorelines:"),
        alt_ignore_lines_one: Pat::whole("-{s}*?(?i-u:ignoreLines):({w}+){.}*")
            .needle("ignorelines:"),
        alt_ignore: Pat::whole("--{s}*(?i-u:ignore):({w}+)").needle("ignore:"),
        rollback_start: Pat::whole("{s}*/\\*{s}*(?i-u:liquibase){s}*(?i-u:rollback){s}*")
            .needle("rollback"),
        rollback_end: Pat::whole("{.}*{s}*\\*/{s}*").needle("*/"),
        rollback_end_split: Pat::search(format!(r"\*/{}*\z", java::re::WS)),
        strip_comments: attr("stripComments", "{w}+"),
        split_statements: attr("splitStatements", "{w}+"),
        rollback_split_statements: attr("rollbackSplitStatements", "{w}+"),
        end_delimiter: Pat::whole("{.}*\\b(?i-u:endDelimiter):({S}*){.}*")
            .with_needle("endDelimiter"),
        rollback_end_delimiter: Pat::whole("{.}*\\b(?i-u:rollbackEndDelimiter):({S}*){.}*")
            .with_needle("rollbackEndDelimiter"),
        run_with: attr("runWith", r"[a-zA-Z0-9_\$\{\}]+"),
        run_with_spool_file: attr("runWithSpoolFile", "{.}*"),
        run_on_change: attr("runOnChange", "{w}+"),
        run_always: attr("runAlways", "{w}+"),
        context: attr("context", "\"{.}*?\"|{S}*"),
        context_filter: attr("contextFilter", "\"{.}*?\"|{S}*"),
        logical_file_path: attr("logicalFilePath", "{S}*"),
        labels: attr("labels", "\"{.}*?\"|{S}*"),
        run_in_transaction: attr("runInTransaction", "{w}+"),
        dbms: attr("dbms", "[^,][a-zA-Z0-9_!,]+"),
        ignore: attr("ignore", "{w}*"),
        fail_on_error: attr("failOnError", "{w}+"),
        on_fail: attr("onFail", "{w}+"),
        on_error: attr("onError", "{w}+"),
        on_update_sql: attr("onUpdateSQL", "{w}+"),
        on_sql_output: attr("onSqlOutput", "{w}+"),
        rb_change_set_id: attr("changeSetId", "{S}+"),
        rb_change_set_author: attr("changesetAuthor", "{S}+"),
        rb_change_set_path: attr("changesetPath", "{S}+"),
        word_result: Pat::whole("(?:(?i-u:expectedResult):)?({w}+) ({.}*)"),
        single_quote_result: Pat::whole("(?:(?i-u:expectedResult):)?'([^']+)' ({.}*)"),
        double_quote_result: Pat::whole("(?:(?i-u:expectedResult):)?\"([^\"]+)\" ({.}*)"),
        name: Pat::whole("{.}*(?i-u:name):{s}*({S}+){.}*").with_needle("name"),
        value: Pat::whole("{.}*(?i-u:value):{s}*({S}+){.}*").with_needle("value"),
        global: attr("global", "{S}+"),
        view: attr("view", "{w}+"),
        table: attr("table", "{w}+"),
        schema: attr("schema", "{w}+"),
    })
}

/// Group 1 of a whole-line match.
fn group<'t>(re: &Pat, line: &'t str) -> Option<&'t str> {
    re.captures(line).and_then(|c| c.get(1)).map(|m| m.as_str())
}

/// `parseBoolean(matcher, default)`: the group's Java boolean, or the default when absent.
fn boolean(re: &Pat, line: &str, default: bool) -> bool {
    group(re, line).map_or(default, java::parse_boolean)
}

/// Whether `line` matches `{s}*--{s}*(?i-u:changeset){s}+AUTHOR:ID{.}*` as a whole (Java's
/// `matches()`), with `AUTHOR:ID` literal: checked by hand, since compiling that pattern for
/// every changeset cost more than parsing the rest of the changelog.
fn literal_header(line: &str, author_id: &str) -> bool {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r');
    let Some(rest) = line.trim_start_matches(ws).strip_prefix("--") else {
        return false;
    };
    let rest = rest.trim_start_matches(ws);
    if !rest
        .as_bytes()
        .get(..9)
        .is_some_and(|k| k.eq_ignore_ascii_case(b"changeset"))
    {
        return false;
    }
    let rest = &rest[9..];
    let blanks = rest.len() - rest.trim_start_matches(ws).len();
    // `{s}+` may give back blanks the literal starts with.
    (1..=blanks).any(|n| {
        rest[n..]
            .strip_prefix(author_id)
            .is_some_and(|tail| !tail.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']))
    })
}

/// `StringUtil.stripEnclosingQuotes`.
pub fn strip_enclosing_quotes(s: &str) -> &str {
    let mut chars = s.chars();
    match (chars.next(), chars.next_back()) {
        (Some(a), Some(b)) if (a == '"' || a == '\'') && a == b => &s[1..s.len() - 1],
        _ => s,
    }
}

/// Whether text is a formatted-SQL changelog: its first non-blank line (a leading BOM ignored)
/// matches `-- liquibase formatted`.
pub fn is_formatted(text: &str) -> bool {
    let text = crate::text::strip_bom(text);
    crate::text::lines(text)
        .find(|l| !java::trim(l).is_empty())
        .is_some_and(|l| patterns().first_line.is_match(l))
}

/// Parses a `.sql` changelog (formatted or raw). `earlier` are changesets loaded before this
/// file (for `--rollback changesetId:` references into parent changelogs).
pub(crate) fn parse(
    text: &str,
    ctx: &FileCtx,
    params: &mut Parameters<'_>,
    earlier: &[ChangeSet],
) -> Result<Vec<ChangeSet>, ChangelogError> {
    let text = crate::text::strip_bom(text);
    if is_formatted(text) {
        Parser::new(ctx, earlier).run(text, params)
    } else {
        Ok(vec![raw(text, ctx, params)])
    }
}

/// A raw `.sql` file: one changeset `raw` by `includeAll`, the whole file trimmed, not split,
/// comments kept, no `${}` expansion.
pub(crate) fn raw(text: &str, ctx: &FileCtx, params: &Parameters<'_>) -> ChangeSet {
    let sql = java::trim(crate::text::strip_bom(text)).to_string();
    ChangeSet {
        id: "raw".into(),
        author: "includeAll".into(),
        filename: ctx.physical.clone(),
        logical_file_path: None,
        path: ctx.path.clone(),
        line: 1,
        format: Format::RawSql,
        changes: vec![Change::sql(sql, false, false, None)],
        rollback: Rollback::None,
        run_on_change: false,
        run_always: false,
        fail_on_error: true,
        run_in_transaction: true,
        ignore: false,
        context: None,
        labels: None,
        inherited_contexts: ctx.inherited_contexts.clone(),
        inherited_labels: ctx.inherited_labels.clone(),
        dbms: None,
        created: None,
        comment: None,
        valid_checksums: Vec::new(),
        preconditions: None,
        run_with: None,
        run_with_spool_file: None,
        phase: phase_of(
            &ctx.inherited_labels
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
        target_dbms: params.properties().filter.dbms.clone(),
    }
}

/// A changeset whose body is still being read.
struct Building {
    cs: ChangeSet,
    /// The SQL the change starts with: the previous changeset's (Liquibase's quirk).
    inherited_sql: Option<String>,
    split_statements: bool,
    strip_comments: bool,
    end_delimiter: Option<String>,
    rollback_split: bool,
    rollback_end_delimiter: Option<String>,
}

struct Parser<'c> {
    ctx: &'c FileCtx,
    earlier: &'c [ChangeSet],
    /// The header's `logicalFilePath:`, as written.
    changelog_logical_path: Option<String>,
    out: Vec<ChangeSet>,
}

impl<'c> Parser<'c> {
    fn new(ctx: &'c FileCtx, earlier: &'c [ChangeSet]) -> Self {
        Parser {
            ctx,
            earlier,
            changelog_logical_path: None,
            out: Vec::new(),
        }
    }

    fn err(&self, line: usize, message: String) -> ChangelogError {
        ChangelogError::parse(&self.ctx.path, line, message)
    }

    /// Liquibase's `formatted.changelog.exception.message`.
    fn format_error(&self, line: usize, expected: &str) -> ChangelogError {
        self.err(
            line,
            format!(
                "Unexpected formatting in formatted changelog '{}' at line {line}.\nFormatted SQL changelogs require known formats, such as '{expected}' and others to be recognized and run. Learn all the options at {DOC_LINK}",
                self.ctx.physical
            ),
        )
    }

    fn expand(
        &self,
        params: &Parameters<'_>,
        text: &str,
        line: usize,
    ) -> Result<String, ChangelogError> {
        params
            .expand(text, &self.ctx.physical)
            .map_err(|e| ChangelogError::expand(&self.ctx.path, line, &self.ctx.physical, e))
    }

    /// `expandExpressions(trimToNull(sequence))`.
    fn expand_sequence(
        &self,
        params: &Parameters<'_>,
        seq: &str,
        line: usize,
    ) -> Result<Option<String>, ChangelogError> {
        match java::trim_to_none(seq) {
            None => Ok(None),
            Some(t) => self.expand(params, t, line).map(Some),
        }
    }

    fn run(
        mut self,
        text: &str,
        params: &mut Parameters<'_>,
    ) -> Result<Vec<ChangeSet>, ChangelogError> {
        let p = patterns();
        let lines: Vec<&str> = crate::text::lines(text).collect();
        let mut i = 0usize;
        let mut seq = String::new();
        let mut rb = String::new();
        let mut cur: Option<Building> = None;

        while let Some(&line) = lines.get(i) {
            i += 1;
            let n = i;

            // Every pattern below needs a `-` (the `--` directives) or a `*` (the rollback
            // block): a line with neither is SQL, and most lines are.
            if memchr::memchr2(b'-', b'*', line.as_bytes()).is_none() {
                if cur.is_some() {
                    seq.push_str(line);
                    seq.push('\n');
                }
                continue;
            }

            if p.property.is_match(line) {
                self.property(params, line, n)?;
                continue;
            } else if p.alt_property.is_match(line) {
                return Err(
                    self.format_error(n, "--property name=<property name> value=<property value>")
                );
            }

            if p.first_line.is_match(line) {
                self.changelog_logical_path = group(&p.logical_file_path, line).map(str::to_string);
            }

            if let Some(arg) = group(&p.ignore_lines, line) {
                if arg == "start" {
                    while let Some(&skipped) = lines.get(i) {
                        i += 1;
                        if let Some(a) = group(&p.ignore_lines, skipped) {
                            if a == "end" {
                                break;
                            }
                        } else if p.alt_ignore_lines_one.is_match(skipped) {
                            return Err(self.format_error(i, "--ignoreLines:end"));
                        }
                    }
                    continue;
                }
                match parse_java_long(arg) {
                    Some(count) => {
                        let skip = usize::try_from(count).unwrap_or(usize::MAX);
                        i = i.saturating_add(skip).min(lines.len());
                        continue;
                    }
                    None => {
                        return Err(self.err(n, format!("Unknown ignoreLines syntax: \"{arg}\"")));
                    }
                }
            } else if p.alt_ignore_lines_one.is_match(line) || p.alt_ignore.is_match(line) {
                return Err(self.format_error(n, "--ignoreLines:<count|start>"));
            }

            if let Some(caps) = p.change_set.captures(line) {
                let author_group = caps.get(1).map_or("", |m| m.as_str());
                let id_group = caps.get(2).map_or("", |m| m.as_str());
                let final_seq = self.expand_sequence(params, &seq, n)?;
                if let Some(prev) = cur.take() {
                    let Some(sql) = final_seq.clone() else {
                        return Err(self.err(
                            prev.cs.line,
                            format!("No SQL for changeset {}", prev.cs.identifier()),
                        ));
                    };
                    let rollback = self.rollback(params, &rb, &prev, n)?;
                    self.finish(prev, Some(sql), rollback);
                }
                cur = Some(self.header(params, line, n, author_group, id_group, final_seq)?);
                seq.clear();
                rb.clear();
                continue;
            }
            if p.alt_change_set_one.is_match(line) || p.alt_change_set_no_info.is_match(line) {
                return Err(self.format_error(n, "--changeset <authorname>:<changesetId>"));
            }

            let Some(building) = cur.as_mut() else {
                if p.comment.is_match(line) {
                    return Err(self.err(
                        n,
                        format!("Unexpected formatting at line {n}. Formatted SQL changelogs do not allow comment lines outside of changesets. Learn all the options at {DOC_LINK}"),
                    ));
                }
                // Anything else before the first changeset is ignored (`--include` lines are
                // Liquibase Pro).
                continue;
            };

            if let Some(comment) = group(&p.comment, line) {
                building.cs.comment = Some(comment.to_string());
            } else if p.alt_comment_one.is_match(line) || p.alt_comment_plural.is_match(line) {
                return Err(self.format_error(n, "--comment <comment>"));
            } else if let Some(value) = group(&p.valid_check_sum, line) {
                building.cs.valid_checksums.push(value.to_string());
            } else if p.alt_valid_check_sum_one.is_match(line) {
                return Err(self.format_error(n, "--validChecksum <checksum>"));
            } else if let Some(text) = group(&p.rollback, line) {
                rb.push_str(text);
                rb.push('\n');
            } else if p.alt_rollback_one.is_match(line) {
                return Err(self.format_error(n, "--rollback <rollback SQL>"));
            } else if p.rollback_start.is_match(line) {
                let mut closed = false;
                while let Some(&inner) = lines.get(i) {
                    i += 1;
                    if p.rollback_end.is_match(inner) {
                        let before = match p.rollback_end_split.find(inner) {
                            Some(m) => &inner[..m.start()],
                            None => inner,
                        };
                        if !java::trim(before).is_empty() {
                            rb.push_str(before);
                        }
                        closed = true;
                        break;
                    }
                    rb.push_str(inner);
                }
                if !closed {
                    return Err(self.err(n, "Liquibase rollback comment is not closed.".into()));
                }
            } else if let Some(body) = group(&p.preconditions, line) {
                building.cs.preconditions = Some(self.preconditions(body, n)?);
            } else if p.alt_preconditions_one.is_match(line) {
                return Err(self.format_error(n, "--preconditions <onFail>|<onError>|<onUpdate>"));
            } else if let Some(caps) = p.precondition.captures(line) {
                let name = java::trim(caps.get(1).map_or("", |m| m.as_str())).to_string();
                let body = java::trim(caps.get(2).map_or("", |m| m.as_str())).to_string();
                let check = self.precondition(params, &name, &body, n)?;
                building
                    .cs
                    .preconditions
                    .get_or_insert_with(Preconditions::default)
                    .checks
                    .push(check);
            } else if p.alt_precondition_one.is_match(line) {
                return Err(self.format_error(n, "--precondition-sql-check"));
            } else if let Some(name) = group(&p.invalid_empty_precondition, line) {
                let message = match java::trim(name) {
                    "sql-check" => "Precondition sql check failed because of missing required expectedResult and sql parameters.".to_string(),
                    "table-exists" => "Precondition table exists failed because of missing required table name parameter.".to_string(),
                    "view-exists" => "Precondition view exists failed because of missing required view name parameter.".to_string(),
                    other => format!("The '{other}' precondition type is not supported."),
                };
                return Err(self.err(n, message));
            } else {
                seq.push_str(line);
                seq.push('\n');
            }
        }

        if let Some(last) = cur.take() {
            if seq.is_empty() {
                // The quirk: no SQL lines at all → keep the inherited SQL, no rollback.
                let sql = last.inherited_sql.clone();
                self.finish(last, sql, Rollback::None);
            } else {
                let end = lines.len().max(1);
                let sql = self.expand_sequence(params, &seq, end)?;
                let mut last = last;
                if last.end_delimiter.is_none()
                    && sql
                        .as_deref()
                        .is_some_and(|s| java::trim(s).ends_with("\n/"))
                {
                    last.end_delimiter = Some("\n/$".into());
                }
                let rollback = self.rollback(params, &rb, &last, end)?;
                self.finish(last, sql, rollback);
            }
        }
        Ok(self.out)
    }

    fn finish(&mut self, b: Building, sql: Option<String>, rollback: Rollback) {
        let sql = java::trim(sql.as_deref().unwrap_or("")).to_string();
        let mut cs = b.cs;
        cs.changes = vec![Change::sql(
            sql,
            b.split_statements,
            b.strip_comments,
            b.end_delimiter,
        )];
        cs.rollback = rollback;
        self.out.push(cs);
    }

    fn property(
        &self,
        params: &mut Parameters<'_>,
        line: &str,
        n: usize,
    ) -> Result<(), ChangelogError> {
        let p = patterns();
        let name = match group(&p.name, line) {
            Some(v) => Some(self.expand(params, v, n)?),
            None => None,
        };
        let value = match group(&p.value, line) {
            Some(v) => Some(self.expand(params, v, n)?),
            None => None,
        };
        let mut contexts = group(&p.context_filter, line).filter(|c| !c.is_empty());
        if contexts.is_none() {
            contexts = group(&p.context, line);
        }
        let contexts = match contexts {
            Some(c) => Some(self.expand(params, strip_enclosing_quotes(c), n)?),
            None => None,
        };
        let labels = match group(&p.labels, line) {
            Some(l) => Some(self.expand(params, strip_enclosing_quotes(l), n)?),
            None => None,
        };
        let dbms = match group(&p.dbms, line) {
            Some(d) => Some(self.expand(params, java::trim(d), n)?),
            None => None,
        };
        let global = group(&p.global, line).is_none_or(java::parse_boolean);
        // A property without a name makes Liquibase fail later with a NullPointerException;
        // tidemark ignores it.
        if let Some(name) = name {
            params.define(
                PropertyDef {
                    name,
                    value,
                    contexts,
                    labels,
                    dbms,
                    global,
                },
                &self.ctx.physical,
            );
        }
        Ok(())
    }

    fn header(
        &self,
        params: &Parameters<'_>,
        line: &str,
        n: usize,
        author_group: &str,
        id_group: &str,
        inherited_sql: Option<String>,
    ) -> Result<Building, ChangelogError> {
        let p = patterns();
        // The author and id must follow `changeset ` literally, with no blank after the colon.
        if !literal_header(line, &format!("{author_group}:{id_group}")) {
            return Err(self.format_error(n, "--changeset <authorname>:<changesetId>"));
        }

        let opt_expand = |v: Option<&str>| -> Result<Option<String>, ChangelogError> {
            match v {
                Some(v) => self.expand(params, v, n).map(Some),
                None => Ok(None),
            }
        };
        let rollback_split = boolean(&p.rollback_split_statements, line, true);
        let run_on_change = boolean(&p.run_on_change, line, false);
        let run_always = boolean(&p.run_always, line, false);
        let run_in_transaction = boolean(&p.run_in_transaction, line, true);
        let fail_on_error = boolean(&p.fail_on_error, line, true);
        let run_with = opt_expand(group(&p.run_with, line))?;
        let run_with_spool_file = opt_expand(group(&p.run_with_spool_file, line))?;
        let rollback_end_delimiter = group(&p.rollback_end_delimiter, line).map(str::to_string);
        let mut context = group(&p.context_filter, line).filter(|c| !c.is_empty());
        if context.is_none() {
            context = group(&p.context, line);
        }
        let context = opt_expand(context.map(strip_enclosing_quotes))?;
        let labels = opt_expand(group(&p.labels, line).map(strip_enclosing_quotes))?;
        let own_lfp = group(&p.logical_file_path, line).filter(|l| !l.is_empty());
        let logical = own_lfp
            .map(str::to_string)
            .or_else(|| self.changelog_logical_path.clone());
        let path_source = match &logical {
            Some(l) => l.replace('\\', "/"),
            None => self.ctx.physical.clone(),
        };
        let expanded_path = self.expand(params, &path_source, n)?;
        let logical_file_path = logical.as_ref().map(|_| expanded_path.clone());
        let filename = filename::normalize(&expanded_path);
        let dbms = opt_expand(group(&p.dbms, line))?;
        let ignore = opt_expand(group(&p.ignore, line))?;

        let id = self.expand(params, strip_enclosing_quotes(id_group), n)?;
        if id.replace([':', ' '], "").is_empty() {
            return Err(self.err(
                n,
                format!("Unexpected formatting in formatted changelog at line {n}. The change set ID cannot be empty.\n{line}\nLearn all the options at {DOC_LINK}"),
            ));
        }
        let author = self.expand(params, strip_enclosing_quotes(author_group), n)?;

        let split_statements = boolean(&p.split_statements, line, true);
        let strip_comments = boolean(&p.strip_comments, line, true);
        let end_delimiter = group(&p.end_delimiter, line).map(str::to_string);

        let mut phase_labels: Vec<&str> = self
            .ctx
            .inherited_labels
            .iter()
            .map(String::as_str)
            .collect();
        if let Some(l) = labels.as_deref() {
            phase_labels.push(l);
        }
        let phase = phase_of(&phase_labels);

        Ok(Building {
            cs: ChangeSet {
                id,
                author,
                filename,
                logical_file_path,
                path: self.ctx.path.clone(),
                line: n,
                format: Format::FormattedSql,
                changes: Vec::new(),
                rollback: Rollback::None,
                run_on_change,
                run_always,
                fail_on_error,
                run_in_transaction,
                ignore: ignore.as_deref().is_some_and(java::parse_boolean),
                context,
                labels,
                inherited_contexts: self.ctx.inherited_contexts.clone(),
                inherited_labels: self.ctx.inherited_labels.clone(),
                dbms,
                created: None,
                comment: None,
                valid_checksums: Vec::new(),
                preconditions: None,
                run_with,
                run_with_spool_file,
                phase,
                target_dbms: params.properties().filter.dbms.clone(),
            },
            inherited_sql,
            split_statements,
            strip_comments,
            end_delimiter,
            rollback_split,
            rollback_end_delimiter,
        })
    }

    fn rollback(
        &self,
        params: &Parameters<'_>,
        rb: &str,
        b: &Building,
        n: usize,
    ) -> Result<Rollback, ChangelogError> {
        if java::trim_to_none(rb).is_none() {
            return Ok(Rollback::None);
        }
        let lowered = java::lower(java::trim(rb));
        let single_line_prefix = |prefix: &str| {
            lowered
                .strip_prefix(prefix)
                .is_some_and(|rest| !rest.chars().any(java::is_line_terminator))
        };
        if single_line_prefix("not required") || single_line_prefix("empty") {
            return Ok(Rollback::Empty);
        }
        if lowered.contains("changesetid") {
            let p = patterns();
            let flat = rb.replace(['\n', '\r'], "");
            let author = group(&p.rb_change_set_author, &flat).and_then(java::trim_to_none);
            let id = group(&p.rb_change_set_id, &flat).and_then(java::trim_to_none);
            let path = group(&p.rb_change_set_path, &flat).and_then(java::trim_to_none);
            let Some(id) = id else {
                return Err(self.err(
                    n,
                    format!("'changesetId' not set in rollback block '{flat}'"),
                ));
            };
            let Some(author) = author else {
                return Err(self.err(
                    n,
                    format!("'changesetAuthor' not set in rollback block '{flat}'"),
                ));
            };
            let path = path.unwrap_or(&self.ctx.physical).to_string();
            let wanted = filename::normalize(&path);
            let found = self.out.iter().chain(self.earlier.iter()).find(|cs| {
                java::equals_ignore_case(&filename::normalize(&cs.filename), &wanted)
                    && java::equals_ignore_case(&cs.author, author)
                    && java::equals_ignore_case(&cs.id, id)
            });
            let Some(found) = found else {
                return Err(self.err(
                    n,
                    format!("Change set {path}::{id}::{author} does not exist"),
                ));
            };
            return Ok(Rollback::ChangeSet {
                id: id.to_string(),
                author: author.to_string(),
                path,
                changes: found.changes.clone(),
            });
        }
        let sql = self.expand(params, rb, n)?;
        Ok(Rollback::Sql(Change::sql(
            java::trim(&sql).to_string(),
            b.rollback_split,
            false,
            b.rollback_end_delimiter.clone(),
        )))
    }

    fn preconditions(&self, body: &str, n: usize) -> Result<Preconditions, ChangelogError> {
        let p = patterns();
        let action = |re: &Pat, what: &str| -> Result<PreconditionAction, ChangelogError> {
            match group(re, body).and_then(java::trim_to_none) {
                None => Ok(PreconditionAction::Halt),
                Some(v) => PreconditionAction::parse(v).ok_or_else(|| {
                    self.err(
                        n,
                        format!("Unknown {what} attribute value '{v}'.  Possible values: 'HALT', 'CONTINUE', 'MARK_RAN', 'WARN'"),
                    )
                }),
            }
        };
        let on_fail = action(&p.on_fail, "onFail")?;
        let on_error = action(&p.on_error, "onError")?;
        let update_sql = group(&p.on_update_sql, body);
        let sql_output = group(&p.on_sql_output, body);
        if update_sql.is_some() && sql_output.is_some() {
            return Err(self.err(
                n,
                "Please modify the changelog to have preconditions set with either 'onUpdateSql' or 'onSqlOutput', and not with both.".into(),
            ));
        }
        Ok(Preconditions {
            on_fail,
            on_error,
            on_sql_output: sql_output
                .or(update_sql)
                .and_then(java::trim_to_none)
                .map(str::to_string),
            checks: Vec::new(),
        })
    }

    fn precondition(
        &self,
        params: &Parameters<'_>,
        name: &str,
        body: &str,
        n: usize,
    ) -> Result<Precondition, ChangelogError> {
        let p = patterns();
        let body = match java::trim_to_none(body) {
            Some(b) => self.expand(params, b, n)?,
            None => String::new(),
        };
        match name {
            "sql-check" => {
                for re in [
                    &p.word_result,
                    &p.single_quote_result,
                    &p.double_quote_result,
                ] {
                    if let Some(c) = re.captures(&body) {
                        return Ok(Precondition::SqlCheck {
                            expected_result: c.get(1).map_or("", |m| m.as_str()).to_string(),
                            sql: c.get(2).map_or("", |m| m.as_str()).to_string(),
                        });
                    }
                }
                Err(self.err(
                    n,
                    format!("Could not parse a SqlCheck precondition from '{body}'."),
                ))
            }
            "table-exists" => match group(&p.table, &body) {
                Some(t) => Ok(Precondition::TableExists {
                    table: t.to_string(),
                    schema: group(&p.schema, &body).map(str::to_string),
                }),
                None => Err(self.err(
                    n,
                    "Table name was not specified correctly in tableExists precondition.".into(),
                )),
            },
            "view-exists" => match group(&p.view, &body) {
                Some(v) => Ok(Precondition::ViewExists {
                    view: v.to_string(),
                    schema: group(&p.schema, &body).map(str::to_string),
                }),
                None => Err(self.err(
                    n,
                    "View name was not specified correctly in viewExists precondition.".into(),
                )),
            },
            other => Err(self.err(
                n,
                format!("The '{other}' precondition type is not supported."),
            )),
        }
    }
}

/// Java's `Long.parseLong` for the digits-only text `\w+` can give: `None` on anything else or
/// on overflow.
fn parse_java_long(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests;
