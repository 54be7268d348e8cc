//! `scaffold.toml`: the raw, serde-shaped manifest, reading it into a validated `Project`,
//! migrating older schemas, and editing it with `toml_edit`.
//!
//! The manifest is the source of truth for a project. Reading goes text → `DocumentMut`
//! (syntax, with the line) → schema check and migration → `RawManifest` (serde, unknown keys
//! refused) → `Project` (the same validation as `scaffold new`). Every error names the file,
//! and where it can, the key and line. Edits go through `toml_edit`, so the user's comments
//! and formatting survive `add` and `remove`.
//!
//! Schemas:
//! - **0** (scaffold before 0.1): no `schema` key, and resources were `[[resources]]` tables.
//!   Migrated in code: `[[resources]]` becomes `[[resource]]` and `schema = 1` is added.
//! - **1**: the current schema (see `docs/design.md`).

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::error::{Error, Result};
use crate::kinds::{self, OptionValue, ResourceKind};
use crate::model::{Project, PythonVersion, ResourceSpec};
use crate::version::SCAFFOLD_VERSION;

/// The manifest schema this binary writes and understands.
pub const SCHEMA: i64 = 1;

/// The file name of the manifest, at the project root.
pub const MANIFEST_FILE: &str = "scaffold.toml";

const HEADER: &str = "\
# scaffold.toml — the source of truth for what scaffold generates.
# Resources are opened in the order listed here. After editing, run `scaffold regen`.
";

/// `scaffold.toml` as it is on disk, before validation.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    pub schema: i64,
    pub scaffold_version: String,
    pub project: RawProject,
    #[serde(default, rename = "resource")]
    pub resources: Vec<RawResource>,
}

/// The `[project]` table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub name: String,
    pub package: String,
    pub python: String,
}

/// One `[[resource]]` table: kind, name, and the kind's options (checked against its
/// `kind.toml` when the project is built, so an unknown key names the kind).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RawResource {
    pub kind: String,
    pub name: String,
    #[serde(flatten)]
    pub options: toml::Table,
}

impl RawManifest {
    /// Parses manifest text; unknown keys are an error naming the key.
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }
}

/// A manifest read from disk: its (possibly migrated) document and the validated project.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// The document, migrated to the current schema; edits keep the user's formatting.
    pub doc: DocumentMut,
    /// The schema the file on disk had (older than [`SCHEMA`] means it was migrated).
    pub schema_on_disk: i64,
    pub project: Project,
}

impl Manifest {
    /// The scaffold version that last rendered the project (`scaffold_version`), if recorded.
    pub fn recorded_version(&self) -> Option<&str> {
        self.doc.get("scaffold_version").and_then(|v| v.as_str())
    }

