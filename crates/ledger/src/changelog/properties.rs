//! Changelog parameters and `${name}` substitution, with Liquibase's precedence.
//!
//! The checksum is computed on the *expanded* text, so which value a `${name}` gets is part of the
//! compatibility contract: a different source order would silently give different checksums.
//! Liquibase's `ChangeLogParameters` looks a name up (ignoring case) in this order and the first
//! entry that passes its filter wins:
//!
//! 1. the process environment, then Java system properties (never filtered);
//! 2. global parameters in the order they were set: built-in `database.*` values, `-Dname=value`
//!    from the command line, `parameter.*` entries of `liquibase.properties`, then changelog
//!    properties with `global:true` (the default) as the files are parsed — so the **first**
//!    definition wins;
//! 3. local parameters (`global:false`) of the file being parsed, the **last** definition
//!    winning.
//!
//! Changelog properties carrying `dbms:`, `context:` or `labels:` are skipped when they do not
//! match the run's database, `--contexts` and `--labels`.
//!
//! Expansion copies `ExpressionExpander`: values are expanded recursively, `${a${b}}` nests, an
//! unknown name is kept as written (`missingPropertyMode=preserve`), an unclosed `${` is kept
//! literally and `${:x}` means a literal `${x}` only with `supportPropertyEscaping`.

use std::collections::HashMap;

use super::expression::{self, ExpressionError, Filter};
use super::java;
use crate::text::Encoding;

/// What happens to `${name}` when no parameter has that name (`missingPropertyMode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissingPropertyMode {
    /// Keep `${name}` as written (Liquibase's default).
    #[default]
    Preserve,
    /// Replace it with nothing.
    Empty,
    /// Fail: "Could not resolve expression `${name}` in file ...".
    Error,
}

/// Everything outside the changelog files that decides what they mean: parameter sources, the
/// run's filter and parser settings. Build one per command run.
#[derive(Debug, Clone)]
pub struct Properties {
    /// Process environment variables (highest priority; Liquibase really does let `${PATH}`
    /// expand). Empty by default so that tests are deterministic; see
    /// [`Properties::with_process_env`].
    pub env: Vec<(String, String)>,
    /// Java system properties (`user.name`, ...), second priority. Empty by default; see
    /// [`Properties::java_system_defaults`].
    pub system: Vec<(String, String)>,
    /// Built-in `database.*` parameters (`database.typeName`, `database.defaultSchemaName`, ...),
    /// which Liquibase sets when a database is connected.
    pub database: Vec<(String, String)>,
    /// `-Dname=value` command-line parameters, in the order given.
    pub cli: Vec<(String, String)>,
    /// `parameter.name=value` entries of `liquibase.properties`, with the prefix removed.
    pub defaults_file: Vec<(String, String)>,
    /// The run's database, `--contexts` and `--labels`: they filter `--property` definitions and
    /// decide which `dbms`-specific changes enter the `9:` checksum.
    pub filter: Filter,
    /// `missingPropertyMode`.
    pub missing: MissingPropertyMode,
    /// `supportPropertyEscaping` (`${:x}` → literal `${x}`).
    pub escaping: bool,
    /// `fileEncoding` for changelog files. UTF-8 (the default) decodes leniently: a malformed
    /// byte becomes U+FFFD, as Liquibase's reader does; other encodings are strict.
    pub encoding: Encoding,
}

impl Default for Properties {
    fn default() -> Self {
        Properties {
            env: Vec::new(),
            system: Vec::new(),
            database: Vec::new(),
            cli: Vec::new(),
            defaults_file: Vec::new(),
            filter: Filter::default(),
            missing: MissingPropertyMode::Preserve,
            escaping: false,
            encoding: Encoding::Utf8,
        }
    }
}

impl Properties {
    /// Adds the current process environment as the highest-priority source.
    pub fn with_process_env(mut self) -> Self {
        self.env = std::env::vars().collect();
        self
    }

    /// The Java system properties a stock `java` process always has and tidemark can know
    /// (`user.name`, `user.home`, `user.dir`, `file.separator`, `path.separator`,
    /// `line.separator`, `os.name`), for [`Properties::system`]. JVM-specific ones
    /// (`java.version`, ...) cannot be reproduced and are left out.
    pub fn java_system_defaults() -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(user) = std::env::var("USER") {
            out.push(("user.name".to_string(), user));
        }
        if let Ok(home) = std::env::var("HOME") {
            out.push(("user.home".to_string(), home));
        }
        if let Ok(dir) = std::env::current_dir() {
            out.push(("user.dir".to_string(), dir.display().to_string()));
        }
        out.push((
            "file.separator".to_string(),
            std::path::MAIN_SEPARATOR.to_string(),
        ));
        out.push((
            "path.separator".to_string(),
            if cfg!(windows) { ";" } else { ":" }.to_string(),
        ));
        out.push(("line.separator".to_string(), "\n".to_string()));
        let os = match std::env::consts::OS {
            "linux" => "Linux",
            "macos" => "Mac OS X",
            "windows" => "Windows",
            other => other,
        };
        out.push(("os.name".to_string(), os.to_string()));
        out
    }
}

