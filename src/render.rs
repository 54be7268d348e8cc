//! Rendering: `Project` → `Plan`, driven by the template table.
//!
//! Builds the template context described in `docs/design.md` (`project`, `resources`,
//! `db_pools`, `caches`, `task_sets`, `lifespan`, `has_*`, `is_worker`, `openable`, and `item` for
//! per-instance files), renders each row of `templates/files.toml` whose `when` holds, and
//! normalizes the output: `\n` line endings and exactly one final newline (an empty render stays
//! empty). Pure: no file system, no clock, no randomness.

use std::collections::BTreeMap;

use minijinja::Environment;
use minijinja::value::Serde;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::file_table::{self, FileRule};
use crate::kinds::{OptionValue, ResourceKind};
use crate::lock::LOCK_FILE;
use crate::manifest::MANIFEST_FILE;
use crate::model::{Project, Resource};
use crate::plan::{Plan, PlannedFile};
use crate::relpath::RelPath;
use crate::templates;
use crate::version::SCAFFOLD_VERSION;

/// Renders every file of `project`.
///
/// ```
/// use scaffold::model::{Project, PythonVersion, ResourceSpec};
/// let project = Project::new("orders", PythonVersion::V3_12, &[ResourceSpec::parse("db-pool").unwrap()]).unwrap();
/// let plan = scaffold::render::render(&project).unwrap();
/// assert!(plan.get("src/orders/db_pool.py").is_some());
/// assert!(plan.get("src/orders/cache.py").is_none());
/// ```
pub fn render(project: &Project) -> Result<Plan> {
    let rules = file_table::parse(templates::file_table()?, |t| templates::get(t).is_some())?;
    render_with(project, &rules, &templates::environment()?)
}

/// Renders `project` with explicit rules and templates (the embedded ones in `render`).
pub fn render_with(project: &Project, rules: &[FileRule], env: &Environment<'_>) -> Result<Plan> {
    let base = Context::new(project);
    let mut plan = Plan::default();

    for rule in rules.iter().filter(|r| r.when.holds(project)) {
        let template = env
            .get_template(&rule.template)
            .map_err(|e| wrap(rule, None, &e))?;
        match rule.per {
            None => {
                let content = template
                    .render(Serde(&base))
                    .map_err(|e| wrap(rule, None, &e))?;
                add(&mut plan, rule, project, None, &content)?;
            }
            Some(kind) => {
                for resource in project.of_kind(kind) {
                    let ctx = Context {
                        item: Some(ResourceCtx::new(resource)),
                        ..base.clone()
                    };
                    let content = template
                        .render(Serde(&ctx))
                        .map_err(|e| wrap(rule, Some(resource), &e))?;
                    add(&mut plan, rule, project, Some(resource), &content)?;
                }
            }
        }
    }
    Ok(plan)
}

fn add(
    plan: &mut Plan,
    rule: &FileRule,
    project: &Project,
    item: Option<&Resource>,
    content: &str,
) -> Result<()> {
    let mut path = rule.path.replace("{package}", &project.package);
    if let Some(item) = item {
        path = path.replace("{name}", &item.name);
    }
    let path = RelPath::new(&path)?;
    if [MANIFEST_FILE, LOCK_FILE].contains(&path.as_str()) {
        return Err(Error::FileTable {
            message: format!(
                "`{}` renders to `{path}`, which scaffold owns",
                rule.template
            ),
        });
    }
    plan.insert(
        path,
        PlannedFile {
            content: normalize(content),
            owner: rule.owner,
        },
    )
}

fn wrap(rule: &FileRule, resource: Option<&Resource>, err: &minijinja::Error) -> Error {
    Error::Render {
        template: rule.template.clone(),
        resource: resource.map(|r| r.name.clone()),
        detail: format!("{err:#}"),
    }
}

/// The project's two commands (set up and run; test), one per line: the same text the
/// generated README shows, from the same template.
pub fn next_steps(project: &Project) -> Result<String> {
    const TEMPLATE: &str = "project/next_steps.j2";
    let env = templates::environment()?;
    let wrap = |err: minijinja::Error| Error::Render {
        template: TEMPLATE.to_owned(),
        resource: None,
        detail: format!("{err:#}"),
    };
    let template = env.get_template(TEMPLATE).map_err(wrap)?;
    template
        .render(Serde(&Context::new(project)))
        .map_err(wrap)
        .map(|s| normalize(&s))
}

/// `\n` line endings and exactly one final newline; an empty (or all-newline) render is empty.
pub fn normalize(content: &str) -> String {
    let unix = content.replace("\r\n", "\n");
    let trimmed = unix.trim_end_matches('\n');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    }
}

/// The template context; field names are the contract in `docs/design.md`.
#[derive(Clone, Serialize)]
struct Context {
    project: ProjectCtx,
    resources: Vec<ResourceCtx>,
    db_pools: Vec<ResourceCtx>,
    caches: Vec<ResourceCtx>,
    task_sets: Vec<ResourceCtx>,
    lifespan: Option<ResourceCtx>,
    has_db_pool: bool,
    has_cache: bool,
    has_task_set: bool,
    has_lifespan: bool,
    is_worker: bool,
    openable: Vec<ResourceCtx>,
    /// Only per-instance files see `item`; elsewhere it is undefined, so using it is an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<ResourceCtx>,
}

