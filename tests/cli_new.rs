//! `scaffold new` through the binary: success, and every refused input (exit 2, nothing written).

use insta_cmd::assert_cmd_snapshot;
use scaffold::lock::{Lock, sha256_hex};

use crate::common::{TestDir, entries_of, read_tree, scaffold_command, with_cli_settings};

#[test]
fn creates_a_project_from_flags() {
    let dir = TestDir::new();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!(
            "cli__new_success",
            dir.scaffold(&[
                "new",
                "my-orders",
                "--resource",
                "db-pool",
                "--resource",
                "cache:sessions",
                "--resource",
                "task-set",
                "--resource",
                "lifespan",
                "--python",
                "3.13",
            ])
        );
    });
    let root = dir.path().join("my-orders");
    let manifest = std::fs::read_to_string(root.join("scaffold.toml")).unwrap();
    assert!(manifest.contains("package = \"my_orders\""));
    assert!(manifest.contains("python = \"3.13\""));
    assert!(manifest.contains("name = \"sessions\""));

    // The lock lists every other file, with the hash of what is on disk.
    let lock_text = std::fs::read_to_string(root.join("scaffold.lock")).unwrap();
    let lock = Lock::parse(&lock_text, &root.join("scaffold.lock")).unwrap();
    let tree = read_tree(&root);
    let locked: Vec<&str> = lock.files.iter().map(|f| f.path.as_str()).collect();
    let mut on_disk: Vec<&str> = tree
        .keys()
        .map(String::as_str)
        .filter(|p| !p.starts_with("scaffold."))
        .collect();
    on_disk.sort();
    assert_eq!(locked, on_disk);
    for file in &lock.files {
        let content = String::from_utf8(tree[file.path.as_str()].clone()).unwrap();
        assert_eq!(sha256_hex(&content), file.sha256, "{}", file.path);
        assert_eq!(content, file.base);
    }
}

#[test]
fn verbose_lists_files_and_quiet_prints_nothing() {
    let dir = TestDir::new();
    let out = dir
        .scaffold(&["new", "a1", "-v", "--resource", "cache"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success());
    assert!(
        stderr.contains("wrote src/a1/cache.py (managed)"),
        "{stderr}"
    );
    let out = dir
        .scaffold(&["new", "a2", "-q", "--resource", "cache"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn an_existing_empty_directory_is_used() {
    let dir = TestDir::new();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let status = dir
        .scaffold(&["new", "orders", "--dir", "empty", "--resource", "cache"])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(dir.path().join("empty/src/orders/cache.py").is_file());
}

/// Each case: snapshot name, arguments. All must exit 2 and write nothing.
const REFUSED: &[(&str, &[&str])] = &[
    ("new_no_resources_off_tty", &["new", "orders"]),
    (
        "new_no_resources_no_input",
        &["new", "orders", "--no-input"],
    ),
    (
        "new_package_not_identifier",
        &["new", "123orders", "--resource", "cache"],
    ),
    (
        "new_package_keyword",
        &["new", "class", "--resource", "cache"],
    ),
    (
        "new_package_stdlib",
        &["new", "asyncio", "--resource", "cache"],
    ),
    (
        "new_package_dependency",
        &["new", "fastapi", "--resource", "cache"],
    ),
    (
        "new_project_name_path",
        &["new", "../evil", "--resource", "cache"],
    ),
    (
        "new_duplicate_resource",
        &[
            "new",
            "orders",
            "--resource",
            "cache",
            "--resource",
            "db-pool:redis",
        ],
    ),
    (
        "new_two_lifespans",
        &[
            "new",
            "orders",
            "--resource",
            "lifespan",
            "--resource",
            "lifespan:web",
        ],
    ),
    (
        "new_unknown_kind",
        &["new", "orders", "--resource", "queue"],
    ),
    (
        "new_missing_kind",
        &["new", "orders", "--resource", ":name"],
    ),
    (
        "new_resource_name_not_lowercase",
        &["new", "orders", "--resource", "cache:Bad-Name"],
    ),
    (
        "new_resource_name_keyword",
        &["new", "orders", "--resource", "db-pool:class"],
    ),
    (
        "new_resource_name_generated_module",
        &["new", "orders", "--resource", "db-pool:settings"],
    ),
    (
        "new_bad_python",
        &["new", "orders", "--resource", "cache", "--python", "3.10"],
    ),
];

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    for (name, args) in REFUSED {
        let dir = TestDir::new();
        let mut cmd = dir.scaffold(args);
        cmd.env_remove("CI");
        with_cli_settings(dir.path(), || {
            assert_cmd_snapshot!(format!("cli__{name}"), cmd);
        });
        let out = dir.scaffold(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(dir.entries().is_empty(), "{name} wrote {:?}", dir.entries());
    }
}

#[test]
fn a_non_empty_target_is_refused_untouched() {
    let dir = TestDir::new();
    std::fs::create_dir(dir.path().join("orders")).unwrap();
    std::fs::write(dir.path().join("orders/keep.txt"), "mine\n").unwrap();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!(
            "cli__new_target_not_empty",
            dir.scaffold(&["new", "orders", "--resource", "cache"])
        );
    });
    assert_eq!(read_tree(&dir.path().join("orders")).len(), 1);
}

#[test]
fn a_file_as_target_is_refused() {
    let dir = TestDir::new();
    std::fs::write(dir.path().join("orders"), "a file\n").unwrap();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!(
            "cli__new_target_is_file",
            dir.scaffold(&["new", "orders", "--resource", "cache"])
        );
    });
}