/// Why `${...}` could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExpandError {
    /// `missingPropertyMode=error` and the name is unknown.
    #[error("Could not resolve expression `${{{expression}}}`")]
    Missing {
        /// The text between `${` and `}`.
        expression: String,
    },
    /// A value refers to itself (Liquibase dies with a StackOverflowError), or `${` nests
    /// absurdly deep.
    #[error("Property expansion of `{expression}` does not terminate (recursive property?)")]
    TooDeep {
        /// The name being expanded when the limit was hit.
        expression: String,
    },
    /// A `context:`/`labels:` on a property could not be evaluated.
    #[error(transparent)]
    Expression(#[from] ExpressionError),
}

/// Deepest nesting of `${` and of values referring to values before giving up.
const MAX_DEPTH: usize = 200;

#[derive(Debug, Clone)]
struct Param {
    key: String,
    value: Option<String>,
    contexts: Option<String>,
    labels: Option<String>,
    dbms: Option<String>,
    /// Environment and system properties are not filtered (unless they had attributes, which
    /// they cannot).
    filterable: bool,
}

/// A `--property` / `<property>` definition from a changelog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyDef {
    /// `name:` (expanded).
    pub name: String,
    /// `value:` (expanded); `None` when absent, which makes the name resolve to nothing.
    pub value: Option<String>,
    /// `context:` / `contextFilter:` expression.
    pub contexts: Option<String>,
    /// `labels:`.
    pub labels: Option<String>,
    /// `dbms:` list.
    pub dbms: Option<String>,
    /// `global:` (default true).
    pub global: bool,
}

/// The parameter store of one `load`: the fixed sources from [`Properties`] plus the changelog
/// properties met so far.
#[derive(Debug, Clone)]
pub(crate) struct Parameters<'a> {
    props: &'a Properties,
    system: Vec<Param>,
    global: Vec<Param>,
    local: HashMap<String, Vec<Param>>,
}

impl<'a> Parameters<'a> {
    pub(crate) fn new(props: &'a Properties) -> Self {
        let plain = |(k, v): &(String, String), filterable| Param {
            key: k.clone(),
            value: Some(v.clone()),
            contexts: None,
            labels: None,
            dbms: None,
            filterable,
        };
        let system = props
            .env
            .iter()
            .chain(props.system.iter())
            .map(|kv| plain(kv, false))
            .collect();
        let global = props
            .database
            .iter()
            .chain(props.cli.iter())
            .chain(props.defaults_file.iter())
            .map(|kv| plain(kv, true))
            .collect();
        Parameters {
            props,
            system,
            global,
            local: HashMap::new(),
        }
    }

