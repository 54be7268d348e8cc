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

// The stable stand-in for the cargo-fuzz targets in `fuzz/` (which need nightly): the manifest
// parser (bytes → `Manifest` → `Project`, then the `add`/`remove` edits) and the lock parser,
// fed arbitrary bytes and mutated valid files. Either `Ok` or an `Err` naming the file; never a
// panic (proptest fails the case on a panic). Rounds: `SCAFFOLD_FUZZ_CASES`, default 5 000.

mod parsers {
    use std::path::Path;
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use scaffold::kinds;
    use scaffold::lock::Lock;
    use scaffold::manifest::{self, Manifest};
    use scaffold::model::{Project, PythonVersion, ResourceSpec};

    fn cases() -> u32 {
        std::env::var("SCAFFOLD_FUZZ_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(5_000)
    }

    /// A valid manifest and lock of a project with every kind.
    static SEEDS: LazyLock<(String, String)> = LazyLock::new(|| {
        let specs: Vec<ResourceSpec> = ["db-pool", "cache", "task-set", "lifespan"]
            .iter()
            .map(|s| ResourceSpec::parse(s).unwrap())
            .collect();
        let project = Project::new("orders", PythonVersion::V3_12, &specs).unwrap();
        let plan = scaffold::render::render(&project).unwrap();
        let mut lock = Lock::from_plan(&plan);
        // Keep the lock seed small: a few short files are enough to reach every branch.
        lock.files.truncate(3);
        for file in &mut lock.files {
            let mut end = file.base.len().min(80);
            while !file.base.is_char_boundary(end) {
                end -= 1;
            }
            file.base.truncate(end);
            file.sha256 = scaffold::lock::sha256_hex(&file.base);
        }
        (manifest::render(&project), lock.to_toml())
    });

    /// Byte-level mutations of a valid file: delete, insert or overwrite a run of bytes.
    #[derive(Clone, Debug)]
    enum Mutation {
        Delete { at: usize, len: usize },
        Insert { at: usize, bytes: Vec<u8> },
        Overwrite { at: usize, bytes: Vec<u8> },
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        // Bytes that matter to TOML and to the validation: quotes, brackets, escapes, digits,
        // newlines, keys' characters, and some non-ASCII / invalid UTF-8.
        let interesting = prop_oneof![
            4 => proptest::sample::select(
                b"\"'[]{}=.,#\\\n\r\t 0123456789-_+:abcdefkmnprstuvxyz".to_vec()
            ),
            1 => any::<u8>(),
        ];
        let bytes = proptest::collection::vec(interesting, 1..8);
        prop_oneof![
            (any::<usize>(), 1..16usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
            (any::<usize>(), bytes.clone()).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
            (any::<usize>(), bytes).prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        ]
    }

    fn mutate(seed: &str, mutations: &[Mutation]) -> Vec<u8> {
        let mut data = seed.as_bytes().to_vec();
        for m in mutations {
            let n = data.len();
            match m {
                Mutation::Delete { at, len } if n > 0 => {
                    let at = at % n;
                    data.drain(at..(at + len).min(n));
                }
                Mutation::Insert { at, bytes } => {
                    let at = at % (n + 1);
                    data.splice(at..at, bytes.iter().copied());
                }
                Mutation::Overwrite { at, bytes } if n > 0 => {
                    let at = at % n;
                    for (i, b) in bytes.iter().enumerate() {
                        if let Some(slot) = data.get_mut(at + i) {
                            *slot = *b;
                        }
                    }
                }
                _ => {}
            }
        }
        data
    }

    /// What `fuzz/fuzz_targets/manifest.rs` checks, on one input.
    fn check_manifest(data: &[u8]) -> Result<(), TestCaseError> {
        let path = Path::new("fuzz/scaffold.toml");
        match Manifest::from_bytes(data, path) {
            Ok(manifest) => {
                let text = manifest.updated_text();
                if let Err(e) = Manifest::parse(&text, path) {
                    return Err(TestCaseError::fail(format!(
                        "written text does not read back: {e}"
                    )));
                }
                for kind in kinds::all() {
                    let _ = manifest.add_resource(kind, "fuzzed");
                }
                if let Some(first) = manifest.project.resources.first() {
                    let _ = manifest.remove_resource(&first.name);
                }
            }
            Err(err) => {
                prop_assert!(err.to_string().contains("fuzz/scaffold.toml"), "{err}");
            }
        }
        Ok(())
    }

    /// What `fuzz/fuzz_targets/lock.rs` checks, on one input.
    fn check_lock(data: &[u8]) -> Result<(), TestCaseError> {
        let Ok(text) = std::str::from_utf8(data) else {
            return Ok(());
        };
        let path = Path::new("fuzz/scaffold.lock");
        match Lock::parse(text, path) {
            Ok(lock) => {
                let back = Lock::parse(&lock.to_toml(), path);
                prop_assert!(back.as_ref().is_ok_and(|b| *b == lock), "{back:?}");
            }
            Err(err) => {
                prop_assert!(err.to_string().contains("fuzz/scaffold.lock"), "{err}");
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn manifest_parser_never_panics(
            input in prop_oneof![
                1 => proptest::collection::vec(any::<u8>(), 0..200),
                1 => "\\PC{0,120}".prop_map(String::into_bytes),
                6 => proptest::collection::vec(mutation(), 1..4)
                    .prop_map(|m| mutate(&SEEDS.0, &m)),
            ]
        ) {
            check_manifest(&input)?;
        }

        #[test]
        fn lock_parser_never_panics(
            input in prop_oneof![
                1 => proptest::collection::vec(any::<u8>(), 0..200),
                1 => "\\PC{0,120}".prop_map(String::into_bytes),
                6 => proptest::collection::vec(mutation(), 1..4)
                    .prop_map(|m| mutate(&SEEDS.1, &m)),
            ]
        ) {
            check_lock(&input)?;
        }
    }

    /// The seeds themselves parse (else the mutations test only the error paths).
    #[test]
    fn seeds_are_valid() {
        check_manifest(SEEDS.0.as_bytes()).unwrap();
        Manifest::parse(&SEEDS.0, Path::new("scaffold.toml")).unwrap();
        Lock::parse(&SEEDS.1, Path::new("scaffold.lock")).unwrap();
    }
}
