//! The resource kinds a project is built from: data, read from `templates/kinds/<id>/kind.toml`.
//!
//! A kind is one folder of the template bundle. Its `kind.toml` says what the rest of the tool
//! needs to know: the id used on the command line and in the manifest, a one-line summary, the
//! default name, how many a project may have, its role in the composition, the environment
//! variable it reads, its typed options, the files it adds and the values it offers the shared
//! templates. Nothing in `src/` names a kind: code asks the kind.
//!
//! The registry is parsed once from the embedded bundle. [`load`] reports a broken bundle as an
//! error (the CLI calls it before anything else); [`all`] and [`find`] then see a valid registry.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::templates;

/// The folder of the bundle that holds one folder per kind.
pub const KINDS_DIR: &str = "kinds";

/// What a kind is to the service composition (`service.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Opened in manifest order before anything else, closed in reverse; a field of
    /// `Resources`, with its own settings and readiness check.
    Resource,
    /// Supervised background jobs: started after every resource, stopped before them.
    Tasks,
    /// What runs the service (a FastAPI app under uvicorn). A project without one is a worker,
    /// run by `python -m <package>`.
    Runtime,
}

/// The value of a kind option, as written in the manifest and seen by templates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OptionValue {
    Int(i64),
    Str(String),
}

/// Looks up the integer value another option of the same resource has.
pub type IntLookup<'a> = dyn Fn(&str) -> Option<i64> + 'a;

/// One typed option of a kind, with its default and limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionSpec {
    pub name: String,
    pub default: OptionValue,
    pub rule: OptionRule,
}

/// What values an option accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionRule {
    /// An integer, at least `min`, and at least the value of option `at_least` if given.
    Int {
        min: Option<i64>,
        max: Option<i64>,
        at_least: Option<String>,
    },
    /// One of a fixed set of strings.
    Choice(Vec<String>),
}

/// A file a kind adds, as written in its `kind.toml` (validated by `file_table`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindFile {
    /// Template path under the kind's folder.
    pub template: String,
    pub path: String,
    pub owner: String,
    /// `"instance"`: rendered once per resource of the kind.
    pub per: Option<String>,
}

/// Everything the tool knows about one kind.
#[derive(Debug)]
pub struct KindSpec {
    pub id: String,
    /// Where the kind is listed and offered, lowest first.
    pub order: i64,
    pub summary: String,
    pub default_name: String,
    /// A second, non-default name, for hints.
    pub example_name: String,
    pub max_instances: Option<usize>,
    pub role: Role,
    /// The environment variable that configures a resource, with `{upper}` for its name
    /// upper-cased (`{upper}_URL`), if it reads one.
    pub env: Option<String>,
    /// Whether its name becomes an attribute of `Resources` or a module of the package, and so
    /// must not equal a generated module's name.
    pub name_is_attribute: bool,
    pub options: Vec<OptionSpec>,
    /// Requirements it adds to the project's dependencies and dev dependencies.
    pub dependencies: Vec<String>,
    pub dev_dependencies: Vec<String>,
    /// The server its tests and `compose.yaml` need (`postgres`), if any.
    pub server: Option<String>,
    pub files: Vec<KindFile>,
    /// Values the shared templates read (`r.offers.python_type`): the composition asks the kind.
    pub offers: BTreeMap<String, toml::Value>,
}

/// A handle on a kind of the registry: cheap to copy, compared by id.
#[derive(Clone, Copy)]
pub struct ResourceKind(&'static KindSpec);

impl ResourceKind {
    /// The id used by `--resource` and in `scaffold.toml`.
    pub fn id(self) -> &'static str {
        &self.0.id
    }

    /// The whole description of the kind.
    pub fn spec(self) -> &'static KindSpec {
        self.0
    }

    /// The name a resource of this kind gets when none is given.
    pub fn default_name(self) -> &'static str {
        &self.0.default_name
    }

    /// A second, non-default name, for hints.
    pub fn example_name(self) -> &'static str {
        &self.0.example_name
    }

    /// One line saying what the kind is.
    pub fn description(self) -> &'static str {
        &self.0.summary
    }

    pub fn role(self) -> Role {
        self.0.role
    }

    /// The kind's options with their defaults, in `kind.toml` order.
    pub fn default_options(self) -> Vec<(&'static str, OptionValue)> {
        self.0
            .options
            .iter()
            .map(|o| (o.name.as_str(), o.default.clone()))
            .collect()
    }

    /// The option called `name`, if the kind has it.
    pub fn option(self, name: &str) -> Option<&'static OptionSpec> {
        self.0.options.iter().find(|o| o.name == name)
    }

    /// Whether its name must not equal a generated module's name (see [`KindSpec`]).
    pub fn name_shadows_modules(self) -> bool {
        self.0.name_is_attribute
    }

    /// How many resources of this kind a project may have, if limited.
    pub fn max_instances(self) -> Option<usize> {
        self.0.max_instances
    }
}

