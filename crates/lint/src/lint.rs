//! The linting pass: files in order, statements in order, schema state carried along.
//!
//! Per file: split with `tidemark-sql` (so lines match `migrate`), parse each statement, read the
//! directives, decide which statements share a transaction (the runner's rule: the file is one
//! transaction unless it holds a statement that cannot run in one or says
//! `executeInTransaction=false`; explicit `BEGIN ... COMMIT` blocks otherwise), then walk the
//! statements: phase, facts, statement rules, apply to the schema. File rules run last, then
//! suppression, configuration and positions (byte offsets become `line:column` only here).

use std::panic::{AssertUnwindSafe, catch_unwind};

use sqlparser::ast::Statement;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use tidemark_ledger::directive::{self, Directive, Scoped};
use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use crate::extra::{self, Fix, Recovery};
use crate::model::{self, Locator, Op, OpKind};
use crate::report::{FileReport, Finding, Severity};
use crate::rules::{self, Ctx, FileCheck, Hook, Sink};
use crate::schema::Schema;
use crate::{LintConfig, SourceFile};

/// How a statement was understood.
#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    /// Parsed by sqlparser (possibly after blanking an unsupported clause).
    Ast(Vec<Statement>),
    /// Recognised on tokens.
    Tokens,
    /// Not understood; the reason.
    Unparsed(String),
}

/// One statement of a file.
#[derive(Debug, Clone)]
pub(crate) struct Stmt {
    pub line: usize,
    pub offset: usize,
    pub parsed: Parsed,
    pub ops: Vec<Op>,
    pub non_transactional: bool,
    /// The transaction it runs in, if any (unique across the set).
    pub tx: Option<u32>,
}

impl Stmt {
    pub fn asts(&self) -> &[Statement] {
        match &self.parsed {
            Parsed::Ast(a) => a,
            _ => &[],
        }
    }
}

/// Session settings in force before a statement (set earlier in the same file).
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    pub lock_timeout: bool,
    pub statement_timeout: bool,
    pub utc: bool,
    pub foreign_key_checks_off: bool,
}

impl Session {
    fn apply(&mut self, dialect: Dialect, name: &str, value: &str) {
        let off = matches!(value, "0" | "off" | "false" | "default" | "");
        match (dialect, name) {
            (Dialect::Postgres, "lock_timeout") => self.lock_timeout = !off,
            (Dialect::Postgres, "statement_timeout") => self.statement_timeout = !off,
            (Dialect::Postgres, "timezone" | "time zone") => {
                self.utc = matches!(
                    value,
                    "utc" | "etc/utc" | "gmt" | "z" | "zulu" | "+00:00" | "0"
                )
            }
            (Dialect::Mysql, "lock_wait_timeout") => self.lock_timeout = !off,
            (Dialect::Mysql, "max_execution_time" | "max_statement_time") => {
                self.statement_timeout = !off
            }
            (Dialect::Mysql, "foreign_key_checks") => self.foreign_key_checks_off = off,
            (Dialect::Sqlite, "busy_timeout") => self.lock_timeout = !off,
            _ => {}
        }
    }
}

/// A file being linted.
#[derive(Debug)]
pub(crate) struct FileCtx {
    pub stmts: Vec<Stmt>,
    pub declared: Option<Phase>,
    /// Whether the runner wraps the whole file in one transaction.
    pub wrapped: bool,
    /// `executeInTransaction` given by a directive.
    pub explicit_tx: Option<bool>,
    pub text_len: usize,
}

/// What a statement does to locks and time, computed with the schema at that point.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// Strong locks on tables that have traffic: `(table key, table as written, lock)`.
    pub strong: Vec<(String, String, &'static str)>,
    /// May run long: a scan, a rewrite, an index build or a DML over many rows.
    pub long: bool,
    /// DML on a table with traffic, and how much of it.
    pub dml: Option<model::Scope>,
    /// Needs the database's write lock (SQLite: any write).
    pub writes: bool,
}

/// What a file is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Already applied: schema state only, its objects have traffic.
    Applied,
    /// Phase inference: pending, no findings.
    Infer,
    /// Pending and reported.
    Lint,
}

