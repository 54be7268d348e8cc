//! `templates/files.toml`: which template renders to which path, for whom, and when.
//!
//! The table is data shipped in the bundle; other people add rows. It is parsed into typed
//! `FileRule`s here, so an unknown `when`, `owner` or `per`, or a path placeholder that does not
//! exist, is one clear error before anything renders.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::kinds::{self, ResourceKind, Role};
use crate::model::Project;
use crate::plan::Owner;
use crate::templates;

/// When a file exists in a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// The project has at least one resource of this kind (the rows of a kind's `kind.toml`).
    Kind(ResourceKind),
    /// The project has no runtime kind: it runs as `python -m <package>`.
    Worker,
    /// The project has at least one resource the composition opens (role `resource`).
    Services,
    /// A kind of the project needs a server its development setup runs (`compose.yaml`).
    Servers,
}

impl When {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "always" => Some(When::Always),
            "worker" => Some(When::Worker),
            "services" => Some(When::Services),
            "servers" => Some(When::Servers),
            _ => None,
        }
    }

    /// Whether the condition holds for `project`.
    pub fn holds(self, project: &Project) -> bool {
        match self {
            When::Always => true,
            When::Kind(kind) => project.has(kind),
            When::Worker => project.is_worker(),
            When::Services => project.has_role(Role::Resource),
            When::Servers => project
                .resources
                .iter()
                .any(|r| r.kind.spec().server.is_some()),
        }
    }
}

/// One validated row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRule {
    /// Template path under `templates/`.
    pub template: String,
    /// Output path with `{package}` and, for per-instance rows, `{name}`.
    pub path: String,
    pub owner: Owner,
    pub when: When,
    /// Render once per resource of this kind, with that resource as `item`.
    pub per: Option<ResourceKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    file: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    template: String,
    path: String,
    owner: String,
    when: String,
}

/// Every row: the shared table's and each kind's, checked against the embedded bundle.
pub fn all_rules() -> Result<Vec<FileRule>> {
    let exists = |t: &str| templates::get(t).is_some();
    let mut rules = parse(templates::file_table()?, exists)?;
    for kind in kinds::all() {
        rules.extend(kind_rules(kind, exists)?);
    }
    Ok(rules)
}

/// Parses the shared table text; `template_exists` says whether a template path is in the bundle.
pub fn parse(text: &str, template_exists: impl Fn(&str) -> bool) -> Result<Vec<FileRule>> {
    let raw: RawTable = toml::from_str(text).map_err(|e| Error::FileTable {
        message: format!("`templates/files.toml`: {e}"),
    })?;
    raw.file
        .into_iter()
        .enumerate()
        .map(|(index, rule)| {
            let bad = |message: String| Error::FileTable {
                message: format!(
                    "`templates/files.toml` [[file]] #{} (`{}`): {message}",
                    index + 1,
                    rule.template
                ),
            };
            let owner = Owner::from_str_opt(&rule.owner)
                .ok_or_else(|| bad(format!("unknown owner `{}` (expected `managed` or `user`)", rule.owner)))?;
            let when = When::parse(&rule.when).ok_or_else(|| {
                bad(format!(
                    "unknown when `{}` (expected always, worker, services or servers; a kind's own files are listed in its `kind.toml`)",
                    rule.when
                ))
            })?;
            check_placeholders(&rule.path, false).map_err(bad)?;
            if !template_exists(&rule.template) {
                return Err(bad("the template is not in the bundle".into()));
            }
            Ok(FileRule { template: rule.template, path: rule.path, owner, when, per: None })
        })
        .collect()
}

/// The rows of one kind's `kind.toml`: they exist when the project has the kind; their
/// templates are named relative to the kind's folder.
pub fn kind_rules(
    kind: ResourceKind,
    template_exists: impl Fn(&str) -> bool,
) -> Result<Vec<FileRule>> {
    kind.spec()
        .files
        .iter()
        .map(|file| {
            let template = format!("{}/{}/{}", kinds::KINDS_DIR, kind.id(), file.template);
            let bad = |message: String| Error::FileTable {
                message: format!(
                    "`templates/{}/{kind}/kind.toml` [[file]] `{}`: {message}",
                    kinds::KINDS_DIR,
                    file.template
                ),
            };
            let owner = Owner::from_str_opt(&file.owner).ok_or_else(|| {
                bad(format!(
                    "unknown owner `{}` (expected `managed` or `user`)",
                    file.owner
                ))
            })?;
            let per = file.per.is_some().then_some(kind);
            check_placeholders(&file.path, per.is_some()).map_err(bad)?;
            if !template_exists(&template) {
                return Err(bad("the template is not in the bundle".into()));
            }
            Ok(FileRule {
                template,
                path: file.path.clone(),
                owner,
                when: When::Kind(kind),
                per,
            })
        })
        .collect()
}

