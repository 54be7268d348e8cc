//! Every name in a generated project that something will download — a Python package, a tool run
//! by `uvx` or installed by `cargo install`/`pip`, a GitHub Action, a container image — is one we
//! chose: ours (`asyncio-scaffold`), pinned in `constraints/python.txt`, or on a short list below.
//!
//! The reason: `scaffold` on crates.io and PyPI is somebody else's package, and a generated CI
//! once ran `cargo install scaffold`. This greps every file of every combination of kinds.

use std::collections::BTreeSet;

use scaffold::model::Project;

use crate::common::{kind_combinations, project};

/// Ours.
const OUR_PACKAGE: &str = "asyncio-scaffold";
/// Actions the generated workflow may use (owner/name).
const ACTIONS: &[&str] = &["actions/checkout", "astral-sh/setup-uv"];
/// Images the Dockerfile, compose file and workflow may pull (name without tag).
const IMAGES: &[&str] = &["python", "postgres", "redis", "ghcr.io/astral-sh/uv"];
/// Commands that install or run a package named by a later word.
const INSTALLERS: &[&str] = &[
    "cargo install",
    "cargo binstall",
    "uv tool install",
    "uv tool run",
    "uvx",
    "pipx install",
    "pipx run",
    "pip install",
    "uv pip install",
    "uv add",
];

/// Every combination of the kinds, and one with two instances of each openable kind.
fn projects() -> Vec<Project> {
    let mut out: Vec<Project> = kind_combinations()
        .iter()
        .map(|chosen| project("orders", chosen))
        .collect();
    out.push(project(
        "orders",
        &[
            "db-pool",
            "db-pool:analytics",
            "cache",
            "cache:sessions",
            "task-set",
            "lifespan",
        ],
    ));
    out
}

/// Package names pinned for generated projects (normalised: lowercase, `_`/`.` → `-`).
fn pinned_packages() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/constraints/python.txt"
    ))
    .expect("constraints/python.txt");
    text.lines()
        .filter_map(|l| l.split_once("==").map(|(name, _)| normalise(name)))
        .collect()
}

fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// A requirement's name: `redis>=5.2,<9` → `redis`, `asyncio-scaffold==0.1.0` → `asyncio-scaffold`.
fn requirement_name(spec: &str) -> String {
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    normalise(&spec[..end])
}

/// The packages that an installer command on `line` names, e.g. `uvx --from X scaffold` → X.
fn installed_packages(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for installer in INSTALLERS {
        let mut rest = line;
        while let Some(at) = rest.find(installer) {
            let after = &rest[at + installer.len()..];
            rest = after;
            let before_ok = at == 0
                || !line.as_bytes()[line.len() - after.len() - installer.len() - 1]
                    .is_ascii_alphanumeric();
            if !before_ok || !after.starts_with(' ') {
                continue;
            }
            let mut words = after
                .split_whitespace()
                .map(|w| w.trim_matches(|c| "`'\"".contains(c)));
            while let Some(word) = words.next() {
                match word {
                    "--from" | "--with" => {
                        if let Some(package) = words.next() {
                            found.push(requirement_name(package));
                        }
                        break;
                    }
                    "--version" | "--python" | "-p" | "--index-url" | "--root" => {
                        words.next();
                    }
                    flag if flag.starts_with('-') => {}
                    package => {
                        found.push(requirement_name(package));
                        break;
                    }
                }
            }
        }
    }
    found
}

/// Whether `line` has `scaffold` followed by a version operator or extras, not as part of a
/// longer name.
fn names_bare_scaffold(line: &str) -> bool {
    line.match_indices("scaffold").any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = &line[at + "scaffold".len()..];
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            // Not `@`: `scaffold@host` is a URL's user (`cargo install scaffold@1` is caught
            // by `installed_packages`).
            && ["==", ">=", "<=", "~=", "["].iter().any(|op| after.starts_with(op))
    })
}

/// `[project].dependencies` and every `[dependency-groups]` list of a pyproject.toml.
fn pyproject_requirements(text: &str) -> Vec<String> {
    let doc: toml::Table = toml::from_str(text).expect("pyproject parses");
    let mut out = Vec::new();
    let strings = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(requirement_name))
            .collect()
    };
    if let Some(deps) = doc.get("project").and_then(|p| p.get("dependencies")) {
        out.extend(strings(deps));
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(|g| g.as_table()) {
        for list in groups.values() {
            out.extend(strings(list));
        }
    }
    out
}

