//! Config files: which ones are read, and how `flyway.conf`, `flyway.toml` and `tidemark.toml`
//! become [`Layer`]s.
//!
//! Which files (reference §6.2-6.3, `ConfigurationManagerImpl`):
//! - Default files, looked for in the current directory and then in the working directory (when
//!   `-workingDirectory` / `TIDEMARK_WORKING_DIRECTORY` names another one): `flyway.toml`,
//!   `flyway.user.toml`, `tidemark.toml` (TOML) and `flyway.conf` (CONF). Later files win, so
//!   `tidemark.toml` beats `flyway.toml` when both exist.
//! - Then the files named by `TIDEMARK_CONFIG_FILES` (else `FLYWAY_CONFIG_FILES`), then by
//!   `-configFiles` / `--config-files`, relative to the current directory; a named file that
//!   does not exist is an error. As in Flyway, named files are read *in addition to* the
//!   default ones.
//! - Mode, as Flyway: a named `.toml` and a named non-TOML file together, or a named CONF file
//!   while a default TOML file exists, is the error `Using both TOML configuration and CONF
//!   configuration is not supported`. Among default files TOML wins and `flyway.conf` is
//!   skipped (Flyway does the same, silently; tidemark leaves a debug note) - except that
//!   `tidemark.toml` next to `flyway.conf` is the same error, since no Flyway user can rely on
//!   that pair.
//! - Not read: Flyway's `<install>/conf/` files (tidemark has no install directory) and
//!   `~/flyway.conf` / `~/flyway.toml` (a run's result should not depend on the home directory
//!   of whoever runs it; name the file with `--config-files` instead).
//!
//! `flyway.conf` is read as Flyway 13 reads it (`ConfigUtils.loadConfigurationFromString`):
//! lines are trimmed; `key=value`, `key: value` or `key value`; `#` and `!` comment lines; a
//! trailing `\` continues the value on the next line unless that line is empty or is itself a
//! `flyway.x=...` property; all other backslashes are kept as written, so Windows paths work
//! (Flyway does not apply Java's `\t`, `\uXXXX` escapes to config files). `${NAME}` in a value
//! is replaced by environment variable `NAME` (empty when unset). Keys must start with
//! `flyway.`; other keys are ignored as in Flyway; an unknown `flyway.` key is an error.
//!
//! TOML files follow Flyway's shape: `[flyway]` keys (arrays for lists),
//! `[flyway.placeholders]`, `[flyway.postgresql.transactional] lock = false`,
//! `[environments.<name>]` with the connection keys (`url`, `user`, `password`, `schemas`,
//! `connectRetries`, `connectRetriesInterval`, `initSql`, `jdbcProperties`, ...) and
//! `[environments.<name>.flyway]` overriding `[flyway]` keys. `tidemark.toml` uses a
//! `[tidemark]` table with the same keys as `[flyway]` plus the connection keys, and may also
//! have `[environments.*]`; any TOML file may have either table (`[tidemark]` wins within a
//! file). String values may use `${env.NAME}` (environment variable, empty when unset) and
//! `$${...}` (a literal `${...}`); other resolvers (`${vault.x}`, ...) are refused. Top-level
//! tables other than these (Flyway Desktop's `id`, `[flywayDesktop]`, ...) are ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::SettingsError;
use super::keys::{self, Classified, Kind, Scope};
use super::layer::{Applied, Layer, Origin, Raw, RawValue};

/// The config files read and what they set.
#[derive(Debug, Default)]
pub struct Loaded {
    /// All files merged (later files win), environments not yet resolved.
    pub layer: Layer,
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// Debug notes (skipped files, ignored keys).
    pub notes: Vec<String>,
}

/// A file named by `--config-files` or `*_CONFIG_FILES`.
#[derive(Debug, Clone)]
pub struct Named {
    /// The path as given, resolved against the current directory.
    pub path: PathBuf,
    /// The flag or variable that named it.
    pub origin: Origin,
}

fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"))
}

