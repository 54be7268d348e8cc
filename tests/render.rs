//! Golden tests of the pure render: the full tree, manifest and lock for every combination of
//! the four kinds, and for a project with two instances of a kind.
//!
//! The templates change often; re-accept with `cargo insta test --accept` (or
//! `INSTA_UPDATE=always cargo test`) and review the diff. Nothing here is written by hand.

use std::fmt::Write;

use scaffold::lock::Lock;
use scaffold::model::Project;

use crate::common::{kind_combinations, project};

/// Everything a render produces for `project`, as one reviewable text.
pub fn render_report(project: &Project) -> String {
    let plan = scaffold::render::render(project).expect("render");
    let mut out = String::new();
    writeln!(out, "## files").unwrap();
    for (path, file) in plan.iter() {
        writeln!(out, "{path} ({})", file.owner).unwrap();
    }
    for (path, file) in plan.iter() {
        writeln!(out, "\n===== {path} ({}) =====", file.owner).unwrap();
        out.push_str(&file.content);
    }
    writeln!(out, "\n===== scaffold.toml =====").unwrap();
    out.push_str(&scaffold::manifest::render(project));
    writeln!(out, "\n===== scaffold.lock =====").unwrap();
    out.push_str(&Lock::from_plan(&plan).to_toml());
    out
}

fn snapshot(name: &str, project: &Project) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(format!("render__{name}"), render_report(project));
    });
}

#[test]
fn every_combination_of_kinds() {
    for chosen in kind_combinations() {
        snapshot(&chosen.join("+"), &project("orders", &chosen));
    }
}

#[test]
fn two_instances_of_a_kind() {
    let p = project(
        "orders",
        &[
            "db-pool",
            "db-pool:analytics",
            "cache",
            "task-set",
            "lifespan",
        ],
    );
    snapshot("two-db-pools", &p);
}

#[test]
fn every_rendered_file_ends_in_exactly_one_newline_or_is_empty() {
    let p = project(
        "orders",
        &[
            "db-pool",
            "db-pool:analytics",
            "cache",
            "task-set",
            "task-set:emails",
            "lifespan",
        ],
    );
    let plan = scaffold::render::render(&p).unwrap();
    for (path, file) in plan.iter() {
        let c = &file.content;
        assert!(!c.contains('\r'), "{path} has CR");
        assert!(
            c.is_empty() || (c.ends_with('\n') && !c.ends_with("\n\n")),
            "{path} ending"
        );
    }
    // One job module per task-set.
    assert!(plan.get("src/orders/jobs/workers.py").is_some());
    assert!(plan.get("src/orders/jobs/emails.py").is_some());
}