#[test]
fn every_downloaded_name_in_a_generated_project_is_one_we_chose() {
    let pinned = pinned_packages();
    assert!(
        pinned.contains("redis") && pinned.contains("fastapi"),
        "{pinned:?}"
    );
    let mut problems = Vec::new();
    let mut seen_ours = false;
    for project in projects() {
        let plan = scaffold::render::render(&project).expect("render");
        for (path, file) in plan.iter() {
            for (n, line) in file.content.lines().enumerate() {
                let at = format!("{path}:{}: {line}", n + 1);
                for package in installed_packages(line) {
                    seen_ours |= package == OUR_PACKAGE;
                    if package != OUR_PACKAGE && !pinned.contains(&package) {
                        problems.push(format!("installs `{package}`: {at}"));
                    }
                }
                // `scaffold` is never a package name, only our command.
                if names_bare_scaffold(line) {
                    problems.push(format!("names the package `scaffold`: {at}"));
                }
                if let Some(action) = line
                    .trim_start()
                    .trim_start_matches("- ")
                    .strip_prefix("uses: ")
                {
                    let name = action.split('@').next().unwrap_or_default().trim();
                    if !ACTIONS.contains(&name) {
                        problems.push(format!("uses the action `{name}`: {at}"));
                    }
                    if !action.contains('@') {
                        problems.push(format!("an action without a version: {at}"));
                    }
                }
                let image = line
                    .trim_start()
                    .strip_prefix("image: ")
                    .or_else(|| line.strip_prefix("FROM "))
                    .or_else(|| {
                        // `COPY --from=<stage>` names a build stage, `--from=<image>` an image.
                        line.strip_prefix("COPY --from=")
                            .filter(|r| r.split(' ').next().is_some_and(|i| i.contains(['/', ':'])))
                    });
                if let Some(image) = image {
                    let name = image.split([':', ' ']).next().unwrap_or_default();
                    if !IMAGES.contains(&name) {
                        problems.push(format!("pulls the image `{name}`: {at}"));
                    }
                }
            }
            if path.as_str() == "pyproject.toml" {
                for package in pyproject_requirements(&file.content) {
                    if !pinned.contains(&package) {
                        problems.push(format!(
                            "{path}: depends on `{package}`, not in constraints/python.txt"
                        ));
                    }
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    assert!(
        seen_ours,
        "the drift job no longer installs {OUR_PACKAGE}: update this test"
    );
}

#[test]
fn the_installer_parser_finds_what_each_command_installs() {
    let cases: &[(&str, &[&str])] = &[
        (
            "run: cargo install --locked scaffold --version 0.1.0",
            &["scaffold"],
        ),
        (
            "run: uvx --from asyncio-scaffold==0.1.0 scaffold regen --check",
            &["asyncio-scaffold"],
        ),
        ("uvx ruff check", &["ruff"]),
        ("pip install -U Foo_Bar>=2", &["foo-bar"]),
        ("uv tool install asyncio-scaffold", &["asyncio-scaffold"]),
        ("`pipx install scaffold`", &["scaffold"]),
        ("uv run pytest", &[]),
        ("uv sync --locked", &[]),
    ];
    for (line, want) in cases {
        assert_eq!(installed_packages(line), *want, "{line}");
    }
    assert!(names_bare_scaffold("uvx --from scaffold==0.1.0 scaffold"));
    assert!(!names_bare_scaffold(
        "uvx --from asyncio-scaffold==0.1.0 scaffold regen"
    ));
}

/// A package named like a module the generated project puts at the top of `tests/` or at its
/// root (`scaffold_app`, `conftest`) is shadowed by it, and the project's own tests fail on a
/// circular import: every such name in every combination's generated tree is refused, as is
/// `test` (CPython's regression suite: `python -m test` runs it).
#[test]
fn a_package_named_like_a_generated_module_is_refused() {
    let mut top_level = BTreeSet::new();
    for project in projects() {
        let plan = scaffold::render::render(&project).expect("render");
        for (path, _) in plan.iter() {
            let path = path.to_string();
            let module = match path.split_once('/') {
                Some(("tests", rest)) if !rest.contains('/') => rest.strip_suffix(".py"),
                None => path.strip_suffix(".py"),
                _ => None,
            };
            if let Some(m) = module.filter(|m| !m.starts_with("__")) {
                top_level.insert(m.to_owned());
            }
        }
    }
    assert!(top_level.contains("scaffold_app"), "{top_level:?}");
    assert!(top_level.contains("scaffold_worker"), "{top_level:?}");
    for name in top_level
        .iter()
        .map(String::as_str)
        .chain(["test", "tests", "src"])
    {
        assert!(
            scaffold::names::check_package_name(name).is_err(),
            "`{name}` is generated at the top level but accepted as a package name"
        );
    }
}
