//! Same inputs, byte-identical outputs: in memory, and through the binary into two directories.

use crate::common::{TestDir, project, read_tree};
use crate::render::render_report;

#[test]
fn two_renders_are_identical() {
    let specs = [
        "db-pool",
        "db-pool:analytics",
        "cache",
        "task-set",
        "lifespan",
    ];
    assert_eq!(
        render_report(&project("orders", &specs)),
        render_report(&project("orders", &specs))
    );
}

#[test]
fn two_runs_write_identical_trees() {
    let dir = TestDir::new();
    let args = |target: &'static str| {
        vec![
            "new",
            "orders",
            "--dir",
            target,
            "--resource",
            "db-pool",
            "--resource",
            "cache",
            "--resource",
            "task-set",
            "--resource",
            "lifespan",
        ]
    };
    for target in ["one", "two"] {
        let status = dir.scaffold(&args(target)).status().unwrap();
        assert!(status.success());
    }
    let one = read_tree(&dir.path().join("one"));
    let two = read_tree(&dir.path().join("two"));
    assert!(one.contains_key("scaffold.toml") && one.contains_key("scaffold.lock"));
    assert_eq!(one, two);
}