/// Finds, checks and reads the config files. `dirs` are the directories searched for default
/// files (the current directory, then the working directory if different).
pub fn load(
    dirs: &[PathBuf],
    named: &[Named],
    env: &BTreeMap<String, String>,
) -> Result<Loaded, SettingsError> {
    let mut default_toml = Vec::new();
    let mut default_conf = Vec::new();
    let mut tidemark_toml = false;
    for dir in dirs {
        for name in ["flyway.toml", "flyway.user.toml", "tidemark.toml"] {
            let path = dir.join(name);
            if path.is_file() {
                tidemark_toml |= name == "tidemark.toml";
                default_toml.push(path);
            }
        }
        let conf = dir.join("flyway.conf");
        if conf.is_file() {
            default_conf.push(conf);
        }
    }
    let (named_toml, named_conf): (Vec<&Named>, Vec<&Named>) =
        named.iter().partition(|n| is_toml(&n.path));
    let paths = |list: &[&Named]| list.iter().map(|n| n.path.clone()).collect::<Vec<_>>();
    if !named_toml.is_empty() && !named_conf.is_empty() {
        return Err(SettingsError::MixedFormats {
            toml: paths(&named_toml),
            conf: paths(&named_conf),
        });
    }
    if !named_conf.is_empty() && !default_toml.is_empty() {
        return Err(SettingsError::MixedFormats {
            toml: default_toml,
            conf: paths(&named_conf),
        });
    }
    if tidemark_toml && !default_conf.is_empty() {
        return Err(SettingsError::MixedFormats {
            toml: default_toml,
            conf: default_conf,
        });
    }

    let mut loaded = Loaded::default();
    let modern = !named_toml.is_empty() || !default_toml.is_empty();
    let mut files: Vec<(PathBuf, Option<Origin>)> = Vec::new();
    if modern {
        for conf in &default_conf {
            loaded.notes.push(format!(
                "{} skipped: TOML configuration is in use (as in Flyway)",
                conf.display()
            ));
        }
        files.extend(default_toml.into_iter().map(|p| (p, None)));
        files.extend(
            named_toml
                .iter()
                .map(|n| (n.path.clone(), Some(n.origin.clone()))),
        );
    } else {
        files.extend(default_conf.into_iter().map(|p| (p, None)));
        files.extend(
            named_conf
                .iter()
                .map(|n| (n.path.clone(), Some(n.origin.clone()))),
        );
    }

    for (path, named_by) in files {
        let text = read_text(&path, named_by.as_ref())?;
        let layer = if is_toml(&path) {
            parse_toml(&path, &text, env, &mut loaded.notes)?
        } else {
            parse_conf(&path, &text, env, &mut loaded.notes)?
        };
        loaded.layer.overlay(&layer);
        loaded.files.push(path);
    }
    Ok(loaded)
}