/// The modules and packages the rows put directly in the package (`settings`, `jobs`):
/// a resource whose name becomes an attribute or a module must not take one of these names.
pub fn package_modules(rules: &[FileRule]) -> Vec<String> {
    let mut modules: Vec<String> = rules
        .iter()
        .filter_map(|r| r.path.strip_prefix("src/{package}/"))
        .filter_map(|rest| match rest.split_once('/') {
            Some((dir, _)) => Some(dir.to_owned()),
            None => rest.strip_suffix(".py").map(str::to_owned),
        })
        .filter(|m| !m.starts_with("__") && !m.contains('{'))
        .collect();
    modules.sort();
    modules.dedup();
    modules
}

/// Modules the generated project puts at the top of `tests/` (`scaffold_app`, `conftest`):
/// pytest imports them by their bare name, so a package of the same name would be shadowed by
/// its own test helper (a circular import).
pub fn test_modules(rules: &[FileRule]) -> Vec<String> {
    let mut modules: Vec<String> = rules
        .iter()
        .filter_map(|r| r.path.strip_prefix("tests/"))
        .filter_map(|rest| rest.strip_suffix(".py"))
        .filter(|m| !m.contains('/') && !m.contains('{') && !m.starts_with("__"))
        .map(str::to_owned)
        .collect();
    modules.sort();
    modules.dedup();
    modules
}

/// Only `{package}` and (per-instance rows only) `{name}` may appear in a path.
fn check_placeholders(path: &str, per_instance: bool) -> std::result::Result<(), String> {
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in path `{path}`"))?;
        match &after[..end] {
            "package" => {}
            "name" if per_instance => {}
            "name" => {
                return Err(format!(
                    "path `{path}` uses `{{name}}` but the row has no `per`"
                ));
            }
            other => {
                return Err(format!(
                    "unknown placeholder `{{{other}}}` in path `{path}`"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    if rest.contains('}') {
        return Err(format!("stray `}}` in path `{path}`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(row: &str) -> Result<Vec<FileRule>> {
        parse(&format!("[[file]]\n{row}"), |_| true)
    }

    #[test]
    fn parses_the_shipped_table_and_every_kind() {
        let rules = all_rules().unwrap();
        assert!(!rules.is_empty());
        for kind in kinds::all() {
            assert!(
                rules.iter().any(|r| r.when == When::Kind(kind)),
                "kind `{kind}` adds no file"
            );
        }
        let modules = package_modules(&rules);
        assert!(modules.contains(&"settings".to_owned()), "{modules:?}");
    }

    #[test]
    fn rejects_unknown_values() {
        let base = "template = \"a.j2\"\npath = \"a\"\n";
        assert!(one(&format!("{base}owner = \"managed\"\nwhen = \"always\"\n")).is_ok());
        let err = one(&format!("{base}owner = \"mine\"\nwhen = \"always\"\n")).unwrap_err();
        assert!(err.to_string().contains("unknown owner `mine`"), "{err}");
        let err = one(&format!("{base}owner = \"user\"\nwhen = \"sometimes\"\n")).unwrap_err();
        assert!(
            err.to_string().contains("unknown when `sometimes`"),
            "{err}"
        );
        let err =
            one("template = \"a.j2\"\npath = \"{name}.py\"\nowner = \"user\"\nwhen = \"always\"\n")
                .unwrap_err();
        assert!(err.to_string().contains("has no `per`"), "{err}");
        let err = one(
            "template = \"a.j2\"\npath = \"a\"\nowner = \"user\"\nwhen = \"always\"\nper = \"instance\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("per"), "{err}");
    }
}
