//! `scaffold.toml`: the raw, serde-shaped manifest, and writing it with `toml_edit`.
//!
//! The manifest is the source of truth for a project. This module knows its TOML shape only;
//! whether the values make sense is `model.rs`'s job. Writing goes through `toml_edit` so the
//! same code can later edit a user's manifest without losing their comments.

use serde::Deserialize;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::kinds::OptionValue;
use crate::model::Project;
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
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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

/// One `[[resource]]` table: kind, name, and the options any kind may carry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResource {
    pub kind: String,
    pub name: String,
    pub min_size: Option<i64>,
    pub max_size: Option<i64>,
    pub restart: Option<String>,
}

impl RawManifest {
    /// Parses manifest text; unknown keys are an error naming the key.
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }
}

/// Renders the manifest of a new project.
///
/// ```
/// use scaffold::model::{Project, PythonVersion, ResourceSpec};
/// let project = Project::new("orders", PythonVersion::V3_12, &[ResourceSpec::parse("cache").unwrap()]).unwrap();
/// let text = scaffold::manifest::render(&project);
/// assert!(text.contains("[[resource]]\nkind = \"cache\"\nname = \"redis\"\n"));
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
            table[*key] = match option {
                OptionValue::Int(n) => value(*n),
                OptionValue::Str(s) => value(s.as_str()),
            };
        }
        resources.push(table);
    }
    doc["resource"] = Item::ArrayOfTables(resources);

    format!("{HEADER}{doc}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PythonVersion, ResourceSpec};

    #[test]
    fn written_manifest_parses_back() {
        let specs: Vec<_> = ["db-pool", "cache", "task-set", "lifespan"]
            .iter()
            .map(|s| ResourceSpec::parse(s).unwrap())
            .collect();
        let project = Project::new("orders", PythonVersion::V3_13, &specs).unwrap();
        let raw = RawManifest::parse(&render(&project)).unwrap();
        assert_eq!(raw.schema, SCHEMA);
        assert_eq!(raw.project.python, "3.13");
        assert_eq!(raw.resources.len(), 4);
        assert_eq!(raw.resources[0].min_size, Some(1));
        assert_eq!(raw.resources[2].restart.as_deref(), Some("restart"));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let text = "schema = 1\nscaffold_version = \"0.1.0\"\nbogus = 2\n[project]\nname = \"a\"\npackage = \"a\"\npython = \"3.12\"\n";
        let err = RawManifest::parse(text).unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
    }
}