fn read_text(path: &Path, named_by: Option<&Origin>) -> Result<String, SettingsError> {
    let bytes = std::fs::read(path).map_err(|e| SettingsError::Io {
        path: path.to_path_buf(),
        reason: match named_by {
            Some(origin) => format!("{e} (named by {origin})"),
            None => e.to_string(),
        },
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| SettingsError::Io {
        path: path.to_path_buf(),
        reason: "not valid UTF-8 (tidemark reads config files as UTF-8)".to_string(),
    })
}

/// One `key=value` of a `.conf` file (the ledger's parser: `.sql.conf` files are read by the
/// same one).
pub use tidemark_ledger::properties::parse as parse_properties;

/// Replaces `${NAME}` (letters, digits, `_`) with the variable's value, empty when unset.
pub fn expand_env(value: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push_str(env.get(&after[..end]).map_or("", String::as_str));
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse_conf(
    path: &Path,
    text: &str,
    env: &BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<Layer, SettingsError> {
    let mut layer = Layer::default();
    for property in parse_properties(text) {
        let origin = Origin::File {
            path: path.to_path_buf(),
            line: Some(property.line),
        };
        let Some(name) = property.key.strip_prefix("flyway.") else {
            notes.push(format!(
                "{origin}: '{}' does not start with flyway.; ignored",
                property.key
            ));
            continue;
        };
        let value = RawValue::Text(expand_env(&property.value, env));
        match layer.set_dotted(name, value, origin.clone()) {
            Ok(Applied::Stored) => {}
            Ok(Applied::Ignored) => notes.push(format!("{origin}: {} ignored", property.key)),
            Err(()) => return Err(SettingsError::unknown_key(&property.key, name, origin)),
        }
    }
    Ok(layer)
}

/// Resolves `${env.NAME}` and `$${...}` in a TOML string.
fn resolve_toml_string(
    value: &str,
    env: &BTreeMap<String, String>,
    path: &Path,
    key: &str,
) -> Result<String, SettingsError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    loop {
        let escape = rest.find("$${");
        let reference = rest.find("${");
        match (escape, reference) {
            (Some(e), Some(r)) if e < r => {
                out.push_str(&rest[..e]);
                out.push_str("${");
                rest = &rest[e + 3..];
            }
            (_, Some(r)) => {
                out.push_str(&rest[..r]);
                let after = &rest[r + 2..];
                let Some(end) = after.find('}') else {
                    out.push_str(&rest[r..]);
                    return Ok(out);
                };
                let inner = &after[..end];
                match inner.split_once('.') {
                    Some(("env", name)) => {
                        out.push_str(env.get(name).map_or("", String::as_str));
                    }
                    Some((resolver, _))
                        if !resolver.is_empty()
                            && resolver.chars().all(|c| c.is_ascii_alphanumeric()) =>
                    {
                        return Err(SettingsError::Syntax {
                            path: path.to_path_buf(),
                            message: format!(
                                "{key}: the property resolver '${{{inner}}}' is not supported; tidemark resolves ${{env.NAME}} only"
                            ),
                        });
                    }
                    _ => {
                        out.push_str("${");
                        out.push_str(inner);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            (_, None) => {
                out.push_str(rest);
                return Ok(out);
            }
        }
    }
}

struct TomlReader<'a> {
    path: &'a Path,
    env: &'a BTreeMap<String, String>,
    notes: &'a mut Vec<String>,
}

impl TomlReader<'_> {
    fn origin(&self) -> Origin {
        Origin::File {
            path: self.path.to_path_buf(),
            line: None,
        }
    }

    fn syntax(&self, message: String) -> SettingsError {
        SettingsError::Syntax {
            path: self.path.to_path_buf(),
            message,
        }
    }

    fn scalar(&self, value: &toml::Value, key: &str) -> Result<String, SettingsError> {
        match value {
            toml::Value::String(s) => resolve_toml_string(s, self.env, self.path, key),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            toml::Value::Datetime(d) => Ok(d.to_string()),
            toml::Value::Array(_) | toml::Value::Table(_) => Err(self.syntax(format!(
                "{key} should be a single value, not an array or a table"
            ))),
        }
    }

    fn value(&self, value: &toml::Value, key: &str) -> Result<RawValue, SettingsError> {
        match value {
            toml::Value::Array(items) => Ok(RawValue::List(
                items
                    .iter()
                    .map(|item| self.scalar(item, key))
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(RawValue::Text(self.scalar(other, key)?)),
        }
    }

    /// A `name = value` table (`placeholders`, `jdbcProperties`).
    fn map(
        &self,
        table: &toml::Table,
        label: &str,
        mut store: impl FnMut(&str, Raw),
    ) -> Result<(), SettingsError> {
        for (name, value) in table {
            let text = self.scalar(value, &format!("{label}.{name}"))?;
            store(name, Raw::text(text, self.origin()));
        }
        Ok(())
    }

    /// Reads the keys of `[flyway]`, `[tidemark]` or `[environments.X.flyway]` (`label`) into
    /// `layer`; `prefix` is the dotted path inside the section for nested tables.
    fn section(
        &mut self,
        table: &toml::Table,
        label: &str,
        prefix: &str,
        layer: &mut Layer,
    ) -> Result<(), SettingsError> {
        for (name, value) in table {
            let full = format!("{prefix}{name}");
            let shown = format!("{label}.{full}");
            if let toml::Value::Table(inner) = value {
                match keys::classify(&full) {
                    Classified::Key(key) if key.name == "placeholders" => {
                        self.map(inner, &shown, |n, raw| layer.set_placeholder(n, raw))?;
                    }
                    Classified::Key(key) if key.name == "jdbcProperties" => {
                        self.map(inner, &shown, |n, raw| {
                            layer.jdbc_properties.insert(n.to_string(), raw);
                        })?;
                    }
                    Classified::Key(key) if !key.implemented() => {
                        self.notes
                            .push(format!("{}: {shown} ignored", self.path.display()));
                    }
                    Classified::Key(_) => {
                        return Err(self.syntax(format!("{shown} should be a value, not a table")));
                    }
                    _ => self.section(inner, label, &format!("{full}."), layer)?,
                }
                continue;
            }
            let raw = self.value(value, &shown)?;
            match layer.set_dotted(&full, raw, self.origin()) {
                Ok(Applied::Stored) => {}
                Ok(Applied::Ignored) => {
                    self.notes
                        .push(format!("{}: {shown} ignored", self.path.display()));
                }
                Err(()) => return Err(SettingsError::unknown_key(&shown, &full, self.origin())),
            }
        }
        Ok(())
    }

    /// Reads `[environments.<name>]`.
    fn environment(
        &mut self,
        name: &str,
        table: &toml::Table,
        layer: &mut Layer,
    ) -> Result<(), SettingsError> {
        let label = format!("environments.{name}");
        for (key_name, value) in table {
            let shown = format!("{label}.{key_name}");
            match (key_name.as_str(), value) {
                ("flyway" | "tidemark", toml::Value::Table(inner)) => {
                    self.section(inner, &shown, "", layer)?;
                    continue;
                }
                ("jdbcProperties", toml::Value::Table(inner)) => {
                    self.map(inner, &shown, |n, raw| {
                        layer.jdbc_properties.insert(n.to_string(), raw);
                    })?;
                    continue;
                }
                _ => {}
            }
            match keys::find(key_name) {
                Some(key) if !key.implemented() => {
                    self.notes
                        .push(format!("{}: {shown} ignored", self.path.display()));
                }
                Some(key) if key.scope == Scope::Connection && key.kind() != Kind::Map => {
                    let raw = self.value(value, &shown)?;
                    layer.set(
                        key,
                        Raw {
                            value: raw,
                            origin: self.origin(),
                        },
                    );
                }
                Some(_) => {
                    return Err(SettingsError::UnknownKey {
                        key: shown,
                        origin: self.origin(),
                        hint: format!(
                            "; only connection settings go directly in [{label}], put {key_name} in [{label}.flyway]"
                        ),
                    });
                }
                None => return Err(SettingsError::unknown_key(&shown, key_name, self.origin())),
            }
        }
        Ok(())
    }
}

fn parse_toml(
    path: &Path,
    text: &str,
    env: &BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<Layer, SettingsError> {
    let document: toml::Table =
        text.parse()
            .map_err(|e: toml::de::Error| SettingsError::Syntax {
                path: path.to_path_buf(),
                message: e.to_string().trim_end().to_string(),
            })?;
    let mut reader = TomlReader { path, env, notes };
    let mut layer = Layer::default();
    for section in ["flyway", "tidemark"] {
        match document.get(section) {
            Some(toml::Value::Table(table)) => reader.section(table, section, "", &mut layer)?,
            Some(_) => {
                return Err(reader.syntax(format!("{section} should be a table ([{section}])")));
            }
            None => {}
        }
    }
    match document.get("environments") {
        Some(toml::Value::Table(environments)) => {
            for (name, value) in environments {
                let toml::Value::Table(table) = value else {
                    return Err(reader.syntax(format!(
                        "environments.{name} should be a table ([environments.{name}])"
                    )));
                };
                let mut env_layer = Layer::default();
                reader.environment(name, table, &mut env_layer)?;
                layer
                    .environments
                    .entry(name.clone())
                    .or_default()
                    .overlay(&env_layer);
            }
        }
        Some(_) => return Err(reader.syntax("environments should be a table".to_string())),
        None => {}
    }
    for name in document.keys() {
        if !matches!(name.as_str(), "flyway" | "tidemark" | "environments") {
            reader
                .notes
                .push(format!("{}: top-level '{name}' ignored", path.display()));
        }
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn props(text: &str) -> Vec<(String, String)> {
        parse_properties(text)
            .into_iter()
            .map(|p| (p.key, p.value))
            .collect()
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn properties_basics() {
        let text = "# comment\n! also a comment\n\n  flyway.url = jdbc:sqlite:app.db  \nflyway.user: me\nflyway.table\tt\nflyway.empty=\nflyway.eq==x\nflyway.colon=a:b=c\n";
        assert_eq!(
            props(text),
            vec![
                pair("flyway.url", "jdbc:sqlite:app.db"),
                pair("flyway.user", "me"),
                pair("flyway.table", "t"),
                pair("flyway.empty", ""),
                pair("flyway.eq", "=x"),
                pair("flyway.colon", "a:b=c"),
            ]
        );
    }

    #[test]
    fn properties_line_endings_and_lines() {
        let parsed = parse_properties("a=1\r\nb=2\rc=3\n\n#x\nd=4");
        let lines: Vec<_> = parsed.iter().map(|p| (p.key.as_str(), p.line)).collect();
        assert_eq!(lines, vec![("a", 1), ("b", 2), ("c", 3), ("d", 6)]);
    }

    #[test]
    fn properties_continuation_follows_flyway() {
        // Continued: the next line is content.
        assert_eq!(
            props("flyway.locations=filesystem:a,\\\n    filesystem:b\nflyway.table=t"),
            vec![
                pair("flyway.locations", "filesystem:a,filesystem:b"),
                pair("flyway.table", "t")
            ]
        );
        // Several continuation lines; a continued line starting with # is content.
        assert_eq!(
            props("flyway.x=a\\\n b\\\n#c"),
            vec![pair("flyway.x", "ab#c")]
        );
        // Not continued: the next line is a property or empty; the backslash stays.
        assert_eq!(
            props("flyway.a=C:\\dir\\\nflyway.b=2"),
            vec![pair("flyway.a", "C:\\dir\\"), pair("flyway.b", "2")]
        );
        assert_eq!(
            props("flyway.a=x\\\n\nflyway.b=2"),
            vec![pair("flyway.a", "x\\"), pair("flyway.b", "2")]
        );
        // Last line.
        assert_eq!(props("flyway.a=x\\"), vec![pair("flyway.a", "x\\")]);
        // A comment line ending in a backslash does not swallow the next line.
        assert_eq!(props("# note \\\nflyway.a=1"), vec![pair("flyway.a", "1")]);
    }

    #[test]
    fn properties_keep_backslashes_as_flyway_does() {
        assert_eq!(
            props("flyway.locations=filesystem:C:\\tools\\new\\sql\nflyway.p=\\u0041\\t"),
            vec![
                pair("flyway.locations", "filesystem:C:\\tools\\new\\sql"),
                pair("flyway.p", "\\u0041\\t")
            ]
        );
    }

    #[test]
    fn env_expansion() {
        let env = env(&[("DB_PASS", "s3cret"), ("A_1", "x")]);
        assert_eq!(expand_env("${DB_PASS}", &env), "s3cret");
        assert_eq!(expand_env("pre-${A_1}-${UNSET}-post", &env), "pre-x--post");
        assert_eq!(expand_env("${not valid}", &env), "${not valid}");
        assert_eq!(expand_env("${", &env), "${");
        assert_eq!(expand_env("$${A_1}", &env), "$x");
        assert_eq!(expand_env("${}", &env), "${}");
    }

    #[test]
    fn toml_strings_resolve_env() {
        let env = env(&[("PW", "pw")]);
        let p = Path::new("f.toml");
        assert_eq!(
            resolve_toml_string("${env.PW}", &env, p, "k").unwrap(),
            "pw"
        );
        assert_eq!(
            resolve_toml_string("a${env.NOPE}b", &env, p, "k").unwrap(),
            "ab"
        );
        assert_eq!(
            resolve_toml_string("$${env.PW}", &env, p, "k").unwrap(),
            "${env.PW}"
        );
        assert_eq!(
            resolve_toml_string("${plain}", &env, p, "k").unwrap(),
            "${plain}"
        );
        assert_eq!(
            resolve_toml_string("${open", &env, p, "k").unwrap(),
            "${open"
        );
        let err = resolve_toml_string("${vault.secret}", &env, p, "password").unwrap_err();
        assert!(err.to_string().contains("vault.secret"), "{err}");
    }

    #[test]
    fn toml_shape() {
        let text = r#"
id = "desktop-project"
[environments.default]
url = "jdbc:sqlite:default.db"
[environments.dev]
url = "jdbc:postgresql://localhost/app"
user = "app"
password = "${env.APP_PW}"
schemas = ["public", "audit"]
[environments.dev.jdbcProperties]
sslmode = "disable"
[environments.dev.flyway]
locations = ["filesystem:dev-sql"]
[flyway]
environment = "dev"
locations = ["filesystem:sql"]
outOfOrder = true
lockRetryCount = 3
[flyway.placeholders]
owner = "app"
[flyway.postgresql.transactional]
lock = false
[flyway.oracle]
sqlplus = true
"#;
        let mut notes = Vec::new();
        let layer = parse_toml(
            Path::new("flyway.toml"),
            text,
            &env(&[("APP_PW", "pw")]),
            &mut notes,
        )
        .unwrap();
        let get = |l: &Layer, k: &str| l.get(k).map(|r| r.value.clone());
        assert_eq!(
            get(&layer, "outOfOrder"),
            Some(RawValue::Text("true".into()))
        );
        assert_eq!(
            get(&layer, "lockRetryCount"),
            Some(RawValue::Text("3".into()))
        );
        assert_eq!(
            get(&layer, "postgresql.transactional.lock"),
            Some(RawValue::Text("false".into()))
        );
        assert_eq!(
            layer.placeholders["owner"].value,
            RawValue::Text("app".into())
        );
        let dev = layer.resolve("dev");
        assert_eq!(get(&dev, "password"), Some(RawValue::Text("pw".into())));
        assert_eq!(
            get(&dev, "schemas"),
            Some(RawValue::List(vec!["public".into(), "audit".into()]))
        );
        assert_eq!(
            get(&dev, "locations"),
            Some(RawValue::List(vec!["filesystem:dev-sql".into()]))
        );
        assert!(dev.jdbc_properties.contains_key("sslmode"));
        let default = layer.resolve("default");
        assert_eq!(
            get(&default, "url"),
            Some(RawValue::Text("jdbc:sqlite:default.db".into()))
        );
        assert!(notes.iter().any(|n| n.contains("oracle")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("'id'")), "{notes:?}");
    }

    #[test]
    fn toml_errors_name_the_key_and_file() {
        let mut notes = Vec::new();
        let path = Path::new("/p/flyway.toml");
        let err =
            parse_toml(path, "[flyway]\nfooBar = 1\n", &BTreeMap::new(), &mut notes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unknown configuration property: flyway.fooBar (in config file /p/flyway.toml)"
        );
        let err = parse_toml(
            path,
            "[flyway]\noutoforder = true\n",
            &BTreeMap::new(),
            &mut notes,
        )
        .unwrap_err();
        assert!(err.to_string().contains("did you mean outOfOrder"), "{err}");
        let err = parse_toml(
            path,
            "[environments.dev]\nlocations = [\"x\"]\n",
            &BTreeMap::new(),
            &mut notes,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("[environments.dev.flyway]"),
            "{err}"
        );
        let err = parse_toml(path, "[flyway\n", &BTreeMap::new(), &mut notes).unwrap_err();
        assert!(err.to_string().contains("/p/flyway.toml"), "{err}");
        let err = parse_toml(
            path,
            "[flyway.table]\nx = 1\n",
            &BTreeMap::new(),
            &mut notes,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("flyway.table should be a value"),
            "{err}"
        );
        // Ignored keys accept any shape.
        parse_toml(
            path,
            "[flyway]\ncallbacks = [\"a\"]\n[environments.x.resolvers.vault]\nurl = \"u\"\n",
            &BTreeMap::new(),
            &mut notes,
        )
        .unwrap();
    }

    #[test]
    fn conf_errors_name_the_line() {
        let mut notes = Vec::new();
        let path = Path::new("/p/flyway.conf");
        let err = parse_conf(
            path,
            "flyway.url=x\n\nflyway.fooBar=1\n",
            &BTreeMap::new(),
            &mut notes,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unknown configuration property: flyway.fooBar (in config file /p/flyway.conf, line 3)"
        );
        let layer = parse_conf(
            path,
            "other.key=1\nflyway.oracle.sqlplus=true\nflyway.placeholders.Owner=${USER_X}\nflyway.environments.dev.url=u\n",
            &env(&[("USER_X", "me")]),
            &mut notes,
        )
        .unwrap();
        assert_eq!(
            layer.placeholders["Owner"].value,
            RawValue::Text("me".into())
        );
        assert!(layer.environments.contains_key("dev"));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