    /// Reads and validates the manifest bytes read from `path`.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Error::Manifest {
                path: path.to_owned(),
                line: Some(line),
                key: None,
                message: "the file is not UTF-8 text".into(),
            }
        })?;
        Self::parse(text, path)
    }

    /// Reads and validates manifest text read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let located =
            |span: Option<Range<usize>>, key: Option<String>, message: String| Error::Manifest {
                path: path.to_owned(),
                line: span.map(|s| line_of(text, s.start)),
                key,
                message,
            };
        let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            located(
                e.span(),
                None,
                format!("not valid TOML: {}", e.message().trim()),
            )
        })?;
        let schema_on_disk = match doc.get("schema") {
            None => 0,
            Some(item) => item.as_integer().ok_or_else(|| {
                located(
                    item.span(),
                    Some("schema".into()),
                    "must be an integer".into(),
                )
            })?,
        };
        if schema_on_disk > SCHEMA {
            return Err(Error::SchemaTooNew {
                path: path.to_owned(),
                schema: schema_on_disk,
                known: SCHEMA,
                current: SCAFFOLD_VERSION.to_owned(),
                wanted: doc
                    .get("scaffold_version")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
            });
        }
        if schema_on_disk < 0 {
            return Err(located(
                doc.get("schema").and_then(Item::span),
                Some("schema".into()),
                format!("unknown schema {schema_on_disk}"),
            ));
        }
        let migrated = schema_on_disk < SCHEMA;
        if migrated {
            migrate(&mut doc);
        }
        // Spans index the text on disk; after a migration they are looked up in that text too,
        // by re-parsing it with the keys the migration renamed.
        let current_text;
        let span_text = if migrated {
            current_text = doc.to_string();
            current_text.as_str()
        } else {
            text
        };
        let raw = RawManifest::parse(span_text).map_err(|e| {
            let key = e
                .span()
                .map(|s| span_text[s].trim_matches(['[', ']', ' ']).to_owned())
                .filter(|k| !k.is_empty() && k.len() < 60 && !k.contains('\n'));
            Error::Manifest {
                path: path.to_owned(),
                line: e.span().map(|s| line_of(span_text, s.start)),
                key,
                message: e.message().trim().to_owned(),
            }
        })?;
        let project = to_project(&raw).map_err(|(key, message)| {
            let span = span_of(span_text, &key);
            Error::Manifest {
                path: path.to_owned(),
                line: span.map(|s| line_of(span_text, s.start)),
                key: Some(key.join(".")),
                message,
            }
        })?;
        Ok(Manifest {
            path: path.to_owned(),
            doc,
            schema_on_disk,
            project,
        })
    }

    /// The manifest text to write after a successful `regen`: migrated, with this version.
    pub fn updated_text(&self) -> String {
        let mut doc = self.doc.clone();
        doc["scaffold_version"] = value(SCAFFOLD_VERSION);
        doc.to_string()
    }

    /// Appends a `[[resource]]` table (kind, name, default options) and validates the result.
    pub fn add_resource(&self, kind: ResourceKind, name: &str) -> Result<Manifest> {
        if let Some(existing) = self.project.resources.iter().find(|r| r.name == name) {
            return Err(if existing.kind == kind {
                Error::ResourceExists {
                    kind,
                    name: name.to_owned(),
                }
            } else {
                Error::DuplicateResource {
                    kind,
                    name: name.to_owned(),
                }
            });
        }
        if let Some(max) = kind.max_instances() {
            let same: Vec<_> = self.project.of_kind(kind).collect();
            if same.len() >= max {
                return Err(Error::TooManyOfKind {
                    kind,
                    max,
                    first: same[0].name.clone(),
                    second: name.to_owned(),
                });
            }
        }
        // The same checks as `scaffold new` (names, reserved modules), before touching the text.
        let mut specs: Vec<ResourceSpec> = self
            .project
            .resources
            .iter()
            .map(|r| ResourceSpec {
                kind: r.kind,
                name: Some(r.name.clone()),
            })
            .collect();
        specs.push(ResourceSpec {
            kind,
            name: Some(name.to_owned()),
        });
        Project::new(&self.project.name, self.project.python, &specs)?;

        let mut doc = self.doc.clone();
        let mut table = Table::new();
        table["kind"] = value(kind.id());
        table["name"] = value(name);
        for (key, option) in kind.default_options() {
            table[key] = option_item(&option);
        }
        match doc.get_mut("resource") {
            Some(Item::ArrayOfTables(array)) => array.push(table),
            _ => {
                let mut array = ArrayOfTables::new();
                array.push(table);
                doc["resource"] = Item::ArrayOfTables(array);
            }
        }
        Manifest::parse(&doc.to_string(), &self.path)
    }

    /// Removes the `[[resource]]` table named `name` and validates the result.
    pub fn remove_resource(&self, name: &str) -> Result<Manifest> {
        let index = self
            .project
            .resources
            .iter()
            .position(|r| r.name == name)
            .ok_or_else(|| Error::ResourceMissing {
                name: name.to_owned(),
                existing: self
                    .project
                    .resources
                    .iter()
                    .map(|r| r.name.clone())
                    .collect(),
            })?;
        if self.project.resources.len() == 1 {
            return Err(Error::LastResource {
                name: name.to_owned(),
            });
        }
        let mut doc = self.doc.clone();
        if let Some(Item::ArrayOfTables(array)) = doc.get_mut("resource") {
            array.remove(index);
        }
        Manifest::parse(&doc.to_string(), &self.path)
    }
}

/// Schema 0 → 1: `[[resources]]` → `[[resource]]`, and a `schema` key.
fn migrate(doc: &mut DocumentMut) {
    if let Some(item) = doc.remove("resources") {
        doc.insert("resource", item);
    }
    // `schema` goes first, as `scaffold new` writes it, taking over the first key's leading
    // comments (the file header) so they stay at the top.
    let table = doc.as_table_mut();
    let first = table.iter().next().map(|(k, _)| k.to_owned());
    let header = first
        .as_deref()
        .and_then(|k| table.key_mut(k))
        .map(|mut key| {
            let decor = key.leaf_decor_mut();
            let prefix = decor.prefix().cloned();
            decor.set_prefix("");
            prefix
        });
    table.insert("schema", value(SCHEMA));
    table.sort_values_by(|a, _, b, _| (b.get() == "schema").cmp(&(a.get() == "schema")));
    if let (Some(Some(prefix)), Some(mut key)) = (header, table.key_mut("schema")) {
        key.leaf_decor_mut().set_prefix(prefix);
    }
}

