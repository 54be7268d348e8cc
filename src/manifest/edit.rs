//! Edits of the manifest through `toml_edit`, so the user's comments and formatting survive:
//! `add` and `remove` of a resource, and the manifest of a new project.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::{Manifest, SCHEMA};
use crate::error::{Error, Result};
use crate::kinds::{OptionValue, ResourceKind};
use crate::model::{Project, ResourceSpec};
use crate::version::SCAFFOLD_VERSION;

const HEADER: &str = "\
# scaffold.toml — the source of truth for what scaffold generates.
# Resources are opened in the order listed here. After editing, run `scaffold regen`.
";

impl Manifest {
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

fn option_item(option: &OptionValue) -> Item {
    match option {
        OptionValue::Int(n) => value(*n),
        OptionValue::Str(s) => value(s.as_str()),
    }
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