    pub(crate) fn properties(&self) -> &'a Properties {
        self.props
    }

    /// Records a changelog property; `file` keys local ones.
    pub(crate) fn define(&mut self, def: PropertyDef, file: &str) {
        let param = Param {
            key: def.name,
            value: def.value,
            contexts: def.contexts,
            labels: def.labels,
            dbms: def.dbms,
            filterable: true,
        };
        if def.global {
            self.global.push(param);
        } else {
            self.local.entry(file.to_string()).or_default().push(param);
        }
    }

    fn passes(&self, p: &Param) -> Result<bool, ExpressionError> {
        let has_attrs = p
            .contexts
            .as_deref()
            .is_some_and(|c| !expression::split_list(Some(c)).is_empty())
            || p.labels
                .as_deref()
                .is_some_and(|l| !expression::split_list(Some(l)).is_empty())
            || p.dbms
                .as_deref()
                .is_some_and(|d| java::trim_to_none(d).is_some());
        if !p.filterable && !has_attrs {
            return Ok(true);
        }
        let f = &self.props.filter;
        if !expression::labels_match(p.labels.as_deref(), &[], f.labels.as_deref())? {
            return Ok(false);
        }
        if p.contexts.is_some()
            && !expression::contexts_match(p.contexts.as_deref(), &[], f.contexts.as_deref())?
        {
            return Ok(false);
        }
        if let Some(db) = &f.dbms {
            let items: Vec<String> = match p.dbms.as_deref().and_then(java::trim_to_none) {
                None => Vec::new(),
                Some(d) => d.split(',').map(|i| java::trim(i).to_string()).collect(),
            };
            if !expression::dbms_list_matches(&items, db, true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The value of a parameter for a file, `Ok(None)` when undefined (or defined without a
    /// value).
    pub(crate) fn get(&self, key: &str, file: &str) -> Result<Option<&str>, ExpressionError> {
        for p in self.system.iter().chain(self.global.iter()) {
            if java::equals_ignore_case(&p.key, key) && self.passes(p)? {
                return Ok(p.value.as_deref());
            }
        }
        if let Some(locals) = self.local.get(file) {
            for p in locals.iter().rev() {
                if java::equals_ignore_case(&p.key, key) && self.passes(p)? {
                    return Ok(p.value.as_deref());
                }
            }
        }
        Ok(None)
    }

    /// Expands `${...}` in `text` as Liquibase's `ExpressionExpander` does.
    pub(crate) fn expand(&self, text: &str, file: &str) -> Result<String, ExpandError> {
        self.expand_at(text, file, 0)
    }

    fn expand_at(&self, text: &str, file: &str, depth: usize) -> Result<String, ExpandError> {
        if !text.contains("${") {
            return Ok(text.to_string());
        }
        let chars: Vec<char> = text.chars().collect();
        let mut pos = 0;
        self.expand_chars(&chars, &mut pos, file, false, depth)
    }

    fn expand_chars(
        &self,
        chars: &[char],
        pos: &mut usize,
        file: &str,
        in_expression: bool,
        depth: usize,
    ) -> Result<String, ExpandError> {
        if depth > MAX_DEPTH {
            let rest: String = chars
                .get(*pos..)
                .unwrap_or_default()
                .iter()
                .take(40)
                .collect();
            return Err(ExpandError::TooDeep { expression: rest });
        }
        let mut out = String::new();
        while let Some(&c) = chars.get(*pos) {
            *pos += 1;
            if c == '$' && chars.get(*pos) == Some(&'{') {
                *pos += 1;
                let expr = self.expand_chars(chars, pos, file, true, depth + 1)?;
                if expr.starts_with("${") {
                    // Not a real expression (unclosed, or an inner one that stayed literal).
                    out.push_str(&expr);
                } else if let (Some(name), true) = (expr.strip_prefix(':'), self.props.escaping) {
                    out.push_str("${");
                    out.push_str(java::trim(name));
                    out.push('}');
                } else {
                    match self.get(java::trim(&expr), file)? {
                        Some(value) => {
                            let value = value.to_string();
                            out.push_str(&self.expand_at(&value, file, depth + 1).map_err(
                                |e| match e {
                                    ExpandError::TooDeep { .. } => ExpandError::TooDeep {
                                        expression: expr.clone(),
                                    },
                                    other => other,
                                },
                            )?);
                        }
                        None => match self.props.missing {
                            MissingPropertyMode::Preserve => {
                                out.push_str("${");
                                out.push_str(&expr);
                                out.push('}');
                            }
                            MissingPropertyMode::Empty => {}
                            MissingPropertyMode::Error => {
                                return Err(ExpandError::Missing { expression: expr });
                            }
                        },
                    }
                }
            } else if c == '}' && in_expression {
                return Ok(out);
            } else {
                out.push(c);
            }
        }
        if in_expression {
            Ok(format!("${{{out}"))
        } else {
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props() -> Properties {
        Properties::default()
    }

    fn def(name: &str, value: &str, global: bool) -> PropertyDef {
        PropertyDef {
            name: name.into(),
            value: Some(value.into()),
            global,
            ..PropertyDef::default()
        }
    }

    #[test]
    fn expands_and_preserves_unknown_names() {
        let p = props();
        let mut params = Parameters::new(&p);
        params.define(def("tbl", "prop_t", true), "f");
        assert_eq!(
            params.expand("CREATE ${tbl} ${nope}", "f").unwrap(),
            "CREATE prop_t ${nope}"
        );
        assert_eq!(params.expand("${TBL}", "f").unwrap(), "prop_t");
        assert_eq!(params.expand("${ tbl }", "f").unwrap(), "prop_t");
        assert_eq!(
            params.expand("$tbl $ {tbl} $$ $", "f").unwrap(),
            "$tbl $ {tbl} $$ $"
        );
        assert_eq!(params.expand("${tbl", "f").unwrap(), "${tbl");
        assert_eq!(
            params.expand("a ${b ${tbl} c", "f").unwrap(),
            "a ${b prop_t c"
        );
        assert_eq!(params.expand("${}", "f").unwrap(), "${}");
        assert_eq!(params.expand("}", "f").unwrap(), "}");
    }

    #[test]
    fn nested_and_recursive_values() {
        let p = props();
        let mut params = Parameters::new(&p);
        params.define(def("b", "x", true), "f");
        params.define(def("ax", "nested", true), "f");
        params.define(def("ref", "[${b}]", true), "f");
        params.define(def("self", "${self}", true), "f");
        assert_eq!(params.expand("${a${b}}", "f").unwrap(), "nested");
        assert_eq!(params.expand("${ref}", "f").unwrap(), "[x]");
        // An inner unknown stays literal and the outer is then not an expression.
        assert_eq!(params.expand("${${zz}}", "f").unwrap(), "${zz}");
        assert!(matches!(
            params.expand("${self}", "f"),
            Err(ExpandError::TooDeep { .. })
        ));
        let deep = "${".repeat(10_000);
        assert!(params.expand(&deep, "f").is_err());
    }

    #[test]
    fn precedence_env_system_cli_global_local() {
        let mut p = props();
        p.env = vec![("NAME".into(), "env".into())];
        p.system = vec![
            ("name".into(), "sys".into()),
            ("other".into(), "sys".into()),
        ];
        p.cli = vec![
            ("other".into(), "cli".into()),
            ("third".into(), "cli".into()),
        ];
        let mut params = Parameters::new(&p);
        params.define(def("third", "global", true), "f");
        params.define(def("fourth", "first", true), "f");
        params.define(def("fourth", "second", true), "f");
        params.define(def("loc", "one", false), "f");
        params.define(def("loc", "two", false), "f");
        params.define(def("fifth", "local", false), "f");
        params.define(def("fifth", "global", true), "g");
        assert_eq!(params.expand("${name}", "f").unwrap(), "env");
        assert_eq!(params.expand("${other}", "f").unwrap(), "sys");
        assert_eq!(params.expand("${third}", "f").unwrap(), "cli");
        // First global wins, last local wins, globals before locals.
        assert_eq!(params.expand("${fourth}", "f").unwrap(), "first");
        assert_eq!(params.expand("${loc}", "f").unwrap(), "two");
        assert_eq!(params.expand("${loc}", "other").unwrap(), "${loc}");
        assert_eq!(params.expand("${fifth}", "f").unwrap(), "global");
    }

    #[test]
    fn dbms_and_context_filtered_properties() {
        let mut p = props();
        p.filter.dbms = Some("sqlite".into());
        p.filter.contexts = Some("dev".into());
        let mut params = Parameters::new(&p);
        params.define(
            PropertyDef {
                dbms: Some("postgresql".into()),
                ..def("t", "pg", true)
            },
            "f",
        );
        params.define(
            PropertyDef {
                dbms: Some("sqlite".into()),
                ..def("t", "lite", true)
            },
            "f",
        );
        params.define(
            PropertyDef {
                contexts: Some("prod".into()),
                ..def("c", "prod", true)
            },
            "f",
        );
        params.define(
            PropertyDef {
                contexts: Some("dev".into()),
                ..def("c", "dev", true)
            },
            "f",
        );
        assert_eq!(params.expand("${t} ${c}", "f").unwrap(), "lite dev");
    }

    #[test]
    fn missing_modes_and_escaping() {
        let mut p = props();
        p.missing = MissingPropertyMode::Empty;
        assert_eq!(Parameters::new(&p).expand("a${x}b", "f").unwrap(), "ab");
        p.missing = MissingPropertyMode::Error;
        assert_eq!(
            Parameters::new(&p).expand("a${x}b", "f"),
            Err(ExpandError::Missing {
                expression: "x".into()
            })
        );
        let mut p = props();
        assert_eq!(Parameters::new(&p).expand("${:x}", "f").unwrap(), "${:x}");
        p.escaping = true;
        assert_eq!(Parameters::new(&p).expand("${: x}", "f").unwrap(), "${x}");
    }

    #[test]
    fn a_property_without_value_resolves_to_nothing() {
        let p = props();
        let mut params = Parameters::new(&p);
        params.define(
            PropertyDef {
                name: "v".into(),
                value: None,
                global: true,
                ..PropertyDef::default()
            },
            "f",
        );
        params.define(def("v", "later", true), "f");
        assert_eq!(params.expand("${v}", "f").unwrap(), "${v}");
    }
}