fn option_item(option: &OptionValue) -> Item {
    match option {
        OptionValue::Int(n) => value(*n),
        OptionValue::Str(s) => value(s.as_str()),
    }
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The span of a value by key path (`["resource", "2", "name"]`), or of the nearest parent.
fn span_of(text: &str, key: &[String]) -> Option<Range<usize>> {
    let doc = toml_edit::Document::parse(text.to_owned()).ok()?;
    let mut item: &Item = doc.as_item();
    let mut span = None;
    for (at, part) in key.iter().enumerate() {
        let next = match (item, part.parse::<usize>()) {
            (Item::ArrayOfTables(array), Ok(i)) => match array.get(i) {
                Some(table) => {
                    span = table.span().or(span);
                    // Keys under an array element are one level deep (`resource.N.KEY`).
                    let rest = key.get(at + 1);
                    return rest
                        .and_then(|k| table.get(k))
                        .and_then(Item::span)
                        .or(span);
                }
                None => return span,
            },
            (_, _) => item.get(part.as_str()),
        };
        match next {
            Some(next) => {
                span = next.span().or(span);
                item = next;
            }
            None => return span,
        }
    }
    span
}

/// `RawManifest` → `Project`, with the failing key path and a message.
fn to_project(raw: &RawManifest) -> std::result::Result<Project, (Vec<String>, String)> {
    let key = |parts: &[&str]| parts.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let python = PythonVersion::ALL
        .into_iter()
        .find(|v| v.as_str() == raw.project.python)
        .ok_or_else(|| {
            (
                key(&["project", "python"]),
                format!(
                    "unsupported Python `{}`: use one of 3.11, 3.12, 3.13",
                    raw.project.python
                ),
            )
        })?;
    let package = Project::check_name(&raw.project.name)
        .map_err(|e| (key(&["project", "name"]), e.to_string()))?;
    if package != raw.project.package {
        return Err((
            key(&["project", "package"]),
            format!(
                "must be `{package}`, the snake_case of `project.name` (`{}`)",
                raw.project.name
            ),
        ));
    }
    let mut specs = Vec::with_capacity(raw.resources.len());
    for (i, r) in raw.resources.iter().enumerate() {
        let kind = kinds::find(&r.kind).ok_or_else(|| {
            (
                vec!["resource".into(), i.to_string(), "kind".into()],
                format!(
                    "unknown kind `{}`; known kinds: {}",
                    r.kind,
                    kinds::id_list()
                ),
            )
        })?;
        specs.push(ResourceSpec {
            kind,
            name: Some(r.name.clone()),
        });
    }
    let mut project = Project::new(&raw.project.name, python, &specs).map_err(|e| {
        // Point at the resource the error is about: the last one with that name.
        let name = match &e {
            Error::InvalidResourceName { name, .. } | Error::DuplicateResource { name, .. } => {
                Some(name.clone())
            }
            Error::TooManyOfKind { second, .. } => Some(second.clone()),
            _ => None,
        };
        if matches!(e, Error::NoResources) {
            return (
                vec!["resource".into()],
                "the manifest has no `[[resource]]` table; a project needs at least one".into(),
            );
        }
        let at = name.and_then(|n| raw.resources.iter().rposition(|r| r.name == n));
        match at {
            Some(i) => (
                vec!["resource".into(), i.to_string(), "name".into()],
                e.to_string(),
            ),
            None => (vec!["resource".into()], e.to_string()),
        }
    })?;
    for (i, (resource, r)) in project.resources.iter_mut().zip(&raw.resources).enumerate() {
        let at = |k: &str| vec!["resource".to_owned(), i.to_string(), k.to_owned()];
        if let Some(key) = r.options.keys().find(|k| resource.kind.option(k).is_none()) {
            return Err((
                at(key),
                format!("`{key}` is not an option of kind `{}`", resource.kind),
            ));
        }
        for (name, value) in resource.options.iter_mut() {
            if let (Some(given), Some(spec)) = (r.options.get(*name), resource.kind.option(name)) {
                *value = spec.value_from(given).map_err(|e| (at(name), e))?;
            }
        }
        // Limits between options (`max_size` at least `min_size`), on the values now final.
        let options = &resource.options;
        let int = |other: &str| {
            options
                .iter()
                .find(|(n, _)| *n == other)
                .and_then(|(_, v)| match v {
                    OptionValue::Int(n) => Some(*n),
                    OptionValue::Str(_) => None,
                })
        };
        for (name, value) in options {
            if let Some(spec) = resource.kind.option(name) {
                spec.check(value, Some(&int)).map_err(|e| (at(name), e))?;
            }
        }
    }
    Ok(project)
}

/// Renders the manifest of a new project.
///
/// ```
/// use scaffold::model::{Project, PythonVersion, ResourceSpec};
/// let kind = scaffold::kinds::all()[0];
/// let project = Project::new("orders", PythonVersion::V3_12, &[ResourceSpec::parse(kind.id()).unwrap()]).unwrap();
/// let text = scaffold::manifest::render(&project);
/// let table = format!("[[resource]]\nkind = \"{kind}\"\nname = \"{}\"\n", kind.default_name());
/// assert!(text.contains(&table));
/// ```
pub fn render(project: &Project) -> String {
    let mut doc = DocumentMut::new();
    doc["schema"] = value(SCHEMA);
    doc["scaffold_version"] = value(SCAFFOLD_VERSION);

    let mut table = Table::new();
    table["name"] = value(project.name.as_str());
    table["package"] = value(project.package.as_str());
    table["python"] = value(project.python.as_str());
    doc["project"] = Item::Table(table);

    let mut resources = ArrayOfTables::new();
    for resource in &project.resources {
        let mut table = Table::new();
        table["kind"] = value(resource.kind.id());
        table["name"] = value(resource.name.as_str());
        for (key, option) in &resource.options {
            table[*key] = option_item(option);
        }
        resources.push(table);
    }
    doc["resource"] = Item::ArrayOfTables(resources);

    format!("{HEADER}{doc}")
}