pub(crate) struct Engine<'c> {
    dialect: Dialect,
    config: &'c LintConfig,
    schema: Schema,
    next_tx: u32,
}

fn sp(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    }
}

/// Most operators one statement may hold. sqlparser builds `a AND b AND ...` as a left-deep
/// tree and walks it recursively (parse, drop, display), so a statement with tens of thousands
/// of operators can exhaust a thread's stack; such a statement is reported unparsed instead.
const MAX_OPERATORS: usize = 10_000;

/// `Some(count)` when the statement has more than [`MAX_OPERATORS`] operator tokens. A cheap
/// byte count first; the tokenizer (which knows strings and comments) only when that is high.
fn too_deep(sp: &dyn sqlparser::dialect::Dialect, sql: &str) -> Option<usize> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let rough = sql.bytes().filter(|b| b"+-*/%<>=|&^!~".contains(b)).count()
        + sql
            .split_ascii_whitespace()
            .filter(|w| w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or"))
            .count();
    if rough <= MAX_OPERATORS {
        return None;
    }
    let tokens = Tokenizer::new(sp, sql).tokenize().ok()?;
    let count = tokens
        .iter()
        .filter(|t| match t {
            Token::Word(w) => {
                w.quote_style.is_none()
                    && (w.value.eq_ignore_ascii_case("and") || w.value.eq_ignore_ascii_case("or"))
            }
            Token::Whitespace(_)
            | Token::Number(..)
            | Token::Char(_)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Comma
            | Token::LParen
            | Token::RParen
            | Token::Period
            | Token::SemiColon
            | Token::Placeholder(_)
            | Token::EOF => false,
            _ => true,
        })
        .count();
    (count > MAX_OPERATORS).then_some(count)
}

/// Byte offsets of line starts (`\n`, `\r\n` and lone `\r`, as the splitter counts lines).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        (line, column)
    }
}

