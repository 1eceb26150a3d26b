//! XML and YAML changelogs, includes, and the loader that walks them.
//!
//! Formatted-SQL projects are usually organised by a small XML or YAML master that `include`s
//! SQL files or `includeAll`s a folder; some also hold `sql` / `sqlFile` changesets. tidemark
//! reads that subset of Liquibase's XML/YAML schema (reference §B5):
//!
//! * `property` (`name`, `value`, `context`/`contextFilter`, `labels`, `dbms`, `global`, `file`);
//! * `include` (`file`, `relativeToChangelogFile`, `errorIfMissing`, `context`/`contextFilter`,
//!   `labels`) and `includeAll` (`path`, `relativeToChangelogFile`, `errorIfMissingOrEmpty`,
//!   `context`/`contextFilter`, `labels`): files sorted by their full path, recursively;
//! * `changeSet` with `sql`, `sqlFile` and `tagDatabase` changes, `comment`, `validCheckSum`,
//!   `preConditions` (`sqlCheck`, `tableExists`, `viewExists`) and `rollback`.
//!
//! Anything else is an error that names the element: running a changelog tidemark only half
//! understood would be worse than refusing it.
//!
//! As in Liquibase, XML attribute values and text are `${}`-expanded while the file is read, in
//! document order, so a property defined inside an included file is not visible to the
//! including file; in YAML a file's properties are all defined before its values are expanded.

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use serde_yaml_ng::Value;

use super::formatted::{self, FileCtx};
use super::properties::{Parameters, PropertyDef};
use super::{
    Change, ChangeKind, ChangeSet, Changelog, ChangelogError, ErrorKind, Format, Precondition,
    PreconditionAction, Preconditions, Properties, Rollback, defaults_file, filename, java,
    phase_of,
};
use crate::text;

/// Nesting of includes beyond which a changelog is taken to include itself.
const MAX_INCLUDE_DEPTH: usize = 64;

pub(crate) fn load(
    root: &Path,
    search_path: &[PathBuf],
    props: &Properties,
) -> Result<Changelog, ChangelogError> {
    let given = root.to_string_lossy().into_owned();
    let physical = filename::normalize(&given);
    let real = if root.is_absolute() {
        root.exists().then(|| root.to_path_buf())
    } else {
        filename::find(&physical, search_path)
    };
    let Some(real) = real else {
        return Err(not_found(&given, root, search_path));
    };
    let mut loader = Loader {
        search_path,
        params: Parameters::new(props),
        out: Vec::new(),
        files: Vec::new(),
        stack: Vec::new(),
    };
    loader.file(&physical, &real, &Inherit::default())?;
    Ok(Changelog {
        root: physical,
        changesets: loader.out,
        files: loader.files,
    })
}

fn not_found(name: &str, path: &Path, search_path: &[PathBuf]) -> ChangelogError {
    let mut dirs = String::new();
    for d in search_path {
        dirs.push_str(&format!("    - {}\n", d.display()));
    }
    ChangelogError::at(
        path,
        None,
        ErrorKind::NotFound,
        format!(
            "The file {name} was not found in the configured search path:\n{dirs}More locations can be added with the 'searchPath' parameter."
        ),
    )
}

/// Contexts and labels an `include` passes down.
#[derive(Debug, Clone, Default)]
struct Inherit {
    contexts: Vec<String>,
    labels: Vec<String>,
}

impl Inherit {
    fn with(&self, context: Option<String>, labels: Option<String>) -> Inherit {
        let mut next = self.clone();
        if let Some(c) = context.filter(|c| java::trim_to_none(c).is_some()) {
            next.contexts.push(c);
        }
        if let Some(l) = labels.filter(|l| java::trim_to_none(l).is_some()) {
            next.labels.push(l);
        }
        next
    }
}

struct Loader<'a, 'p> {
    search_path: &'a [PathBuf],
    params: Parameters<'p>,
    out: Vec<ChangeSet>,
    files: Vec<PathBuf>,
    stack: Vec<String>,
}

/// Reads a changelog file as text: UTF-8 leniently (a malformed byte becomes U+FFFD, as
/// Liquibase's reader does), any other `fileEncoding` strictly through [`crate::text::decode`];
/// a leading BOM removed.
pub(crate) fn read_text(path: &Path, encoding: text::Encoding) -> Result<String, ChangelogError> {
    let bytes = std::fs::read(path).map_err(|e| {
        ChangelogError::at(
            path,
            None,
            ErrorKind::Io,
            format!("Cannot read {}: {e}", path.display()),
        )
    })?;
    let decoded = match encoding {
        // Lenient on purpose: `text::decode` is strict (Flyway's rule), Liquibase replaces.
        text::Encoding::Utf8 => String::from_utf8_lossy(&bytes).into_owned(),
        other => text::decode(&bytes, other).map_err(|e| {
            ChangelogError::at(
                path,
                None,
                ErrorKind::Io,
                format!("Cannot read {}: {e}", path.display()),
            )
        })?,
    };
    Ok(text::strip_bom(&decoded).to_string())
}

