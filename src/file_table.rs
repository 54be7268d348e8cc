//! `templates/files.toml`: which template renders to which path, for whom, and when.
//!
//! The table is data shipped in the bundle; other people add rows. It is parsed into typed
//! `FileRule`s here, so an unknown `when`, `owner` or `per`, or a path placeholder that does not
//! exist, is one clear error before anything renders.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::kinds::ResourceKind;
use crate::model::Project;
use crate::plan::Owner;

/// When a file exists in a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// The project has at least one resource of this kind.
    Kind(ResourceKind),
    /// The project has no lifespan: it runs as `python -m <package>`.
    Worker,
    /// The project has a db-pool or a cache.
    Services,
}

impl When {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "always" => Some(When::Always),
            "worker" => Some(When::Worker),
            "services" => Some(When::Services),
            other => ResourceKind::from_id(other).map(When::Kind),
        }
    }

    /// Whether the condition holds for `project`.
    pub fn holds(self, project: &Project) -> bool {
        match self {
            When::Always => true,
            When::Kind(kind) => project.has(kind),
            When::Worker => project.is_worker(),
            When::Services => project.has(ResourceKind::DbPool) || project.has(ResourceKind::Cache),
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
    per: Option<String>,
}

/// Parses the table text; `template_exists` says whether a template path is in the bundle.
pub fn parse(text: &str, template_exists: impl Fn(&str) -> bool) -> Result<Vec<FileRule>> {
    let raw: RawTable = toml::from_str(text).map_err(|e| Error::FileTable {
        message: e.to_string(),
    })?;
    raw.file
        .into_iter()
        .enumerate()
        .map(|(index, rule)| {
            let bad = |message: String| Error::FileTable {
                message: format!("[[file]] #{} (`{}`): {message}", index + 1, rule.template),
            };
            let owner = Owner::from_str_opt(&rule.owner)
                .ok_or_else(|| bad(format!("unknown owner `{}` (expected `managed` or `user`)", rule.owner)))?;
            let when = When::parse(&rule.when).ok_or_else(|| {
                bad(format!(
                    "unknown when `{}` (expected always, db-pool, cache, task-set, lifespan, worker or services)",
                    rule.when
                ))
            })?;
            let per = match &rule.per {
                None => None,
                Some(kind) => Some(ResourceKind::from_id(kind).ok_or_else(|| {
                    bad(format!("unknown per `{kind}` (expected db-pool, cache, task-set or lifespan)"))
                })?),
            };
            check_placeholders(&rule.path, per.is_some()).map_err(bad)?;
            if !template_exists(&rule.template) {
                return Err(bad("the template is not in the bundle".into()));
            }
            Ok(FileRule { template: rule.template, path: rule.path, owner, when, per })
        })
        .collect()
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
    fn parses_the_shipped_table() {
        let rules = parse(crate::templates::file_table().unwrap(), |t| {
            crate::templates::get(t).is_some()
        })
        .unwrap();
        assert!(!rules.is_empty());
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
        let err = one(&format!(
            "{base}owner = \"user\"\nwhen = \"always\"\nper = \"queue\"\n"
        ))
        .unwrap_err();
        assert!(err.to_string().contains("unknown per `queue`"), "{err}");
        let err =
            one("template = \"a.j2\"\npath = \"{name}.py\"\nowner = \"user\"\nwhen = \"always\"\n")
                .unwrap_err();
        assert!(err.to_string().contains("has no `per`"), "{err}");
        let err = one(
            "template = \"a.j2\"\npath = \"a\"\nowner = \"user\"\nwhen = \"always\"\nextra = 1\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("extra"), "{err}");
    }
}