impl PartialEq for ResourceKind {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for ResourceKind {}

impl std::hash::Hash for ResourceKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

impl PartialOrd for ResourceKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ResourceKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.order, &self.0.id).cmp(&(other.0.order, &other.0.id))
    }
}

impl fmt::Debug for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceKind({})", self.0.id)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

static REGISTRY: OnceLock<std::result::Result<Vec<KindSpec>, String>> = OnceLock::new();

fn registry() -> &'static std::result::Result<Vec<KindSpec>, String> {
    REGISTRY.get_or_init(|| parse_bundle(templates::kind_files()))
}

/// Checks the embedded registry; the error names the `kind.toml` and what is wrong with it.
pub fn load() -> Result<()> {
    match registry() {
        Ok(_) => Ok(()),
        Err(message) => Err(Error::KindRegistry {
            message: message.clone(),
        }),
    }
}

/// Every kind, in the order they are listed and offered (empty if the bundle is broken, which
/// [`load`] reports).
pub fn all() -> Vec<ResourceKind> {
    match registry() {
        Ok(kinds) => kinds.iter().map(ResourceKind).collect(),
        Err(_) => Vec::new(),
    }
}

/// The kind with this id, if any.
pub fn find(id: &str) -> Option<ResourceKind> {
    all().into_iter().find(|k| k.id() == id)
}

