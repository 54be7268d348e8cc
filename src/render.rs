//! Rendering: `Project` → `Plan`, driven by the template table.
//!
//! Builds the template context described in `docs/design.md` (see [`Context`]), renders each row of `templates/files.toml` whose `when` holds, and
//! normalizes the output: `\n` line endings and exactly one final newline (an empty render stays
//! empty). Pure: no file system, no clock, no randomness.

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::file_table::{self, FileRule};
use crate::kinds::{self, KindSpec, OptionValue, Role};
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
/// let kind = scaffold::kinds::all()[0];
/// let project = Project::new("orders", PythonVersion::V3_12, &[ResourceSpec::parse(kind.id()).unwrap()]).unwrap();
/// let plan = scaffold::render::render(&project).unwrap();
/// assert!(plan.get("src/orders/settings.py").is_some());
/// assert!(plan.get("scaffold.toml").is_none());
/// ```
pub fn render(project: &Project) -> Result<Plan> {
    render_with(
        project,
        &file_table::all_rules()?,
        &templates::environment()?,
    )
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
                    .render(base.value())
                    .map_err(|e| wrap(rule, None, &e))?;
                add(&mut plan, rule, project, None, &content)?;
            }
            Some(kind) => {
                for resource in project.of_kind(kind) {
                    let content = template
                        .render(base.with_item(resource).value())
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
        .render(Context::new(project).value())
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

/// The template context, a map of names (the contract in `docs/design.md`):
///
/// - `project`, `resources` (every resource, manifest order), by role: `openable` (the
///   composition opens them), `tasks` (supervised jobs), `runtime` (what runs the service, or
///   none: `is_worker`), `all_kinds` (the registry), and `item` in per-instance files;
/// - `kinds`: the kinds present, in registry order, each with its `macros` template (shared
///   templates `{% import k.macros as m %}` and call the kind's part of the file), `offers`
///   and `resources`; every resource carries `role` and `macros` too;
/// - `dependencies`, `dev_dependencies` (the requirements of the kinds present, sorted) and
///   `servers` (the servers they need, sorted);
/// - every resource carries its kind's `offers` from `kind.toml`, its `role` and `server`.
///
/// No name in the context is a kind's: templates ask the kinds, by role or through their macros.
#[derive(Clone)]
struct Context(BTreeMap<String, Value>);

impl Context {
    fn new(project: &Project) -> Self {
        let mut ctx = BTreeMap::new();
        let of = |keep: &dyn Fn(&Resource) -> bool| {
            ser(project
                .resources
                .iter()
                .filter(|r| keep(r))
                .map(ResourceCtx::new)
                .collect::<Vec<_>>())
        };
        ctx.insert(
            "project".to_owned(),
            ser(ProjectCtx {
                name: project.name.clone(),
                package: project.package.clone(),
                python: project.python.as_str(),
                scaffold_version: SCAFFOLD_VERSION,
            }),
        );
        ctx.insert("resources".to_owned(), of(&|_| true));
        ctx.insert(
            "openable".to_owned(),
            of(&|r| r.kind.role() == Role::Resource),
        );
        ctx.insert("tasks".to_owned(), of(&|r| r.kind.role() == Role::Tasks));
        let runtime = project.of_role(Role::Runtime).next().map(ResourceCtx::new);
        ctx.insert("runtime".to_owned(), ser(runtime));
        ctx.insert(
            "all_kinds".to_owned(),
            ser(kinds::all()
                .iter()
                .map(|k| KindInfo {
                    id: k.id(),
                    role: k.role(),
                })
                .collect::<Vec<_>>()),
        );
        ctx.insert("is_worker".to_owned(), Value::from(project.is_worker()));
        let present: Vec<_> = kinds::all()
            .into_iter()
            .filter(|k| project.has(*k))
            .collect();
        let union = |pick: &dyn Fn(&KindSpec) -> &[String]| {
            let mut all: Vec<&String> = present.iter().flat_map(|k| pick(k.spec())).collect();
            all.sort();
            all.dedup();
            ser(all)
        };
        ctx.insert("dependencies".to_owned(), union(&|k| &k.dependencies));
        ctx.insert(
            "dev_dependencies".to_owned(),
            union(&|k| &k.dev_dependencies),
        );
        ctx.insert(
            "kinds".to_owned(),
            ser(present
                .iter()
                .map(|k| KindCtx {
                    id: k.id(),
                    role: k.role(),
                    macros: macros_of(k.id()),
                    offers: &k.spec().offers,
                    resources: project.of_kind(*k).map(ResourceCtx::new).collect(),
                })
                .collect::<Vec<_>>()),
        );
        let mut servers: Vec<&str> = present
            .iter()
            .filter_map(|k| k.spec().server.as_deref())
            .collect();
        servers.sort_unstable();
        servers.dedup();
        ctx.insert("servers".to_owned(), ser(servers));
        Context(ctx)
    }

    /// The context of a per-instance file: the base with `item` set.
    fn with_item(&self, resource: &Resource) -> Self {
        let mut ctx = self.0.clone();
        ctx.insert("item".to_owned(), ser(ResourceCtx::new(resource)));
        Context(ctx)
    }

    fn value(&self) -> Value {
        ser(&self.0)
    }
}

fn ser<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

#[derive(Clone, Serialize)]
struct ProjectCtx {
    name: String,
    package: String,
    python: &'static str,
    scaffold_version: &'static str,
}

/// A kind of the registry, present or not (for hints such as "`scaffold add resource <id>`").
#[derive(Clone, Serialize)]
struct KindInfo {
    id: &'static str,
    role: Role,
}

/// A kind present in the project, for blocks written once per kind (`kinds`).
#[derive(Clone, Serialize)]
struct KindCtx {
    id: &'static str,
    role: Role,
    /// The kind's macros template (`kinds/<id>/macros.j2`): shared templates import it to ask
    /// the kind for its part of a file.
    macros: String,
    offers: &'static BTreeMap<String, toml::Value>,
    resources: Vec<ResourceCtx>,
}

fn macros_of(id: &str) -> String {
    format!("{}/{id}/macros.j2", kinds::KINDS_DIR)
}

#[derive(Clone, Serialize)]
struct ResourceCtx {
    kind: &'static str,
    role: Role,
    macros: String,
    /// The server it connects to (`postgres`), if any: `servers/<server>.j2` has its macros.
    server: Option<&'static str>,
    name: String,
    env: String,
    upper: String,
    options: BTreeMap<&'static str, OptionValue>,
    offers: &'static BTreeMap<String, toml::Value>,
}

impl ResourceCtx {
    fn new(resource: &Resource) -> Self {
        ResourceCtx {
            kind: resource.kind.id(),
            role: resource.kind.role(),
            macros: macros_of(resource.kind.id()),
            server: resource.kind.spec().server.as_deref(),
            name: resource.name.clone(),
            env: resource.env(),
            upper: resource.upper(),
            options: resource.options.iter().cloned().collect(),
            offers: &resource.kind.spec().offers,
        }
    }
}

#[cfg(test)]
mod tests {
    use minijinja::{Environment, UndefinedBehavior};

    use super::*;
    use crate::file_table::When;
    use crate::kinds::ResourceKind;
    use crate::model::{PythonVersion, ResourceSpec};
    use crate::plan::Owner;

    /// A kind allowed more than once (to render two instances of it).
    fn repeatable() -> ResourceKind {
        kinds::all()
            .into_iter()
            .find(|k| k.max_instances().is_none() && k.name_shadows_modules())
            .expect("a kind allowed more than once")
    }

    fn project() -> Project {
        let kind = repeatable();
        let specs = [
            ResourceSpec {
                kind,
                name: Some("first".into()),
            },
            ResourceSpec {
                kind,
                name: Some("second".into()),
            },
        ];
        Project::new("orders", PythonVersion::V3_12, &specs).unwrap()
    }

    fn env(source: &'static str) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_template("t.j2", source).unwrap();
        env
    }

    fn rule(path: &str, when: When, per: Option<ResourceKind>) -> FileRule {
        FileRule {
            template: "t.j2".into(),
            path: path.into(),
            owner: Owner::User,
            when,
            per,
        }
    }

    #[test]
    fn per_instance_rows_see_item_and_substitute_name() {
        let kind = repeatable();
        let rules = [rule(
            "src/{package}/x/{name}.py",
            When::Kind(kind),
            Some(kind),
        )];
        let plan = render_with(
            &project(),
            &rules,
            &env("{{ item.name }}|{{ resources|map(attribute='name')|join(',') }}"),
        )
        .unwrap();
        assert_eq!(
            plan.get("src/orders/x/first.py").unwrap().content,
            "first|first,second\n"
        );
        assert_eq!(
            plan.get("src/orders/x/second.py").unwrap().content,
            "second|first,second\n"
        );
    }

    #[test]
    fn the_context_names_roles_and_kinds_never_a_kind() {
        let kind = repeatable();
        let snake = kind.id().replace('-', "_");
        let source = format!(
            "{{{{ kinds|map(attribute='id')|join(',') }}}} {{{{ kinds[0].resources|length }}}} \
             {{{{ kinds[0].macros }}}} {{{{ resources[0].role }}}} \
             {{{{ has_{snake} is defined }}}} {{{{ {snake}s is defined }}}}"
        );
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_template_owned("t.j2", source).unwrap();
        let plan = render_with(&project(), &[rule("a", When::Always, None)], &env).unwrap();
        let want = format!(
            "{id} 2 kinds/{id}/macros.j2 {role} False False\n",
            id = kind.id(),
            role = serde_json::to_value(kind.role()).unwrap().as_str().unwrap()
        );
        assert_eq!(plan.get("a").unwrap().content, want);
    }

    #[test]
    fn undefined_names_fail_with_template_and_resource() {
        let kind = repeatable();
        let rules = [rule("{name}.py", When::Always, Some(kind))];
        let err = render_with(&project(), &rules, &env("{{ item.nope }}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`t.j2`") && err.contains("resource `first`"),
            "{err}"
        );
        let err = render_with(
            &project(),
            &[rule("x.py", When::Always, None)],
            &env("{{ item }}"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`t.j2`") && err.contains("undefined"), "{err}");
    }

    #[test]
    fn scaffold_files_cannot_be_rendered() {
        let rules = [rule("scaffold.lock", When::Always, None)];
        assert!(render_with(&project(), &rules, &env("x")).is_err());
    }

    #[test]
    fn when_conditions() {
        let rules = [rule("w", When::Worker, None), rule("a", When::Always, None)];
        let plan = render_with(&project(), &rules, &env("{{ is_worker }}")).unwrap();
        let worker = repeatable().role() != Role::Runtime;
        assert_eq!(plan.get("w").is_some(), worker);
        let shown = if worker { "True" } else { "False" };
        assert_eq!(plan.get("a").unwrap().content, format!("{shown}\n"));
    }

    #[test]
    fn normalizes_endings() {
        assert_eq!(normalize("a\r\nb"), "a\nb\n");
        assert_eq!(normalize("a\n\n\n"), "a\n");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("\n\n"), "");
    }
}