#[derive(Clone, Serialize)]
struct ProjectCtx {
    name: String,
    package: String,
    python: &'static str,
    scaffold_version: &'static str,
}

#[derive(Clone, Serialize)]
struct ResourceCtx {
    kind: &'static str,
    name: String,
    env: String,
    upper: String,
    options: BTreeMap<&'static str, OptionValue>,
}

impl ResourceCtx {
    fn new(resource: &Resource) -> Self {
        ResourceCtx {
            kind: resource.kind.id(),
            name: resource.name.clone(),
            env: resource.env(),
            upper: resource.upper(),
            options: resource.options.iter().cloned().collect(),
        }
    }
}

impl Context {
    fn new(project: &Project) -> Self {
        let of = |kind: ResourceKind| {
            project
                .of_kind(kind)
                .map(ResourceCtx::new)
                .collect::<Vec<_>>()
        };
        Context {
            project: ProjectCtx {
                name: project.name.clone(),
                package: project.package.clone(),
                python: project.python.as_str(),
                scaffold_version: SCAFFOLD_VERSION,
            },
            resources: project.resources.iter().map(ResourceCtx::new).collect(),
            db_pools: of(ResourceKind::DbPool),
            caches: of(ResourceKind::Cache),
            task_sets: of(ResourceKind::TaskSet),
            lifespan: project
                .of_kind(ResourceKind::Lifespan)
                .next()
                .map(ResourceCtx::new),
            has_db_pool: project.has(ResourceKind::DbPool),
            has_cache: project.has(ResourceKind::Cache),
            has_task_set: project.has(ResourceKind::TaskSet),
            has_lifespan: project.has(ResourceKind::Lifespan),
            is_worker: project.is_worker(),
            openable: project
                .resources
                .iter()
                .filter(|r| r.kind.is_openable())
                .map(ResourceCtx::new)
                .collect(),
            item: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use minijinja::{Environment, UndefinedBehavior};

    use super::*;
    use crate::model::{PythonVersion, ResourceSpec};

    fn project() -> Project {
        let specs = [
            ResourceSpec::parse("task-set:emails").unwrap(),
            ResourceSpec::parse("cache").unwrap(),
        ];
        Project::new("orders", PythonVersion::V3_12, &specs).unwrap()
    }

    fn env(source: &'static str) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_template("t.j2", source).unwrap();
        env
    }

    fn rules(table: &str) -> Vec<FileRule> {
        file_table::parse(table, |_| true).unwrap()
    }

    #[test]
    fn per_instance_rows_see_item_and_substitute_name() {
        let rules = rules(
            "[[file]]\ntemplate = \"t.j2\"\npath = \"src/{package}/jobs/{name}.py\"\nowner = \"user\"\nwhen = \"task-set\"\nper = \"task-set\"\n",
        );
        let plan = render_with(
            &project(),
            &rules,
            &env("{{ item.name }} {{ item.env }}|{{ openable|map(attribute='env')|join(',') }}"),
        )
        .unwrap();
        assert_eq!(
            plan.get("src/orders/jobs/emails.py").unwrap().content,
            "emails |REDIS_URL\n"
        );
    }

    #[test]
    fn undefined_names_fail_with_template_and_resource() {
        let table = "[[file]]\ntemplate = \"t.j2\"\npath = \"{name}.py\"\nowner = \"user\"\nwhen = \"always\"\nper = \"task-set\"\n";
        let err = render_with(&project(), &rules(table), &env("{{ item.nope }}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`t.j2`") && err.contains("resource `emails`"),
            "{err}"
        );
        let table =
            "[[file]]\ntemplate = \"t.j2\"\npath = \"x.py\"\nowner = \"user\"\nwhen = \"always\"\n";
        let err = render_with(&project(), &rules(table), &env("{{ item }}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`t.j2`") && err.contains("undefined"), "{err}");
    }

    #[test]
    fn scaffold_files_cannot_be_rendered() {
        let table = "[[file]]\ntemplate = \"t.j2\"\npath = \"scaffold.lock\"\nowner = \"user\"\nwhen = \"always\"\n";
        assert!(render_with(&project(), &rules(table), &env("x")).is_err());
    }

    #[test]
    fn when_conditions() {
        let table = "[[file]]\ntemplate = \"t.j2\"\npath = \"w\"\nowner = \"managed\"\nwhen = \"worker\"\n[[file]]\ntemplate = \"t.j2\"\npath = \"l\"\nowner = \"managed\"\nwhen = \"lifespan\"\n[[file]]\ntemplate = \"t.j2\"\npath = \"s\"\nowner = \"managed\"\nwhen = \"services\"\n";
        let plan = render_with(
            &project(),
            &rules(table),
            &env("{{ is_worker }} {{ lifespan }}"),
        )
        .unwrap();
        assert_eq!(plan.get("w").unwrap().content, "True None\n");
        assert!(plan.get("l").is_none());
        assert!(plan.get("s").is_some());
    }

    #[test]
    fn normalizes_endings() {
        assert_eq!(normalize("a\r\nb"), "a\nb\n");
        assert_eq!(normalize("a\n\n\n"), "a\n");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("\n\n"), "");
    }
}