/// `new` stopped at any write (an injected failure after k files, as the `regen` test does)
/// leaves the target as it was, absent or empty, and nothing beside it: the same command run
/// again succeeds. A target that is an empty directory stays one.
#[test]
fn new_stopped_at_any_write_leaves_nothing_and_can_be_run_again() {
    let dir = TestDir::new();
    let args = ["new", "orders", "--resource", "cache", "--no-input"];
    // k = the number of files written before the failure; past the last file the run succeeds.
    let mut k = 0;
    loop {
        let empty_target = k % 2 == 1;
        if empty_target {
            std::fs::create_dir(dir.path().join("orders")).unwrap();
        }
        let out = dir
            .scaffold(&args)
            .env("SCAFFOLD_INTERNAL_FAIL_AFTER_WRITES", k.to_string())
            .output()
            .unwrap();
        if out.status.code() == Some(0) {
            break;
        }
        assert_eq!(out.status.code(), Some(2), "k={k}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("nothing was created at `orders`"),
            "k={k}: {stderr}"
        );
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if empty_target {
            assert_eq!(entries, ["orders"], "k={k}");
            assert_eq!(
                std::fs::read_dir(dir.path().join("orders"))
                    .unwrap()
                    .count(),
                0,
                "k={k}"
            );
            std::fs::remove_dir(dir.path().join("orders")).unwrap();
        } else {
            assert!(entries.is_empty(), "k={k}: {entries:?}");
        }
        k += 1;
    }
    assert!(k >= 10, "only {k} writes");
    assert!(dir.path().join("orders/scaffold.lock").is_file());
}

/// A `--dir` under a file names the file, not "check the permissions".
#[test]
fn a_target_under_a_file_names_the_file() {
    let dir = TestDir::new();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    let out = dir
        .scaffold(&[
            "new",
            "orders",
            "--dir",
            "notes.txt/orders",
            "--resource",
            "cache",
            "--no-input",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("target `notes.txt` exists and is not a directory"),
        "{stderr}"
    );
}

/// `new --dry-run` lists every file it would create, refuses what `new` refuses, and writes
/// nothing: no directory, no `git init`, no `uv lock`.
#[test]
fn a_dry_run_lists_the_files_and_creates_nothing() {
    let dir = TestDir::new();
    let dry_run = [
        "new",
        "orders",
        "--resource",
        "cache",
        "--no-input",
        "--dry-run",
    ];
    let out = dir.scaffold(&dry_run).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(dir.entries(), Vec::<String>::new());
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "create    src/orders/cache.py  (managed)\n",
        "create    tests/test_service.py  (user)\n",
        "create    scaffold.toml  (the manifest)\n",
        "create    scaffold.lock  (the lock)\n",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    let listed = text.lines().count();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{listed} files would be created at `orders`; nothing was written"
        )),
        "{stderr}"
    );
    // The real run creates exactly those files (plus what `git init` adds).
    let out = dir
        .scaffold(&[
            "new",
            "orders",
            "--resource",
            "cache",
            "--no-input",
            "--no-lock",
            "--vcs",
            "none",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read_tree(&dir.path().join("orders")).len(), listed);

    // What `new` refuses, the dry run refuses too.
    let out = dir.scaffold(&dry_run).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `scaffold new .` fills the empty working directory in place (a shell in it stays in it),
/// named for the directory; `--dir .` with a name does the same. Stopped at any write, it
/// leaves the directory empty. A name the directory cannot give is refused with one that works.
#[test]
fn new_dot_fills_the_working_directory_in_place() {
    let dir = TestDir::new();
    let shop = dir.path().join("shop");
    std::fs::create_dir(&shop).unwrap();
    let run = |args: &[&str], fail_after: Option<usize>| {
        let mut cmd = scaffold_command();
        cmd.current_dir(&shop).args(args);
        if let Some(k) = fail_after {
            cmd.env("SCAFFOLD_INTERNAL_FAIL_AFTER_WRITES", k.to_string());
        }
        cmd.output().unwrap()
    };
    let args = ["new", ".", "--resource", "cache", "--no-input"];
    for k in [0, 1, 5] {
        let out = run(&args, Some(k));
        assert_eq!(out.status.code(), Some(2), "k={k}");
        assert_eq!(
            std::fs::read_dir(&shop).unwrap().count(),
            0,
            "k={k}: not left empty"
        );
    }
    let out = run(&args, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !stdout.contains("cd "),
        "no `cd` into the directory it is in: {stdout}"
    );
    let manifest = std::fs::read_to_string(shop.join("scaffold.toml")).unwrap();
    assert!(manifest.contains("name = \"shop\""), "{manifest}");
    assert!(shop.join("src/shop/cache.py").is_file());
    let entries: Vec<String> = std::fs::read_dir(&shop)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !entries.iter().any(|e| e.contains("scaffold-new")),
        "{entries:?}"
    );
    let check = run(&["regen", "--check"], None);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // Not empty now: refused, as `new NAME` is, pointing at what works on a project.
    let again = run(&args, None);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("it is a scaffold project already (an interrupted `scaffold new` too): `scaffold regen` in `.` finishes it"), "{stderr}");

    // `--dir .` with a name, in another empty working directory.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let out = scaffold_command()
        .current_dir(&other)
        .args([
            "new",
            "billing",
            "--dir",
            ".",
            "--resource",
            "cache",
            "--no-input",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(other.join("src/billing/cache.py").is_file());

    // A directory whose name is no project name: refused, with the command that works.
    let bad = dir.path().join("My Shop");
    std::fs::create_dir(&bad).unwrap();
    let out = scaffold_command()
        .current_dir(&bad)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("give a name instead, `scaffold new orders --dir .`"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&bad).unwrap().count(), 0);
}