/// The kind ids as a list for messages: "`a`, `b`, `c`".
pub fn id_list() -> String {
    all()
        .iter()
        .map(|k| format!("`{}`", k.id()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    id: String,
    order: i64,
    summary: String,
    default_name: String,
    example_name: String,
    max_instances: Option<usize>,
    role: Role,
    env: Option<String>,
    name_is_attribute: bool,
    #[serde(default, rename = "option")]
    options: Vec<RawOption>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    dev_dependencies: Vec<String>,
    server: Option<String>,
    #[serde(default, rename = "file")]
    files: Vec<KindFile>,
    #[serde(default)]
    offers: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    name: String,
    default: toml::Value,
    min: Option<i64>,
    max: Option<i64>,
    at_least: Option<String>,
    choices: Option<Vec<String>>,
}

/// Parses every `(folder, kind.toml text)` of the bundle into the registry, sorted by order.
fn parse_bundle(files: Vec<(&str, Option<&str>)>) -> std::result::Result<Vec<KindSpec>, String> {
    let mut kinds = files
        .into_iter()
        .map(|(folder, text)| {
            let text = text.ok_or_else(|| {
                format!("`templates/{KINDS_DIR}/{folder}/` has no `kind.toml` (UTF-8 text)")
            })?;
            parse_kind(folder, text)
                .map_err(|e| format!("`templates/{KINDS_DIR}/{folder}/kind.toml`: {e}"))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if kinds.is_empty() {
        return Err(format!(
            "no `templates/{KINDS_DIR}/*/kind.toml` in the bundle"
        ));
    }
    kinds.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    Ok(kinds)
}

fn parse_kind(folder: &str, text: &str) -> std::result::Result<KindSpec, String> {
    let raw: RawKind = toml::from_str(text).map_err(|e| e.message().trim().to_owned())?;
    if raw.id != folder {
        return Err(format!(
            "`id = \"{}\"` must be the folder's name, `{folder}`",
            raw.id
        ));
    }
    let id_ok = raw.id.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err(format!(
            "id `{}` must be lowercase letters, digits and `-`",
            raw.id
        ));
    }
    if raw.max_instances == Some(0) {
        return Err("`max_instances` must be at least 1".into());
    }
    if let Some(env) = raw.env.as_ref().filter(|e| !e.contains("{upper}")) {
        return Err(format!("`env = \"{env}\"` must contain `{{upper}}`"));
    }
    let mut options = Vec::with_capacity(raw.options.len());
    for option in raw.options {
        let name = option.name.clone();
        if !crate::names::is_identifier(&name) || ["kind", "name"].contains(&name.as_str()) {
            return Err(format!(
                "[[option]] `{name}`: the name must be an identifier other than `kind` and `name`"
            ));
        }
        if options.iter().any(|o: &OptionSpec| o.name == name) {
            return Err(format!("[[option]] `{name}` is defined twice"));
        }
        options.push(option_spec(&name, option).map_err(|e| format!("[[option]] `{name}`: {e}"))?);
    }
    for option in &options {
        if let OptionRule::Int {
            at_least: Some(other),
            ..
        } = &option.rule
            && !options.iter().any(|o| &o.name == other)
        {
            return Err(format!(
                "[[option]] `{}`: `at_least` names no option `{other}`",
                option.name
            ));
        }
    }
    for file in &raw.files {
        if file.per.as_deref().is_some_and(|p| p != "instance") {
            return Err(format!(
                "[[file]] `{}`: `per` must be \"instance\"",
                file.template
            ));
        }
    }
    Ok(KindSpec {
        id: raw.id,
        order: raw.order,
        summary: raw.summary,
        default_name: raw.default_name,
        example_name: raw.example_name,
        max_instances: raw.max_instances,
        role: raw.role,
        env: raw.env,
        name_is_attribute: raw.name_is_attribute,
        options,
        dependencies: raw.dependencies,
        dev_dependencies: raw.dev_dependencies,
        server: raw.server,
        files: raw.files,
        offers: raw.offers,
    })
}

fn option_spec(name: &str, raw: RawOption) -> std::result::Result<OptionSpec, String> {
    let (default, rule) = match (raw.default, raw.choices) {
        (toml::Value::Integer(n), None) => (
            OptionValue::Int(n),
            OptionRule::Int {
                min: raw.min,
                max: raw.max,
                at_least: raw.at_least,
            },
        ),
        (toml::Value::String(s), Some(choices)) => {
            if raw.min.is_some() || raw.max.is_some() || raw.at_least.is_some() {
                return Err("a choice has no `min`, `max` or `at_least`".into());
            }
            if !choices.contains(&s) {
                return Err(format!("the default `{s}` is not one of `choices`"));
            }
            (OptionValue::Str(s), OptionRule::Choice(choices))
        }
        (toml::Value::String(_), None) => return Err("a string option needs `choices`".into()),
        _ => return Err("`default` must be an integer, or a string with `choices`".into()),
    };
    let spec = OptionSpec {
        name: name.to_owned(),
        default,
        rule,
    };
    spec.check(&spec.default, None)?;
    Ok(spec)
}

impl OptionSpec {
    /// The value of this option written in a manifest, checked against its type and its own
    /// limits (limits between options are [`OptionSpec::check`]ed once all are read).
    pub fn value_from(&self, value: &toml::Value) -> std::result::Result<OptionValue, String> {
        let parsed = match (&self.rule, value) {
            (OptionRule::Int { .. }, toml::Value::Integer(n)) => OptionValue::Int(*n),
            (OptionRule::Int { .. }, v) => return Err(format!("must be an integer, not {v}")),
            (OptionRule::Choice(_), toml::Value::String(s)) => OptionValue::Str(s.clone()),
            (OptionRule::Choice(choices), v) => {
                return Err(format!("must be one of {}, not {v}", quoted(choices)));
            }
        };
        self.check(&parsed, None)?;
        Ok(parsed)
    }

    /// Checks a value against the option's limits; `other` looks up the value another option
    /// of the same resource has (for `at_least`).
    pub fn check(
        &self,
        value: &OptionValue,
        other: Option<&IntLookup<'_>>,
    ) -> std::result::Result<(), String> {
        match (&self.rule, value) {
            (OptionRule::Int { min, max, at_least }, OptionValue::Int(n)) => {
                let floor = at_least
                    .as_ref()
                    .and_then(|o| other.and_then(|f| f(o)).map(|v| (o, v)));
                let low = min.is_some_and(|m| *n < m);
                let high = max.is_some_and(|m| *n > m);
                let below = floor.as_ref().is_some_and(|(_, v)| n < v);
                if low || high || below {
                    let mut wants = Vec::new();
                    match (min, max) {
                        (Some(lo), Some(hi)) => wants.push(format!("between {lo} and {hi}")),
                        (Some(lo), None) => wants.push(format!("at least {lo}")),
                        (None, Some(hi)) => wants.push(format!("at most {hi}")),
                        (None, None) => {}
                    }
                    if let Some((o, v)) = floor {
                        wants.push(format!("at least `{o}` ({v})"));
                    }
                    return Err(format!("must be {}, not {n}", wants.join(" and ")));
                }
                Ok(())
            }
            (OptionRule::Choice(choices), OptionValue::Str(s)) => {
                if choices.contains(s) {
                    Ok(())
                } else {
                    Err(format!("must be one of {}, not `{s}`", quoted(choices)))
                }
            }
            _ => Err("the value has the wrong type".into()),
        }
    }
}

fn quoted(choices: &[String]) -> String {
    choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_registry_loads_and_ids_round_trip() {
        load().unwrap();
        let kinds = all();
        assert!(!kinds.is_empty());
        for kind in &kinds {
            assert_eq!(find(kind.id()), Some(*kind));
        }
        assert_eq!(find("no-such-kind"), None);
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(sorted, kinds, "all() is in registry order");
    }

    #[test]
    fn bad_kind_files_are_errors_naming_the_file() {
        let ok = "id = \"x\"\norder = 1\nsummary = \"s\"\ndefault_name = \"x\"\nexample_name = \"y\"\nrole = \"resource\"\nname_is_attribute = true\n";
        assert!(parse_bundle(vec![("x", Some(ok))]).is_ok());
        let cases = [
            ("y", ok, "must be the folder's name"),
            ("x", "id = \"x\"\n", "missing field"),
            ("x", &format!("{ok}bogus = 1\n"), "unknown field"),
            (
                "x",
                &format!("{ok}[[option]]\nname = \"n\"\ndefault = \"a\"\n"),
                "needs `choices`",
            ),
            (
                "x",
                &format!("{ok}[[option]]\nname = \"n\"\ndefault = 0\nmin = 1\n"),
                "at least 1",
            ),
            (
                "x",
                &format!("{ok}[[option]]\nname = \"n\"\ndefault = 1\nat_least = \"m\"\n"),
                "names no option",
            ),
            ("x", &format!("{ok}env = \"URL\"\n"), "{upper}"),
        ];
        for (folder, text, want) in cases {
            let err = parse_bundle(vec![(folder, Some(text))]).unwrap_err();
            assert!(err.contains("kind.toml") && err.contains(want), "{err}");
        }
        assert!(parse_bundle(Vec::new()).is_err());
        let err = parse_bundle(vec![("x", None)]).unwrap_err();
        assert!(
            err.contains("`templates/kinds/x/` has no `kind.toml`"),
            "{err}"
        );
    }

    #[test]
    fn option_values_are_checked() {
        let int = OptionSpec {
            name: "max_size".into(),
            default: OptionValue::Int(10),
            rule: OptionRule::Int {
                min: Some(1),
                max: None,
                at_least: Some("min_size".into()),
            },
        };
        let min = |_: &str| Some(5);
        let lookup: &dyn Fn(&str) -> Option<i64> = &min;
        assert_eq!(
            int.value_from(&toml::Value::Integer(7)),
            Ok(OptionValue::Int(7))
        );
        assert_eq!(int.check(&OptionValue::Int(7), Some(lookup)), Ok(()));
        assert_eq!(
            int.check(&OptionValue::Int(3), Some(lookup)).unwrap_err(),
            "must be at least 1 and at least `min_size` (5), not 3"
        );
        assert!(
            int.value_from(&toml::Value::Integer(0))
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            int.value_from(&toml::Value::String("x".into()))
                .unwrap_err()
                .contains("integer")
        );
        let choice = OptionSpec {
            name: "restart".into(),
            default: OptionValue::Str("a".into()),
            rule: OptionRule::Choice(vec!["a".into(), "b".into()]),
        };
        assert_eq!(
            choice
                .value_from(&toml::Value::String("c".into()))
                .unwrap_err(),
            "must be one of `a` or `b`, not `c`"
        );
    }
}