impl<'a, 'p> Loader<'a, 'p> {
    fn file(
        &mut self,
        physical: &str,
        real: &Path,
        inherit: &Inherit,
    ) -> Result<(), ChangelogError> {
        if self.stack.len() >= MAX_INCLUDE_DEPTH || self.stack.iter().any(|s| s == physical) {
            return Err(ChangelogError::at(
                real,
                None,
                ErrorKind::Parse,
                format!(
                    "Circular include of {physical} (included from {})",
                    self.stack.join(" -> ")
                ),
            ));
        }
        self.stack.push(physical.to_string());
        self.files.push(real.to_path_buf());
        let encoding = self.params.properties().encoding;
        let text = read_text(real, encoding)?;
        let lower = physical.to_ascii_lowercase();
        let result = if lower.ends_with(".xml") {
            self.xml(&text, physical, real, inherit)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            self.yaml(&text, physical, real, inherit)
        } else if lower.ends_with(".sql") {
            let ctx = FileCtx {
                physical: physical.to_string(),
                path: real.to_path_buf(),
                inherited_contexts: inherit.contexts.clone(),
                inherited_labels: inherit.labels.clone(),
            };
            let parsed = formatted::parse(&text, &ctx, &mut self.params, &self.out)?;
            self.out.extend(parsed);
            Ok(())
        } else {
            Err(ChangelogError::at(
                real,
                None,
                ErrorKind::Parse,
                format!(
                    "Cannot find parser that supports {physical} (tidemark reads .sql, .xml, .yaml and .yml changelogs)"
                ),
            ))
        };
        self.stack.pop();
        result
    }

    /// An `include`: `file` resolved in the search path (or next to the including file).
    fn include(
        &mut self,
        parent: &str,
        file: &str,
        relative: bool,
        error_if_missing: bool,
        inherit: &Inherit,
        at: (&Path, usize),
    ) -> Result<(), ChangelogError> {
        let physical = if relative {
            filename::relative_to(parent, file)
        } else {
            filename::normalize(file)
        };
        match filename::find(&physical, self.search_path) {
            Some(real) => self.file(&physical, &real, inherit),
            None if !error_if_missing => Ok(()),
            None => {
                let mut e = not_found(file, at.0, self.search_path);
                e.line = Some(at.1);
                Err(e)
            }
        }
    }

    /// An `includeAll`: every changelog file under the folder, recursively, sorted by path.
    fn include_all(
        &mut self,
        parent: &str,
        path: &str,
        relative: bool,
        error_if_missing: bool,
        inherit: &Inherit,
        at: (&Path, usize),
    ) -> Result<(), ChangelogError> {
        let dir = if relative {
            filename::relative_to(parent, path)
        } else {
            filename::normalize(path)
        };
        let mut found: Vec<(String, PathBuf)> = Vec::new();
        if let Some(real_dir) = filename::find(&dir, self.search_path).filter(|p| p.is_dir()) {
            for entry in walkdir::WalkDir::new(&real_dir)
                .follow_links(true)
                .into_iter()
                .flatten()
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
                if ![".sql", ".xml", ".yaml", ".yml"]
                    .iter()
                    .any(|e| name.ends_with(e))
                {
                    continue;
                }
                let Ok(rest) = entry.path().strip_prefix(&real_dir) else {
                    continue;
                };
                let rest: Vec<String> = rest
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let logical = if dir.is_empty() {
                    rest.join("/")
                } else {
                    format!("{dir}/{}", rest.join("/"))
                };
                found.push((logical, entry.path().to_path_buf()));
            }
        }
        if found.is_empty() {
            if error_if_missing {
                return Err(ChangelogError::at(
                    at.0,
                    Some(at.1),
                    ErrorKind::NotFound,
                    format!(
                        "Could not find directory or directory was empty for includeAll '{path}'"
                    ),
                ));
            }
            return Ok(());
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (logical, real) in found {
            self.file(&logical, &real, inherit)?;
        }
        Ok(())
    }

    // ----------------------------------------------------------------------------------- XML