/// `new NAME` killed at any write (no cleanup at all, as a SIGKILL): the target stays absent,
/// and the same `new` run again succeeds and removes what the killed one staged beside it.
#[test]
fn new_killed_at_any_write_is_run_again() {
    let dir = TestDir::new();
    let args = ["new", "orders", "--resource", "cache", "--no-input"];
    let mut k = 0;
    loop {
        let out = dir
            .scaffold(&args)
            .env("SCAFFOLD_INTERNAL_KILL_AFTER_WRITES", k.to_string())
            .output()
            .unwrap();
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), Some(137), "k={k}: {out:?}");
        let left = entries_of(dir.path());
        assert!(!left.contains(&"orders".to_owned()), "k={k}: {left:?}");
        assert!(
            left.iter().all(|n| n.starts_with(".orders.scaffold-new-")),
            "k={k}: {left:?}"
        );
        let out = dir.scaffold(&args).output().unwrap();
        assert!(out.status.success(), "k={k}: {out:?}");
        assert_eq!(
            entries_of(dir.path()),
            ["orders"],
            "k={k}: the staging directory is left"
        );
        std::fs::remove_dir_all(dir.path().join("orders")).unwrap();
        k += 1;
    }
    assert!(k >= 10, "only {k} writes");
}

/// `new .` killed at any write or move: with no `scaffold.toml` moved yet the directory counts
/// as empty and the same `new .` runs again; after it, `new .` says that `regen` finishes it,
/// and `regen` makes the very project an uninterrupted `new .` makes, staging directory gone.
#[test]
fn new_dot_killed_at_any_write_or_move_is_finished() {
    let reference = TestDir::new();
    let expected_dir = reference.path().join("shop");
    std::fs::create_dir(&expected_dir).unwrap();
    let args = ["new", ".", "--resource", "cache", "--no-input"];
    let run = |dir: &std::path::Path, args: &[&str], kill_after: Option<usize>| {
        let mut cmd = scaffold_command();
        cmd.current_dir(dir).args(args);
        if let Some(k) = kill_after {
            cmd.env("SCAFFOLD_INTERNAL_KILL_AFTER_WRITES", k.to_string());
        }
        cmd.output().unwrap()
    };
    assert!(run(&expected_dir, &args, None).status.success());
    let expected = read_tree(&expected_dir);

    let (mut before_manifest, mut after_manifest) = (0, 0);
    for k in 0.. {
        let dir = TestDir::new();
        let shop = dir.path().join("shop");
        std::fs::create_dir(&shop).unwrap();
        let out = run(&shop, &args, Some(k));
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), Some(137), "k={k}: {out:?}");
        if shop.join("scaffold.toml").is_file() {
            after_manifest += 1;
            let again = run(&shop, &args, None);
            assert_eq!(again.status.code(), Some(2), "k={k}: {again:?}");
            let stderr = String::from_utf8_lossy(&again.stderr);
            assert!(stderr.contains("`scaffold regen` in"), "k={k}: {stderr}");
            let regen = run(&shop, &["regen"], None);
            assert!(regen.status.success(), "k={k}: {regen:?}");
        } else {
            before_manifest += 1;
            let again = run(&shop, &args, None);
            assert!(again.status.success(), "k={k}: {again:?}");
        }
        assert_eq!(read_tree(&shop), expected, "k={k}");
        let staged: Vec<String> = entries_of(&shop)
            .into_iter()
            .filter(|n| n.contains("scaffold-new"))
            .collect();
        assert!(staged.is_empty(), "k={k}: {staged:?}");
        let check = run(&shop, &["regen", "--check"], None);
        assert!(check.status.success(), "k={k}: {check:?}");
    }
    // Every file written, then every top-level entry moved, the manifest first.
    assert!(
        before_manifest >= 10 && after_manifest >= 5,
        "{before_manifest} {after_manifest}"
    );
}
