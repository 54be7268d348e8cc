//! Arbitrary names and `--resource` strings never panic: the exit code is 0 or 2.

use std::path::{Component, Path};

use proptest::prelude::*;
use scaffold::relpath::RelPath;

use crate::common::TestDir;

fn resource() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        Just("db-pool".to_owned()),
        Just("cache".to_owned()),
        Just("task-set".to_owned()),
        Just("lifespan".to_owned()),
        "[a-z:-]{0,9}",
    ];
    let name = prop_oneof![Just(String::new()), "[a-zA-Z0-9_]{0,10}", "\\PC{0,10}"];
    (kind, proptest::option::of(name)).prop_map(|(k, n)| match n {
        Some(n) => format!("{k}:{n}"),
        None => k,
    })
}

fn project_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_.-]{1,12}",
        "\\PC{1,12}",
        Just("orders".to_owned())
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(name in project_name(), resources in proptest::collection::vec(resource(), 0..4)) {
        let dir = TestDir::new();
        let mut cmd = dir.scaffold(&["new", "--no-input", "--dir", "out"]);
        cmd.arg("--").arg(&name);
        for r in &resources {
            cmd.arg(format!("--resource={r}"));
        }
        let out = cmd.output().unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(matches!(code, Some(0) | Some(2)), "exit {code:?}: {stderr}");
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        if code == Some(2) {
            prop_assert!(!dir.path().join("out").exists(), "wrote on failure: {stderr}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// A path the guard accepts never leaves the directory it is joined to.
    #[test]
    fn relpath_stays_under_the_root(path in "[a-z./\\\\:]{0,12}|\\PC{0,12}") {
        if let Ok(rel) = RelPath::new(&path) {
            let joined = Path::new("/root").join(rel.as_str());
            prop_assert!(joined.starts_with("/root"));
            for component in Path::new(rel.as_str()).components() {
                prop_assert!(matches!(component, Component::Normal(_)), "{path:?}");
            }
        }
    }
}
