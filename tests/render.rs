//! Golden tests of the pure render, sized for review: each generated file appears in full once.
//!
//! - `render__reference`: the project with one resource of every kind — its files (owner and
//!   hash), its manifest, its lock as path / owner / hash, then every file in full;
//! - `render__without-<kind>`: what each kind adds, as the diff from the project without it to
//!   the reference (so a kind's part of every shared file reads in one place);
//! - `render__two-of-each`: the diff from the reference to a project with two of every kind
//!   allowed twice;
//! - `render__combinations`: every combination of the kinds, as the hash of each file — any
//!   change to any file of any combination shows here, and in one of the above in full.
//!
//! The kinds come from the registry, so a new kind is covered without an edit here. Re-accept
//! with `cargo insta test --accept` (or `INSTA_UPDATE=always cargo test`) and review the diff.

use std::collections::BTreeSet;
use std::fmt::Write;

use scaffold::kinds;
use scaffold::lock::Lock;
use scaffold::model::Project;
use similar::TextDiff;

use crate::common::{kind_combinations, project};

/// Everything a render produces for `project`, as one reviewable text.
pub fn render_report(project: &Project) -> String {
    let plan = scaffold::render::render(project).expect("render");
    let lock = Lock::from_plan(&plan);
    let mut out = String::new();
    writeln!(out, "## files (owner, sha256 as in scaffold.lock)").unwrap();
    for f in &lock.files {
        writeln!(out, "{} {} {}", f.path, f.owner, &f.sha256[..12]).unwrap();
    }
    writeln!(out, "\n===== scaffold.toml =====").unwrap();
    out.push_str(&scaffold::manifest::render(project));
    for (path, file) in plan.iter() {
        writeln!(out, "\n===== {path} ({}) =====", file.owner).unwrap();
        out.push_str(&file.content);
    }
    out
}

/// The diff from `from` to `to`, file by file (added and removed files in full).
fn tree_diff(from: &Project, to: &Project) -> String {
    let a = scaffold::render::render(from).expect("render");
    let b = scaffold::render::render(to).expect("render");
    let paths: BTreeSet<String> = a
        .iter()
        .chain(b.iter())
        .map(|(p, _)| p.to_string())
        .collect();
    let mut out = String::new();
    for path in paths {
        let old = a.get(&path).map(|f| f.content.as_str());
        let new = b.get(&path).map(|f| f.content.as_str());
        if old == new {
            continue;
        }
        let diff = TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""));
        let label = match (old, new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        };
        writeln!(out, "===== {path} ({label}) =====").unwrap();
        write!(out, "{}", diff.unified_diff().context_radius(2)).unwrap();
    }
    let manifest = TextDiff::from_lines(
        scaffold::manifest::render(from),
        scaffold::manifest::render(to),
    )
    .unified_diff()
    .context_radius(2)
    .to_string();
    writeln!(out, "===== scaffold.toml (changed) =====\n{manifest}").unwrap();
    out
}

fn snapshot(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(format!("render__{name}"), text);
    });
}

fn reference_specs() -> Vec<String> {
    kinds::all().iter().map(|k| k.id().to_owned()).collect()
}

fn reference() -> Project {
    let specs = reference_specs();
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    project("orders", &specs)
}

/// Two of every kind allowed more than once, one of the others.
fn two_of_each() -> Project {
    let mut specs = Vec::new();
    for kind in kinds::all() {
        specs.push(kind.id().to_owned());
        if kind.max_instances().is_none() {
            specs.push(format!("{kind}:{}", kind.example_name()));
        }
    }
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    project("orders", &specs)
}

#[test]
fn the_reference_project_in_full() {
    snapshot("reference", render_report(&reference()));
}

#[test]
fn what_each_kind_adds() {
    for kind in kinds::all() {
        let rest: Vec<String> = reference_specs()
            .into_iter()
            .filter(|k| k != kind.id())
            .collect();
        if rest.is_empty() {
            continue;
        }
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        snapshot(
            &format!("without-{kind}"),
            tree_diff(&project("orders", &rest), &reference()),
        );
    }
}

#[test]
fn two_of_each_kind() {
    snapshot("two-of-each", tree_diff(&reference(), &two_of_each()));
}

#[test]
fn every_combination_of_kinds() {
    let mut out = String::new();
    for chosen in kind_combinations() {
        let plan = scaffold::render::render(&project("orders", &chosen)).expect("render");
        writeln!(out, "## {}", chosen.join("+")).unwrap();
        for f in Lock::from_plan(&plan).files {
            writeln!(out, "{} {} {}", f.path, f.owner, &f.sha256[..12]).unwrap();
        }
        out.push('\n');
    }
    snapshot("combinations", out);
}

#[test]
fn every_rendered_file_ends_in_exactly_one_newline_or_is_empty() {
    let plan = scaffold::render::render(&two_of_each()).unwrap();
    for (path, file) in plan.iter() {
        let c = &file.content;
        assert!(!c.contains('\r'), "{path} has CR");
        assert!(
            c.is_empty() || (c.ends_with('\n') && !c.ends_with("\n\n")),
            "{path} ending"
        );
    }
}