impl<'c> Engine<'c> {
    pub fn new(dialect: Dialect, config: &'c LintConfig) -> Engine<'c> {
        Engine {
            dialect,
            config,
            schema: Schema::default(),
            next_tx: 0,
        }
    }

    fn parse(&self, sp: &dyn sqlparser::dialect::Dialect, s: tidemark_sql::Statement) -> Stmt {
        // COPY ... FROM STDIN carries its data after a NUL: only the command is SQL.
        let command = s.sql.split('\0').next().unwrap_or("").to_string();
        let loc = Locator::new(&command, s.offset);
        let mut stmt = Stmt {
            line: s.line,
            offset: s.offset,
            parsed: Parsed::Tokens,
            ops: Vec::new(),
            non_transactional: s.non_transactional,
            tx: None,
        };
        let at = s.offset;
        let tokens_ops = |kinds: Vec<OpKind>| {
            kinds
                .into_iter()
                .map(|kind| Op { at, kind })
                .collect::<Vec<_>>()
        };
        if let Some(operators) = too_deep(sp, &command) {
            stmt.parsed = Parsed::Unparsed(format!(
                "{operators} operators in one statement: too deeply nested to check safely"
            ));
            return stmt;
        }
        if let Some(kinds) = extra::preempt(self.dialect, sp, &command) {
            stmt.ops = tokens_ops(kinds);
            return stmt;
        }
        let parsed = catch_unwind(AssertUnwindSafe(|| Parser::parse_sql(sp, &command)));
        match parsed {
            Ok(Ok(asts)) => {
                stmt.ops = asts.iter().flat_map(|a| model::lower(a, &loc)).collect();
                stmt.parsed = Parsed::Ast(asts);
            }
            Ok(Err(e)) => {
                let recovered = catch_unwind(AssertUnwindSafe(|| {
                    extra::recover(self.dialect, sp, &command)
                }))
                .ok()
                .flatten();
                match recovered {
                    Some(Recovery::Ops(kinds)) => stmt.ops = tokens_ops(kinds),
                    Some(Recovery::Reparsed(asts, fix)) => {
                        let mut ops: Vec<Op> =
                            asts.iter().flat_map(|a| model::lower(a, &loc)).collect();
                        for op in &mut ops {
                            if let (
                                OpKind::AddColumn { if_not_exists, .. },
                                Fix::AddColumnIfNotExists,
                            ) = (&mut op.kind, fix)
                            {
                                *if_not_exists = true;
                            }
                        }
                        stmt.ops = ops;
                        stmt.parsed = Parsed::Ast(asts);
                    }
                    None => {
                        let why = if extra::is_do_block(sp, &command) {
                            "an anonymous code block (DO): its body cannot be checked".to_string()
                        } else {
                            let text = e.to_string();
                            let text = text.trim_start_matches("sql parser error: ");
                            match text.rfind(" at Line: ") {
                                Some(cut) => text[..cut].to_string(),
                                None => text.to_string(),
                            }
                        };
                        stmt.parsed = Parsed::Unparsed(why);
                    }
                }
            }
            Err(_) => stmt.parsed = Parsed::Unparsed("the parser failed on it".into()),
        }
        stmt
    }

    /// Lints (or, with `mode` other than `Lint`, only reads) one file, updating the schema state.
    pub fn file(&mut self, source: &SourceFile, mode: Mode) -> FileReport {
        let report = mode == Mode::Lint;
        let pending = mode != Mode::Applied;
        let text = tidemark_ledger::text::strip_bom(&source.text);
        let sp = sp(self.dialect);
        let mut sink = Sink::default();
        let lines = LineIndex::new(text);
        self.schema.begin_file();

        let split = tidemark_sql::split(self.dialect, text);
        let (raw_stmts, split_error) = match split {
            Ok(s) => (s, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let stmts: Vec<Stmt> = raw_stmts.into_iter().map(|s| self.parse(&*sp, s)).collect();

        let stmt_lines: Vec<usize> = stmts.iter().map(|s| s.line).collect();
        let (scoped, directive_error) = match directive::parse(text) {
            Ok(d) => (Scoped::new(d, &stmt_lines), None),
            Err(e) => (Scoped::default(), Some(e)),
        };
        let declared = source.declared_phase.or_else(|| scoped.phase());
        let explicit_tx = scoped.file.iter().rev().find_map(|d| match d.directive {
            Directive::ExecuteInTransaction(b) => Some(b),
            _ => None,
        });
        let mut file = FileCtx {
            stmts,
            declared,
            wrapped: false,
            explicit_tx,
            text_len: text.len(),
        };
        self.assign_transactions(&mut file);

        if let Some(e) = &split_error {
            let offset = lines
                .starts
                .get(e.line.saturating_sub(1))
                .copied()
                .unwrap_or(0);
            sink.push_raw(
                rules::index_of("unparsed-statement"),
                None,
                offset,
                format!("the file cannot be split into statements: {e}; nothing in it was checked"),
                Some(Severity::Error),
            );
        }
        if let Some(e) = &directive_error {
            let offset = lines
                .starts
                .get(e.line.saturating_sub(1))
                .copied()
                .unwrap_or(0);
            sink.push_raw(
                rules::index_of("invalid-directive"),
                None,
                offset,
                e.message.clone(),
                None,
            );
        }

        let mut phases: Vec<Option<Phase>> = Vec::with_capacity(file.stmts.len());
        let mut op_phases: Vec<Vec<Option<Phase>>> = Vec::with_capacity(file.stmts.len());
        let mut facts: Vec<Facts> = Vec::with_capacity(file.stmts.len());
        let mut sessions: Vec<Session> = Vec::with_capacity(file.stmts.len());
        let mut session = Session::default();
        for i in 0..file.stmts.len() {
            let (p, f) = {
                let ctx = Ctx {
                    dialect: self.dialect,
                    file: &file,
                    i,
                    schema: &self.schema,
                    session: &session,
                };
                let ops_p: Vec<Option<Phase>> = (0..file.stmts[i].ops.len())
                    .map(|k| crate::classify::op_phase(&ctx, k))
                    .collect();
                (ops_p, rules::facts(&ctx))
            };
            phases.push(p.iter().flatten().max().copied());
            op_phases.push(p);
            facts.push(f);
            if report {
                let ctx = Ctx {
                    dialect: self.dialect,
                    file: &file,
                    i,
                    schema: &self.schema,
                    session: &session,
                };
                for (r, hook) in rules::HOOKS.iter().enumerate() {
                    if let Hook::Statement(check) = hook {
                        if !self.enabled(r) {
                            continue;
                        }
                        sink.start(r, Some(i));
                        check(&ctx, &mut sink);
                    }
                }
            }
            sessions.push(session.clone());
            for op in &file.stmts[i].ops {
                self.schema.apply(&op.kind, pending);
                if let OpKind::Set { name, value } = &op.kind {
                    session.apply(self.dialect, name, value);
                }
            }
        }
        let inferred = phases.iter().flatten().max().copied();

        if report {
            let check = FileCheck {
                dialect: self.dialect,
                file: &file,
                op_phases: &op_phases,
                facts: &facts,
                sessions: &sessions,
                timeouts_managed: self.config.timeouts_managed,
            };
            for (r, hook) in rules::HOOKS.iter().enumerate() {
                if let Hook::File(f) = hook {
                    if !self.enabled(r) {
                        continue;
                    }
                    sink.start(r, None);
                    f(&check, &mut sink);
                }
            }
        }

        let findings = if report {
            self.finish(sink, &file, &scoped, &lines, text)
        } else {
            Vec::new()
        };
        FileReport {
            path: source.path.clone(),
            phase: declared.or(inferred),
            declared_phase: declared,
            inferred_phase: inferred,
            findings,
        }
    }

    fn enabled(&self, rule: usize) -> bool {
        let info = &rules::INFOS[rule];
        if !info.dialects.iter().any(|d| d.dialect == self.dialect) && !info.dialects.is_empty() {
            return false;
        }
        if self.config.disabled.iter().any(|d| d == info.id) {
            return false;
        }
        info.default_enabled
            || self
                .config
                .severity_overrides
                .iter()
                .any(|(id, _)| id == info.id)
    }

    fn assign_transactions(&mut self, file: &mut FileCtx) {
        let any_non_tx = file.stmts.iter().any(|s| s.non_transactional);
        file.wrapped = file.explicit_tx.unwrap_or(!any_non_tx);
        if file.wrapped {
            let id = self.next_tx;
            self.next_tx += 1;
            for s in &mut file.stmts {
                s.tx = Some(id);
            }
            return;
        }
        let mut open: Option<u32> = None;
        for s in &mut file.stmts {
            let begins = s.ops.iter().any(|o| matches!(o.kind, OpKind::Begin));
            let ends = s
                .ops
                .iter()
                .any(|o| matches!(o.kind, OpKind::Commit | OpKind::Rollback));
            if begins && open.is_none() {
                open = Some(self.next_tx);
                self.next_tx += 1;
            }
            s.tx = open;
            if ends {
                open = None;
            }
        }
    }

    fn finish(
        &self,
        sink: Sink,
        file: &FileCtx,
        scoped: &Scoped,
        lines: &LineIndex,
        text: &str,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for raw in sink.raw {
            let info = &rules::INFOS[raw.rule];
            let allowed = match raw.stmt {
                Some(i) => scoped.allowed(file.stmts[i].line),
                None => scoped.allowed(0),
            };
            if allowed.contains(&info.id) {
                continue;
            }
            let d = info.for_dialect(self.dialect);
            let mut severity = raw
                .severity
                .or(d.map(|d| d.severity))
                .unwrap_or(info.severity);
            if let Some((_, s)) = self
                .config
                .severity_overrides
                .iter()
                .find(|(id, _)| id == info.id)
            {
                severity = *s;
            }
            if info.breaks_old_code && file.declared == Some(Phase::Contract) {
                severity = severity.min(Severity::Info);
            }
            let lock = d.and_then(|d| d.lock);
            let why = d.map(|d| d.why).unwrap_or("");
            let message = match (lock, why.is_empty()) {
                (Some(lock), false) => format!("{} takes {lock}: {why}", raw.what),
                (Some(lock), true) => format!("{} takes {lock}", raw.what),
                (None, false) => format!("{}: {why}", raw.what),
                (None, true) => raw.what.clone(),
            };
            let (line, column) = lines.line_col(text, raw.at.min(file.text_len));
            out.push(Finding {
                rule: info.id,
                severity,
                line,
                column,
                message,
                help: d.map(|d| d.safe).unwrap_or("").to_string(),
                lock,
            });
        }
        out.sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
        out.dedup();
        out
    }
}
