//! Python import blocks as ruff's isort writes them, for templates whose imports come partly from
//! the kinds present (`python_imports(...)` in a template).
//!
//! A shared template lists its own import lines; each kind offers more for that file in its
//! `kind.toml` (`[offers.imports] <file> = [...]`). This module merges them into the block a
//! generated file must start with to pass `ruff check` (rule I001) and `ruff format`: sections
//! (standard library, third party, the package, the tests' `scaffold_*` helpers) separated by
//! one blank line; in each, `import x` lines first, then `from x import ...`, by module; names
//! from one module merged on one line, constants first, then classes, then the rest; a line
//! longer than the generated projects' line length wrapped one name per line.

use std::collections::{BTreeMap, BTreeSet};

use crate::names;

/// The `line-length` of the generated projects' ruff configuration.
pub const LINE_LENGTH: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Stdlib,
    ThirdParty,
    FirstParty,
    Local,
}

fn section(module: &str, package: &str) -> Section {
    let top = module.split('.').next().unwrap_or(module);
    if top == package {
        Section::FirstParty
    } else if top.starts_with("scaffold_") {
        // The generated tests' helper modules (`known-local-folder` in the generated config).
        Section::Local
    } else if names::STDLIB_MODULES.contains(&top) {
        Section::Stdlib
    } else {
        Section::ThirdParty
    }
}

/// A module as sorted (case-insensitive) and as written.
type ModuleKey = (String, String);

/// isort's order of imported names with `order-by-type`: CONSTANTS, Classes, then the rest.
fn name_key(name: &str) -> (u8, String) {
    let bare = name.split(" as ").next().unwrap_or(name).trim();
    let kind = if bare.len() > 1 && bare == bare.to_ascii_uppercase() {
        0
    } else if bare.starts_with(|c: char| c.is_ascii_uppercase()) {
        1
    } else {
        2
    };
    (kind, bare.to_owned())
}

/// The import block for `lines` (`import x`, `import x as y`, `from x import a, b as c`), or an
/// error naming a line that is neither. `{package}` in a line is replaced by `package`.
pub fn format(package: &str, lines: &[String]) -> Result<String, String> {
    let mut plain: BTreeMap<Section, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut from: BTreeMap<Section, BTreeMap<ModuleKey, BTreeSet<(u8, String)>>> = BTreeMap::new();
    for line in lines {
        let line = line.replace("{package}", package);
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("from ") {
            let (module, names) = rest
                .split_once(" import ")
                .ok_or_else(|| format!("`{line}` is not an import line"))?;
            let module = module.trim();
            let entry = from
                .entry(section(module, package))
                .or_default()
                .entry((module.to_ascii_lowercase(), module.to_owned()))
                .or_default();
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let (kind, _) = name_key(name);
                entry.insert((kind, name.to_owned()));
            }
        } else if let Some(module) = line.strip_prefix("import ") {
            let module = module.trim();
            let top = module.split(" as ").next().unwrap_or(module);
            plain
                .entry(section(top, package))
                .or_default()
                .insert((module.to_ascii_lowercase(), module.to_owned()));
        } else {
            return Err(format!("`{line}` is not an import line"));
        }
    }
    let sections: BTreeSet<Section> = plain.keys().chain(from.keys()).copied().collect();
    let mut blocks = Vec::new();
    for s in sections {
        let mut out = Vec::new();
        for (_, module) in plain.get(&s).into_iter().flatten() {
            out.push(format!("import {module}"));
        }
        for ((_, module), names) in from.get(&s).into_iter().flatten() {
            // `combine-as-imports = false`: each `x as y` keeps a line of its own, by its name.
            let (aliased, plain): (Vec<&str>, Vec<&str>) = names
                .iter()
                .map(|(_, n)| n.as_str())
                .partition(|n| n.contains(" as "));
            let mut lines: Vec<(String, String)> = aliased
                .iter()
                .map(|n| (name_key(n).1, format!("from {module} import {n}")))
                .collect();
            if !plain.is_empty() {
                let one = format!("from {module} import {}", plain.join(", "));
                let line = if one.len() <= LINE_LENGTH {
                    one
                } else {
                    let body: String = plain.iter().map(|n| format!("    {n},\n")).collect();
                    format!("from {module} import (\n{body})")
                };
                lines.push((name_key(plain[0]).1, line));
            }
            lines.sort();
            out.extend(lines.into_iter().map(|(_, line)| line));
        }
        blocks.push(out.join("\n"));
    }
    Ok(blocks.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn sections_order_and_merge() {
        let got = format(
            "orders",
            &lines(&[
                "from scaffold_support import service_env, OPENABLE",
                "import pytest",
                "from {package}.settings import Settings",
                "from typing import Any",
                "import asyncio",
                "from scaffold_support import eventually_closed",
                "from redis.asyncio import Redis",
                "import asyncpg",
                "from orders.lifecycle import ShutdownBudget, READINESS_TIMEOUT, Budget",
                "import asyncio",
            ]),
        )
        .unwrap();
        assert_eq!(
            got,
            "import asyncio\nfrom typing import Any\n\n\
             import asyncpg\nimport pytest\nfrom redis.asyncio import Redis\n\n\
             from orders.lifecycle import READINESS_TIMEOUT, Budget, ShutdownBudget\n\
             from orders.settings import Settings\n\n\
             from scaffold_support import OPENABLE, eventually_closed, service_env"
        );
    }

    #[test]
    fn aliased_names_keep_a_line_each() {
        let got = format(
            "orders",
            &lines(&[
                "from orders.jobs import workers as workers_jobs",
                "from orders.jobs import emails as emails_jobs",
            ]),
        )
        .unwrap();
        assert_eq!(
            got,
            "from orders.jobs import emails as emails_jobs\nfrom orders.jobs import workers as workers_jobs"
        );
    }

    #[test]
    fn long_lines_wrap_one_name_per_line() {
        let names: Vec<String> = (0..12).map(|i| format!("helper_number_{i}")).collect();
        let line = format!("from scaffold_support import {}", names.join(", "));
        let got = format("orders", &[line]).unwrap();
        assert!(got.starts_with("from scaffold_support import (\n    helper_number_0,\n"));
        assert!(got.ends_with("    helper_number_9,\n)"), "{got}");
    }

    #[test]
    fn a_line_that_is_no_import_is_an_error() {
        assert!(format("orders", &lines(&["print()"])).is_err());
        assert!(format("orders", &lines(&["from x"])).is_err());
        assert_eq!(format("orders", &[]).unwrap(), "");
    }
}