    fn xml(
        &mut self,
        text: &str,
        physical: &str,
        real: &Path,
        inherit: &Inherit,
    ) -> Result<(), ChangelogError> {
        let root = parse_xml(text, physical, real, &mut self.params)?;
        if root.name != "databaseChangeLog" {
            return Err(ChangelogError::parse(
                real,
                root.line,
                format!(
                    "Unexpected root element <{}> in {physical}: expected <databaseChangeLog>",
                    root.name
                ),
            ));
        }
        let changelog_lfp = root.attr("logicalFilePath").map(str::to_string);
        for el in &root.children {
            let at = (real, el.line);
            match el.name.as_str() {
                "property" | "comment" => {}
                "include" => {
                    let Some(file) = el.attr("file") else {
                        return Err(ChangelogError::parse(
                            real,
                            el.line,
                            "No 'file' attribute on include".to_string(),
                        ));
                    };
                    let next = inherit.with(el.context(), el.attr("labels").map(str::to_string));
                    self.include(
                        physical,
                        file,
                        el.bool_attr("relativeToChangelogFile", false),
                        el.bool_attr("errorIfMissing", true),
                        &next,
                        at,
                    )?;
                }
                "includeAll" => {
                    let Some(path) = el.attr("path") else {
                        return Err(ChangelogError::parse(
                            real,
                            el.line,
                            "No 'path' attribute on includeAll".to_string(),
                        ));
                    };
                    let next = inherit.with(el.context(), el.attr("labels").map(str::to_string));
                    self.include_all(
                        physical,
                        path,
                        el.bool_attr("relativeToChangelogFile", false),
                        el.bool_attr("errorIfMissingOrEmpty", true),
                        &next,
                        at,
                    )?;
                }
                "changeSet" => {
                    let cs =
                        self.xml_changeset(el, physical, real, changelog_lfp.as_deref(), inherit)?;
                    self.out.push(cs);
                }
                other => {
                    return Err(ChangelogError::parse(
                        real,
                        el.line,
                        format!(
                            "tidemark does not support <{other}> in XML changelogs yet ({physical})"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn xml_changeset(
        &mut self,
        el: &Elem,
        physical: &str,
        real: &Path,
        changelog_lfp: Option<&str>,
        inherit: &Inherit,
    ) -> Result<ChangeSet, ChangelogError> {
        let mut spec = ChangeSetSpec {
            id: el.attr("id").unwrap_or("").to_string(),
            author: el.attr("author").unwrap_or("").to_string(),
            line: el.line,
            run_on_change: el.bool_attr("runOnChange", false),
            run_always: el.bool_attr("runAlways", false),
            fail_on_error: el.bool_attr("failOnError", true),
            run_in_transaction: el.bool_attr("runInTransaction", true),
            ignore: el.bool_attr("ignore", false),
            context: el.context(),
            labels: el.attr("labels").map(str::to_string),
            dbms: el.attr("dbms").map(str::to_string),
            created: el.attr("created").map(str::to_string),
            logical_file_path: el
                .attr("logicalFilePath")
                .or(changelog_lfp)
                .map(str::to_string),
            run_with: el.attr("runWith").map(str::to_string),
            ..ChangeSetSpec::default()
        };
        for child in &el.children {
            match child.name.as_str() {
                "comment" => spec.comment = Some(child.text.clone()),
                "validCheckSum" => spec
                    .valid_checksums
                    .push(java::trim(&child.text).to_string()),
                "preConditions" => spec.preconditions = Some(xml_preconditions(child, real)?),
                "rollback" => spec.rollback = Some(self.xml_rollback(child, physical, real)?),
                "sql" => spec.changes.push(sql_change(
                    &child.text,
                    child.bool_attr("splitStatements", true),
                    child.bool_attr("stripComments", false),
                    child.attr("endDelimiter").map(str::to_string),
                    child.attr("dbms").map(str::to_string),
                )),
                "sqlFile" => spec.changes.push(self.sql_file(
                    physical,
                    SqlFileSpec {
                        path: child.attr("path").unwrap_or(""),
                        relative: child.bool_attr("relativeToChangelogFile", false),
                        encoding: child.attr("encoding"),
                        split: child.bool_attr("splitStatements", true),
                        strip: child.bool_attr("stripComments", false),
                        end_delimiter: child.attr("endDelimiter"),
                        dbms: child.attr("dbms"),
                    },
                    (real, child.line),
                )?),
                "tagDatabase" => spec
                    .changes
                    .push(tag_change(child.attr("tag").unwrap_or(""))),
                "empty" => {}
                other => {
                    return Err(ChangelogError::parse(
                        real,
                        child.line,
                        format!(
                            "tidemark does not support the <{other}> change yet (only sql, sqlFile and tagDatabase) in {physical}"
                        ),
                    ));
                }
            }
        }
        Ok(self.build(spec, physical, real, Format::Xml, inherit))
    }

    fn xml_rollback(
        &mut self,
        el: &Elem,
        physical: &str,
        real: &Path,
    ) -> Result<Rollback, ChangelogError> {
        if let Some(id) = el.attr("changeSetId") {
            let author = el.attr("changeSetAuthor").unwrap_or("");
            let path = el.attr("changeSetPath").unwrap_or(physical);
            return self.rollback_ref(id, author, path, real, el.line);
        }
        let mut changes = Vec::new();
        for child in &el.children {
            match child.name.as_str() {
                "sql" => changes.push(sql_change(
                    &child.text,
                    child.bool_attr("splitStatements", true),
                    child.bool_attr("stripComments", false),
                    child.attr("endDelimiter").map(str::to_string),
                    child.attr("dbms").map(str::to_string),
                )),
                "sqlFile" => changes.push(self.sql_file(
                    physical,
                    SqlFileSpec {
                        path: child.attr("path").unwrap_or(""),
                        relative: child.bool_attr("relativeToChangelogFile", false),
                        encoding: child.attr("encoding"),
                        split: child.bool_attr("splitStatements", true),
                        strip: child.bool_attr("stripComments", false),
                        end_delimiter: child.attr("endDelimiter"),
                        dbms: child.attr("dbms"),
                    },
                    (real, child.line),
                )?),
                "empty" | "comment" => {}
                other => {
                    return Err(ChangelogError::parse(
                        real,
                        child.line,
                        format!("tidemark does not support <{other}> in a rollback yet"),
                    ));
                }
            }
        }
        let text = java::trim(&el.text);
        if !text.is_empty() {
            changes.insert(0, sql_change(text, true, false, None, None));
        }
        Ok(match changes.len() {
            0 => Rollback::Empty,
            1 => match changes.pop() {
                Some(c) => Rollback::Sql(c),
                None => Rollback::Empty,
            },
            _ => Rollback::Changes(changes),
        })
    }

    fn rollback_ref(
        &self,
        id: &str,
        author: &str,
        path: &str,
        real: &Path,
        line: usize,
    ) -> Result<Rollback, ChangelogError> {
        let wanted = filename::normalize(path);
        let found = self.out.iter().rev().find(|cs| {
            java::equals_ignore_case(&filename::normalize(&cs.filename), &wanted)
                && java::equals_ignore_case(&cs.author, author)
                && java::equals_ignore_case(&cs.id, id)
        });
        match found {
            Some(cs) => Ok(Rollback::ChangeSet {
                id: id.to_string(),
                author: author.to_string(),
                path: path.to_string(),
                changes: cs.changes.clone(),
            }),
            None => Err(ChangelogError::parse(
                real,
                line,
                format!("Change set {path}::{id}::{author} does not exist"),
            )),
        }
    }

    fn sql_file(
        &self,
        physical: &str,
        spec: SqlFileSpec<'_>,
        at: (&Path, usize),
    ) -> Result<Change, ChangelogError> {
        let logical = if spec.relative {
            filename::relative_to(physical, spec.path)
        } else {
            filename::normalize(spec.path)
        };
        let Some(file) = filename::find(&logical, self.search_path) else {
            let mut e = not_found(spec.path, at.0, self.search_path);
            e.line = Some(at.1);
            return Err(e);
        };
        let bytes = std::fs::read(&file).map_err(|e| {
            ChangelogError::at(
                &file,
                None,
                ErrorKind::Io,
                format!("Cannot read {}: {e}", file.display()),
            )
        })?;
        let encoding = match spec.encoding {
            Some(name) => text::Encoding::from_name(name)
                .map_err(|e| ChangelogError::parse(at.0, at.1, e.to_string()))?,
            None => self.params.properties().encoding,
        };
        let content = read_text(&file, encoding)?;
        let sql = self
            .params
            .expand(&content, physical)
            .map_err(|e| ChangelogError::expand(&file, 1, &logical, e))?;
        let end_delimiter = spec.end_delimiter.map(str::to_string);
        Ok(Change {
            kind: ChangeKind::SqlFile {
                path: spec.path.to_string(),
                file,
            },
            sql,
            checksum_bytes: bytes,
            split_statements: spec.split,
            strip_comments: spec.strip,
            end_delimiter,
            dbms: spec.dbms.map(str::to_string),
            split: super::Split::default(),
        })
    }

    fn build(
        &self,
        spec: ChangeSetSpec,
        physical: &str,
        real: &Path,
        format: Format,
        inherit: &Inherit,
    ) -> ChangeSet {
        let filename = filename::normalize(spec.logical_file_path.as_deref().unwrap_or(physical));
        let mut phase_labels: Vec<&str> = inherit.labels.iter().map(String::as_str).collect();
        if let Some(l) = spec.labels.as_deref() {
            phase_labels.push(l);
        }
        ChangeSet {
            id: spec.id,
            author: spec.author,
            filename,
            logical_file_path: spec.logical_file_path,
            path: real.to_path_buf(),
            line: spec.line,
            format,
            changes: spec.changes,
            rollback: spec.rollback.unwrap_or(Rollback::None),
            run_on_change: spec.run_on_change,
            run_always: spec.run_always,
            fail_on_error: spec.fail_on_error,
            run_in_transaction: spec.run_in_transaction,
            ignore: spec.ignore,
            context: spec.context,
            phase: phase_of(&phase_labels),
            labels: spec.labels,
            inherited_contexts: inherit.contexts.clone(),
            inherited_labels: inherit.labels.clone(),
            dbms: spec.dbms,
            created: spec.created,
            comment: spec.comment,
            valid_checksums: spec.valid_checksums,
            preconditions: spec.preconditions,
            run_with: spec.run_with,
            run_with_spool_file: None,
            target_dbms: self.params.properties().filter.dbms.clone(),
        }
    }

    // ---------------------------------------------------------------------------------- YAML

    fn yaml(
        &mut self,
        text: &str,
        physical: &str,
        real: &Path,
        inherit: &Inherit,
    ) -> Result<(), ChangelogError> {
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line());
            ChangelogError::at(
                real,
                line,
                ErrorKind::Parse,
                format!("Error parsing {physical}: {e}"),
            )
        })?;
        let entries = match doc.get("databaseChangeLog") {
            Some(Value::Sequence(items)) => items.clone(),
            Some(Value::Null) | None if doc.is_null() => Vec::new(),
            _ => {
                return Err(ChangelogError::parse(
                    real,
                    1,
                    format!("Could not find databaseChangeLog node in {physical}"),
                ));
            }
        };
        let lines = YamlLines::new(text);
        // Pass 1: a YAML file's properties are all defined before its values are expanded.
        for entry in &entries {
            if let Some(p) = entry.get("property") {
                self.yaml_property(p, physical, real)?;
            }
        }
        let mut changelog_lfp: Option<String> = None;
        let mut changeset_index = 0usize;
        for entry in &entries {
            let Some(map) = entry.as_mapping() else {
                continue;
            };
            for (key, value) in map {
                let key = scalar(key).unwrap_or_default();
                let at_line = lines.nth(
                    &key,
                    if key == "changeSet" {
                        changeset_index
                    } else {
                        usize::MAX
                    },
                );
                match key.as_str() {
                    "property" => {}
                    "logicalFilePath" => changelog_lfp = self.y_str(Some(value), physical, real)?,
                    "include" => {
                        let file = self
                            .y_field(value, "file", physical, real)?
                            .unwrap_or_default();
                        let next = inherit.with(
                            self.y_context(value, physical, real)?,
                            self.y_field(value, "labels", physical, real)?,
                        );
                        self.include(
                            physical,
                            &file,
                            y_bool(value.get("relativeToChangelogFile"), false),
                            y_bool(value.get("errorIfMissing"), true),
                            &next,
                            (real, at_line),
                        )?;
                    }
                    "includeAll" => {
                        let path = self
                            .y_field(value, "path", physical, real)?
                            .unwrap_or_default();
                        let next = inherit.with(
                            self.y_context(value, physical, real)?,
                            self.y_field(value, "labels", physical, real)?,
                        );
                        self.include_all(
                            physical,
                            &path,
                            y_bool(value.get("relativeToChangelogFile"), false),
                            y_bool(value.get("errorIfMissingOrEmpty"), true),
                            &next,
                            (real, at_line),
                        )?;
                    }
                    "changeSet" => {
                        changeset_index += 1;
                        let cs = self.yaml_changeset(
                            value,
                            physical,
                            real,
                            changelog_lfp.as_deref(),
                            inherit,
                            at_line,
                        )?;
                        self.out.push(cs);
                    }
                    other => {
                        return Err(ChangelogError::parse(
                            real,
                            at_line,
                            format!(
                                "tidemark does not support '{other}' in YAML changelogs yet ({physical})"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn y_str(
        &self,
        v: Option<&Value>,
        physical: &str,
        real: &Path,
    ) -> Result<Option<String>, ChangelogError> {
        match v.and_then(scalar) {
            Some(s) => self
                .params
                .expand(&s, physical)
                .map(Some)
                .map_err(|e| ChangelogError::expand(real, 1, physical, e)),
            None => Ok(None),
        }
    }

    fn y_field(
        &self,
        v: &Value,
        key: &str,
        physical: &str,
        real: &Path,
    ) -> Result<Option<String>, ChangelogError> {
        self.y_str(v.get(key), physical, real)
    }

    fn y_context(
        &self,
        v: &Value,
        physical: &str,
        real: &Path,
    ) -> Result<Option<String>, ChangelogError> {
        let filter = self
            .y_field(v, "contextFilter", physical, real)?
            .filter(|c| !c.is_empty());
        match filter {
            Some(c) => Ok(Some(c)),
            None => self.y_field(v, "context", physical, real),
        }
    }

    fn yaml_property(
        &mut self,
        p: &Value,
        physical: &str,
        real: &Path,
    ) -> Result<(), ChangelogError> {
        let def = PropertyDef {
            name: self.y_field(p, "name", physical, real)?.unwrap_or_default(),
            value: self.y_field(p, "value", physical, real)?,
            contexts: self.y_context(p, physical, real)?,
            labels: self.y_field(p, "labels", physical, real)?,
            dbms: self.y_field(p, "dbms", physical, real)?,
            global: y_bool(p.get("global"), true),
        };
        if let Some(file) = self.y_field(p, "file", physical, real)? {
            let relative = y_bool(p.get("relativeToChangelogFile"), false);
            return self.property_file(&file, relative, &def, physical, (real, 1));
        }
        if !def.name.is_empty() {
            self.params.define(def, physical);
        }
        Ok(())
    }

    /// `<property file="x.properties"/>`: every entry of a Java properties file.
    fn property_file(
        &mut self,
        file: &str,
        relative: bool,
        template: &PropertyDef,
        physical: &str,
        at: (&Path, usize),
    ) -> Result<(), ChangelogError> {
        let logical = if relative {
            filename::relative_to(physical, file)
        } else {
            filename::normalize(file)
        };
        let Some(real) = filename::find(&logical, self.search_path) else {
            let mut e = not_found(file, at.0, self.search_path);
            e.line = Some(at.1);
            return Err(e);
        };
        let bytes = std::fs::read(&real).map_err(|e| {
            ChangelogError::at(
                &real,
                None,
                ErrorKind::Io,
                format!("Cannot read {}: {e}", real.display()),
            )
        })?;
        for entry in defaults_file::parse_bytes(&bytes) {
            self.params.define(
                PropertyDef {
                    name: entry.key,
                    value: Some(entry.value),
                    ..template.clone()
                },
                physical,
            );
        }
        Ok(())
    }

    fn yaml_changeset(
        &mut self,
        v: &Value,
        physical: &str,
        real: &Path,
        changelog_lfp: Option<&str>,
        inherit: &Inherit,
        line: usize,
    ) -> Result<ChangeSet, ChangelogError> {
        let s = |loader: &Self, key: &str| loader.y_field(v, key, physical, real);
        let mut spec = ChangeSetSpec {
            id: s(self, "id")?.unwrap_or_default(),
            author: s(self, "author")?.unwrap_or_default(),
            line,
            run_on_change: y_bool(v.get("runOnChange"), false),
            run_always: y_bool(v.get("runAlways"), false),
            fail_on_error: y_bool(v.get("failOnError"), true),
            run_in_transaction: y_bool(v.get("runInTransaction"), true),
            ignore: y_bool(v.get("ignore"), false),
            context: self.y_context(v, physical, real)?,
            labels: s(self, "labels")?,
            dbms: s(self, "dbms")?,
            created: s(self, "created")?,
            logical_file_path: s(self, "logicalFilePath")?.or(changelog_lfp.map(str::to_string)),
            run_with: s(self, "runWith")?,
            comment: s(self, "comment")?,
            ..ChangeSetSpec::default()
        };
        match v.get("validCheckSum") {
            Some(Value::Sequence(items)) => {
                for i in items {
                    if let Some(c) = scalar(i) {
                        spec.valid_checksums.push(c);
                    }
                }
            }
            Some(other) => {
                if let Some(c) = scalar(other) {
                    spec.valid_checksums.push(c);
                }
            }
            None => {}
        }
        if let Some(pc) = v.get("preConditions") {
            spec.preconditions = Some(self.yaml_preconditions(pc, physical, real, line)?);
        }
        if let Some(Value::Sequence(changes)) = v.get("changes") {
            for change in changes {
                spec.changes
                    .extend(self.yaml_change(change, physical, real, line)?);
            }
        }
        if let Some(rb) = v.get("rollback") {
            spec.rollback = Some(self.yaml_rollback(rb, physical, real, line)?);
        }
        Ok(self.build(spec, physical, real, Format::Yaml, inherit))
    }

    fn yaml_change(
        &self,
        change: &Value,
        physical: &str,
        real: &Path,
        line: usize,
    ) -> Result<Vec<Change>, ChangelogError> {
        let Some(map) = change.as_mapping() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (k, body) in map {
            let kind = scalar(k).unwrap_or_default();
            match kind.as_str() {
                "sql" => {
                    let text = if body.is_mapping() {
                        self.y_field(body, "sql", physical, real)?
                    } else {
                        self.y_str(Some(body), physical, real)?
                    };
                    out.push(sql_change(
                        &text.unwrap_or_default(),
                        y_bool(body.get("splitStatements"), true),
                        y_bool(body.get("stripComments"), false),
                        self.y_field(body, "endDelimiter", physical, real)?,
                        self.y_field(body, "dbms", physical, real)?,
                    ));
                }
                "sqlFile" => {
                    let path = self
                        .y_field(body, "path", physical, real)?
                        .unwrap_or_default();
                    let encoding = self.y_field(body, "encoding", physical, real)?;
                    let end = self.y_field(body, "endDelimiter", physical, real)?;
                    let dbms = self.y_field(body, "dbms", physical, real)?;
                    out.push(self.sql_file(
                        physical,
                        SqlFileSpec {
                            path: &path,
                            relative: y_bool(body.get("relativeToChangelogFile"), false),
                            encoding: encoding.as_deref(),
                            split: y_bool(body.get("splitStatements"), true),
                            strip: y_bool(body.get("stripComments"), false),
                            end_delimiter: end.as_deref(),
                            dbms: dbms.as_deref(),
                        },
                        (real, line),
                    )?);
                }
                "tagDatabase" => {
                    let tag = self
                        .y_field(body, "tag", physical, real)?
                        .unwrap_or_default();
                    out.push(tag_change(&tag));
                }
                "empty" => {}
                other => {
                    return Err(ChangelogError::parse(
                        real,
                        line,
                        format!(
                            "tidemark does not support the '{other}' change yet (only sql, sqlFile and tagDatabase) in {physical}"
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn yaml_rollback(
        &self,
        rb: &Value,
        physical: &str,
        real: &Path,
        line: usize,
    ) -> Result<Rollback, ChangelogError> {
        if let Some(text) = scalar(rb) {
            let text = self
                .params
                .expand(&text, physical)
                .map_err(|e| ChangelogError::expand(real, line, physical, e))?;
            let text = java::trim(&text);
            return Ok(if text.is_empty() {
                Rollback::Empty
            } else {
                Rollback::Sql(sql_change(text, true, false, None, None))
            });
        }
        if let Some(id) = self.y_field(rb, "changeSetId", physical, real)? {
            let author = self
                .y_field(rb, "changeSetAuthor", physical, real)?
                .unwrap_or_default();
            let path = self
                .y_field(rb, "changeSetPath", physical, real)?
                .unwrap_or_else(|| physical.to_string());
            return self.rollback_ref(&id, &author, &path, real, line);
        }
        let items: Vec<Value> = match rb {
            Value::Sequence(items) => items.clone(),
            Value::Mapping(_) => vec![rb.clone()],
            _ => Vec::new(),
        };
        let mut changes = Vec::new();
        for item in &items {
            changes.extend(self.yaml_change(item, physical, real, line)?);
        }
        Ok(match changes.len() {
            0 => Rollback::Empty,
            1 => match changes.pop() {
                Some(c) => Rollback::Sql(c),
                None => Rollback::Empty,
            },
            _ => Rollback::Changes(changes),
        })
    }

    fn yaml_preconditions(
        &self,
        pc: &Value,
        physical: &str,
        real: &Path,
        line: usize,
    ) -> Result<Preconditions, ChangelogError> {
        let mut out = Preconditions::default();
        let items: Vec<Value> = match pc {
            Value::Sequence(items) => items.clone(),
            other => vec![other.clone()],
        };
        for item in &items {
            let Some(map) = item.as_mapping() else {
                continue;
            };
            for (k, body) in map {
                let key = scalar(k).unwrap_or_default();
                match key.as_str() {
                    "onFail" | "onError" => {
                        let v = scalar(body).unwrap_or_default();
                        let action = PreconditionAction::parse(&v).ok_or_else(|| {
                            ChangelogError::parse(real, line, format!("Unknown {key} attribute value '{v}'.  Possible values: 'HALT', 'CONTINUE', 'MARK_RAN', 'WARN'"))
                        })?;
                        if key == "onFail" {
                            out.on_fail = action;
                        } else {
                            out.on_error = action;
                        }
                    }
                    "onSqlOutput" | "onUpdateSQL" => out.on_sql_output = scalar(body),
                    "onFailMessage" | "onErrorMessage" => {}
                    "sqlCheck" => out.checks.push(Precondition::SqlCheck {
                        expected_result: self
                            .y_field(body, "expectedResult", physical, real)?
                            .unwrap_or_default(),
                        sql: self
                            .y_field(body, "sql", physical, real)?
                            .unwrap_or_default(),
                    }),
                    "tableExists" => out.checks.push(Precondition::TableExists {
                        table: self
                            .y_field(body, "tableName", physical, real)?
                            .unwrap_or_default(),
                        schema: self.y_field(body, "schemaName", physical, real)?,
                    }),
                    "viewExists" => out.checks.push(Precondition::ViewExists {
                        view: self
                            .y_field(body, "viewName", physical, real)?
                            .unwrap_or_default(),
                        schema: self.y_field(body, "schemaName", physical, real)?,
                    }),
                    other => {
                        return Err(ChangelogError::parse(
                            real,
                            line,
                            format!(
                                "tidemark does not support the '{other}' precondition yet (only sqlCheck, tableExists and viewExists)"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(out)
    }
}

struct SqlFileSpec<'s> {
    path: &'s str,
    relative: bool,
    encoding: Option<&'s str>,
    split: bool,
    strip: bool,
    end_delimiter: Option<&'s str>,
    dbms: Option<&'s str>,
}

/// The fields of an XML/YAML changeset before it becomes a [`ChangeSet`].
#[derive(Default)]
struct ChangeSetSpec {
    id: String,
    author: String,
    line: usize,
    run_on_change: bool,
    run_always: bool,
    fail_on_error: bool,
    run_in_transaction: bool,
    ignore: bool,
    context: Option<String>,
    labels: Option<String>,
    dbms: Option<String>,
    created: Option<String>,
    logical_file_path: Option<String>,
    run_with: Option<String>,
    comment: Option<String>,
    valid_checksums: Vec<String>,
    preconditions: Option<Preconditions>,
    rollback: Option<Rollback>,
    changes: Vec<Change>,
}

/// An XML/YAML `sql` change: the text trimmed.
fn sql_change(
    text: &str,
    split: bool,
    strip: bool,
    end_delimiter: Option<String>,
    dbms: Option<String>,
) -> Change {
    let mut c = Change::sql(java::trim(text).to_string(), split, strip, end_delimiter);
    c.dbms = dbms;
    c
}

fn tag_change(tag: &str) -> Change {
    Change {
        kind: ChangeKind::TagDatabase {
            tag: tag.to_string(),
        },
        sql: String::new(),
        checksum_bytes: Vec::new(),
        split_statements: true,
        strip_comments: false,
        end_delimiter: None,
        dbms: None,
        split: super::Split::known(Vec::new()),
    }
}

fn xml_preconditions(el: &Elem, real: &Path) -> Result<Preconditions, ChangelogError> {
    let action = |name: &str| -> Result<PreconditionAction, ChangelogError> {
        match el.attr(name) {
            None => Ok(PreconditionAction::Halt),
            Some(v) => PreconditionAction::parse(v).ok_or_else(|| {
                ChangelogError::parse(real, el.line, format!("Unknown {name} attribute value '{v}'.  Possible values: 'HALT', 'CONTINUE', 'MARK_RAN', 'WARN'"))
            }),
        }
    };
    let mut out = Preconditions {
        on_fail: action("onFail")?,
        on_error: action("onError")?,
        on_sql_output: el
            .attr("onSqlOutput")
            .or(el.attr("onUpdateSQL"))
            .map(str::to_string),
        checks: Vec::new(),
    };
    collect_checks(el, real, &mut out.checks)?;
    Ok(out)
}

fn collect_checks(
    el: &Elem,
    real: &Path,
    out: &mut Vec<Precondition>,
) -> Result<(), ChangelogError> {
    for c in &el.children {
        match c.name.as_str() {
            "sqlCheck" => out.push(Precondition::SqlCheck {
                expected_result: c.attr("expectedResult").unwrap_or("").to_string(),
                sql: java::trim(&c.text).to_string(),
            }),
            "tableExists" => out.push(Precondition::TableExists {
                table: c.attr("tableName").unwrap_or("").to_string(),
                schema: c.attr("schemaName").map(str::to_string),
            }),
            "viewExists" => out.push(Precondition::ViewExists {
                view: c.attr("viewName").unwrap_or("").to_string(),
                schema: c.attr("schemaName").map(str::to_string),
            }),
            // `and` is what a precondition list means anyway.
            "and" => collect_checks(c, real, out)?,
            other => {
                return Err(ChangelogError::parse(
                    real,
                    c.line,
                    format!(
                        "tidemark does not support the <{other}> precondition yet (only sqlCheck, tableExists, viewExists and and)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A YAML scalar as text (numbers and booleans as YAML wrote them).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn y_bool(v: Option<&Value>, default: bool) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(other) => scalar(other).map_or(default, |s| java::parse_boolean(&s)),
        None => default,
    }
}

/// Line numbers of YAML keys, found textually (the YAML parser keeps no positions): the n-th
/// `changeSet:` key, or the first occurrence of another key.
struct YamlLines {
    keys: Vec<(String, usize)>,
}

impl YamlLines {
    fn new(text: &str) -> Self {
        let mut keys = Vec::new();
        for (i, line) in text::lines(text).enumerate() {
            let t = line.trim_start().trim_start_matches('-').trim_start();
            if let Some((k, _)) = t.split_once(':') {
                if !k.is_empty() && !k.contains(' ') {
                    keys.push((k.to_string(), i + 1));
                }
            }
        }
        YamlLines { keys }
    }

    fn nth(&self, key: &str, n: usize) -> usize {
        let mut hits = self.keys.iter().filter(|(k, _)| k == key).map(|(_, l)| *l);
        if n == usize::MAX {
            hits.next().unwrap_or(1)
        } else {
            hits.nth(n).unwrap_or(1)
        }
    }
}

// ------------------------------------------------------------------------------------ XML DOM

/// An XML element with its attributes and text already `${}`-expanded.
#[derive(Debug, Clone)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Elem>,
    line: usize,
}

impl Elem {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn bool_attr(&self, name: &str, default: bool) -> bool {
        self.attr(name).map_or(default, java::parse_boolean)
    }

    /// `contextFilter` (when not empty), else `context`.
    fn context(&self) -> Option<String> {
        self.attr("contextFilter")
            .filter(|c| !c.is_empty())
            .or(self.attr("context"))
            .map(str::to_string)
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// Parses XML into [`Elem`]s, expanding `${}` and defining `<property>` values in document
/// order, as Liquibase's SAX handler does.
fn parse_xml(
    text: &str,
    physical: &str,
    real: &Path,
    params: &mut Parameters<'_>,
) -> Result<Elem, ChangelogError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Elem> = Vec::new();
    let mut root: Option<Elem> = None;
    let xml_err = |pos: u64, msg: String| {
        let offset = usize::try_from(pos).unwrap_or(usize::MAX);
        let line = text::line_at(text, offset);
        ChangelogError::parse(
            real,
            line,
            format!("Error parsing line {line} of {physical}: {msg}"),
        )
    };
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_err(reader.error_position(), e.to_string()))?;
        let line = text::line_at(text, usize::try_from(before).unwrap_or(usize::MAX));
        let line = line + leading_newlines(text, before);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = local(e.local_name().as_ref());
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|err| xml_err(before, err.to_string()))?;
                    let key = local(a.key.local_name().as_ref());
                    let raw = a
                        .unescape_value()
                        .map_err(|err| xml_err(before, err.to_string()))?;
                    let value = params
                        .expand(&raw, physical)
                        .map_err(|err| ChangelogError::expand(real, line, physical, err))?;
                    attrs.push((key, value));
                }
                let el = Elem {
                    name,
                    attrs,
                    text: String::new(),
                    children: Vec::new(),
                    line,
                };
                if el.name == "property" && stack.len() == 1 {
                    define_xml_property(&el, params, physical, real)?;
                }
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, el);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(xml_err(before, "unexpected end tag".into()));
                };
                let expanded = params
                    .expand(&el.text, physical)
                    .map_err(|err| ChangelogError::expand(real, el.line, physical, err))?;
                el.text = expanded;
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .xml_content()
                        .map_err(|err| xml_err(before, err.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .xml_content()
                        .map_err(|err| xml_err(before, err.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let resolved = match r
                        .resolve_char_ref()
                        .map_err(|err| xml_err(before, err.to_string()))?
                    {
                        Some(c) => c.to_string(),
                        None => {
                            let name =
                                r.decode().map_err(|err| xml_err(before, err.to_string()))?;
                            match name.as_ref() {
                                "amp" => "&".into(),
                                "lt" => "<".into(),
                                "gt" => ">".into(),
                                "quot" => "\"".into(),
                                "apos" => "'".into(),
                                other => {
                                    return Err(xml_err(
                                        before,
                                        format!("unknown entity &{other};"),
                                    ));
                                }
                            }
                        }
                    };
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(xml_err(text.len() as u64, "unexpected end of file".into()));
    }
    root.ok_or_else(|| ChangelogError::parse(real, 1, format!("No XML root element in {physical}")))
}

/// Whitespace before a tag belongs to the previous text event; count the newlines between
/// `pos` and the next `<` so a tag's line is its own.
fn leading_newlines(text: &str, pos: u64) -> usize {
    let start = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    let rest = text.get(start..).unwrap_or("");
    let upto = rest.find('<').unwrap_or(0);
    let gap = &rest[..upto];
    if gap.trim().is_empty() {
        text::line_at(gap, gap.len()) - 1
    } else {
        0
    }
}

fn close(stack: &mut [Elem], root: &mut Option<Elem>, el: Elem) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn define_xml_property(
    el: &Elem,
    params: &mut Parameters<'_>,
    physical: &str,
    real: &Path,
) -> Result<(), ChangelogError> {
    let def = PropertyDef {
        name: el.attr("name").unwrap_or("").to_string(),
        value: el.attr("value").map(str::to_string),
        contexts: el.context(),
        labels: el.attr("labels").map(str::to_string),
        dbms: el.attr("dbms").map(str::to_string),
        global: el.bool_attr("global", true),
    };
    if let Some(file) = el.attr("file") {
        let logical = if el.bool_attr("relativeToChangelogFile", false) {
            filename::relative_to(physical, file)
        } else {
            filename::normalize(file)
        };
        // The search path is not known here; property files are looked up next to the
        // changelog's real file as a fallback.
        let base = real.parent().map(Path::to_path_buf).unwrap_or_default();
        let candidates = [base.join(file), PathBuf::from(&logical)];
        let Some(found) = candidates.iter().find(|p| p.exists()) else {
            return Err(ChangelogError::at(
                real,
                Some(el.line),
                ErrorKind::NotFound,
                format!("Unable to find properties file {file}"),
            ));
        };
        let bytes = std::fs::read(found).map_err(|e| {
            ChangelogError::at(
                found,
                None,
                ErrorKind::Io,
                format!("Cannot read {}: {e}", found.display()),
            )
        })?;
        for entry in defaults_file::parse_bytes(&bytes) {
            params.define(
                PropertyDef {
                    name: entry.key,
                    value: Some(entry.value),
                    ..def.clone()
                },
                physical,
            );
        }
        return Ok(());
    }
    if !def.name.is_empty() {
        params.define(def, physical);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
