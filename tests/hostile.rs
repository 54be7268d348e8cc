//! Hostile and broken inputs: each is a clear error (exit 2, or a conflict for files it must not
//! touch), and nothing is ever written outside the project root.

use insta_cmd::assert_cmd_snapshot;

use crate::cli_regen::{Project, assert_clean, code, stderr};
use crate::common::{TestDir, read_tree, with_cli_settings};

fn with_manifest(p: &Project, edit: impl Fn(&str) -> String) {
    let text = edit(&p.read("scaffold.toml"));
    p.write("scaffold.toml", &text);
}

#[test]
fn resource_names_that_are_paths_are_refused_with_key_and_line() {
    for bad in ["../x", "/abs", "a/b"] {
        let p = Project::new(&["db-pool", "lifespan"]);
        with_manifest(&p, |t| {
            t.replace("name = \"database\"", &format!("name = \"{bad}\""))
        });
        let before = read_tree(p.dir.path());
        let out = p.run(&["regen"]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("scaffold.toml`, line 13, key `resource.0.name`"),
            "{bad}: {err}"
        );
        assert!(
            err.contains(&format!("invalid name `{bad}`")),
            "{bad}: {err}"
        );
        assert_eq!(read_tree(p.dir.path()), before, "{bad}");
    }
}

#[test]
fn a_symlinked_directory_leading_outside_is_not_written_through() {
    let outside = TestDir::new();
    let p = Project::new(&["db-pool", "lifespan"]);
    std::fs::remove_dir_all(p.root().join("tests")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.root().join("tests")).unwrap();
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("conflict  tests/conftest.py: `tests` is a symlink; not touched"),
        "{}",
        stderr(&out)
    );
    assert!(
        outside.entries().is_empty(),
        "wrote outside the root: {:?}",
        outside.entries()
    );
    let out = p.run(&["add", "resource", "cache"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        outside.entries().is_empty(),
        "wrote outside the root: {:?}",
        outside.entries()
    );
}

#[test]
fn a_symlinked_file_is_not_written_through() {
    let outside = TestDir::new();
    let target = outside.path().join("victim.py");
    std::fs::write(&target, "# not yours\n").unwrap();
    let p = Project::new(&["db-pool", "lifespan"]);
    let settings = p.root().join("src/orders/settings.py");
    std::fs::remove_file(&settings).unwrap();
    std::os::unix::fs::symlink(&target, &settings).unwrap();
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("settings.py: it is a symlink"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# not yours\n");
}

#[test]
fn a_truncated_lock_is_exit_2_naming_it_never_a_reset() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let lock = p.read("scaffold.lock");
    p.write("scaffold.lock", &lock[..lock.len() / 3]);
    let before = p.tree();
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("invalid lock file `") && stderr(&out).contains("scaffold.lock`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: restore it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.tree(), before);
}

#[test]
fn a_lock_path_leaving_the_root_is_refused() {
    let p = Project::new(&["db-pool", "lifespan"]);
    with_lockfile(&p, |t| {
        t.replace("path = \"Dockerfile\"", "path = \"../Dockerfile\"")
    });
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("`../Dockerfile`"), "{}", stderr(&out));
}

fn with_lockfile(p: &Project, edit: impl Fn(&str) -> String) {
    let text = edit(&p.read("scaffold.lock"));
    p.write("scaffold.lock", &text);
}

#[test]
fn a_manifest_that_is_not_utf8_is_exit_2_naming_it() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let mut bytes = std::fs::read(p.root().join("scaffold.toml")).unwrap();
    bytes.extend_from_slice(b"# \xff\xfe\n");
    std::fs::write(p.root().join("scaffold.toml"), bytes).unwrap();
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("scaffold.toml`, line 20: the file is not UTF-8 text"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_toml_syntax_error_shows_the_line() {
    let p = Project::new(&["db-pool", "lifespan"]);
    with_manifest(&p, |t| t.replace("python = \"3.12\"", "python = 3.12.1"));
    let out = p.run(&["regen", "--check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("scaffold.toml`, line 9: not valid TOML"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_keys_and_bad_values_name_key_and_line() {
    for (from, to, needle) in [
        (
            "python = \"3.12\"",
            "python = \"3.12\"\npyhton = \"3.12\"",
            "line 10, key `pyhton`: unknown field `pyhton`",
        ),
        (
            "python = \"3.12\"",
            "python = \"2.7\"",
            "line 9, key `project.python`: unsupported Python `2.7`",
        ),
        (
            "kind = \"db-pool\"",
            "kind = \"queue\"",
            "line 12, key `resource.0.kind`: unknown kind `queue`",
        ),
        ("max_size = 10", "max_size = 0", "key `resource.0.max_size`"),
        (
            "package = \"orders\"",
            "package = \"other\"",
            "key `project.package`: must be `orders`",
        ),
    ] {
        let p = Project::new(&["db-pool", "lifespan"]);
        with_manifest(&p, |t| t.replace(from, to));
        let out = p.run(&["regen"]);
        assert_eq!(code(&out), 2, "{to}");
        assert!(stderr(&out).contains(needle), "{to}: {}", stderr(&out));
    }
}

#[test]
fn a_newer_schema_says_which_scaffold_to_install() {
    let p = Project::new(&["db-pool", "lifespan"]);
    with_manifest(&p, |t| {
        t.replace("schema = 1", "schema = 2").replace(
            "scaffold_version = \"0.1.0\"",
            "scaffold_version = \"0.4.2\"",
        )
    });
    let before = p.tree();
    with_cli_settings(&p.root(), || {
        assert_cmd_snapshot!("cli__regen_newer_schema", p.cmd(&["regen"]));
    });
    assert_eq!(p.tree(), before);
}

/// Schema 0 had no `schema` key and `[[resources]]` tables; `regen` migrates it in place.
#[test]
fn schema_0_is_migrated() {
    let p = Project::new(&["db-pool", "lifespan"]);
    with_manifest(&p, |t| {
        t.replace("schema = 1\n", "")
            .replace("[[resource]]", "[[resources]]  # old style")
    });
    let check = p.run(&["regen", "--check"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    assert!(
        p.read("scaffold.toml").contains("[[resources]]"),
        "--check writes nothing"
    );
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let manifest = p.read("scaffold.toml");
    assert!(
        manifest.contains("\nschema = 1\nscaffold_version"),
        "{manifest}"
    );
    assert!(
        manifest.contains("[[resource]]  # old style\nkind = \"db-pool\""),
        "{manifest}"
    );
    assert!(!manifest.contains("[[resources]]"), "{manifest}");
    assert_clean(&p);
}

#[test]
fn conflict_markers_left_are_refused_by_regen() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let path = "src/orders/service.py";
    let text = format!(
        "<<<<<<< ours (your edits)\nx\n=======\ny\n>>>>>>> theirs\n{}",
        p.read(path)
    );
    p.write(path, &text);
    p.write("src/orders/settings.py", "# old\n");
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("conflict  src/orders/service.py: conflict markers"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read(path), text);
}

/// A project last rendered by a newer scaffold is refused by every command that would render
/// it, `--check` included: exit 2, nothing written, the file and both versions named.
#[test]
fn a_newer_scaffold_version_is_not_downgraded() {
    let p = Project::new(&["db-pool", "lifespan"]);
    with_manifest(&p, |t| {
        t.replace(
            "scaffold_version = \"0.1.0\"",
            "scaffold_version = \"0.4.2\"",
        )
    });
    let before = p.tree();
    for args in [
        &["regen"][..],
        &["regen", "--check"],
        &["regen", "--check", "--strict"],
        &["regen", "--dry-run", "--format", "json"],
        &["add", "resource", "cache", "--no-input"],
        &["remove", "resource", "lifespan"],
    ] {
        let out = p.run(args);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert!(
            err.contains("error: `") && err.contains("scaffold.toml` was last rendered by scaffold 0.4.2, newer than this scaffold (0.1.0)"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("hint: install scaffold 0.4.2 or newer: `uv tool install asyncio-scaffold==0.4.2` or `cargo install --locked asyncio-scaffold --version 0.4.2`"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(p.tree(), before, "{args:?} wrote");
    }
    // The same version, or an older one, is fine.
    with_manifest(&p, |t| {
        t.replace(
            "scaffold_version = \"0.4.2\"",
            "scaffold_version = \"0.0.9\"",
        )
    });
    let out = p.run(&["regen", "--check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
