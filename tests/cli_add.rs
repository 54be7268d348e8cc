//! `scaffold add resource` and `scaffold remove resource`: manifest edits that keep comments,
//! refusals (exit 2, nothing changed), idempotence.

use insta_cmd::assert_cmd_snapshot;

use crate::cli_regen::{Project, assert_clean, code, stderr};
use crate::common::with_cli_settings;

#[test]
fn add_keeps_comments_and_appends_a_table() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let manifest = p
        .read("scaffold.toml")
        .replace("[project]", "# my comment about the project\n[project]");
    let manifest = manifest.replace("max_size = 10", "max_size = 20  # sized for prod");
    p.write("scaffold.toml", &manifest);
    let out = p.run(&[
        "add",
        "resource",
        "cache",
        "--name",
        "sessions",
        "--no-input",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = p.read("scaffold.toml");
    assert!(after.starts_with(&manifest), "{after}");
    assert!(
        after.ends_with("\n[[resource]]\nkind = \"cache\"\nname = \"sessions\"\n"),
        "{after}"
    );
    assert!(p.read("src/orders/settings.py").contains("SESSIONS_URL"));
    assert_clean(&p);
}

#[test]
fn add_twice_is_exit_2_and_changes_nothing() {
    let p = Project::new(&["db-pool", "lifespan"]);
    assert_eq!(code(&p.run(&["add", "resource", "task-set"])), 0);
    let before = p.tree();
    with_cli_settings(&p.root(), || {
        assert_cmd_snapshot!("cli__add_twice", p.cmd(&["add", "resource", "task-set"]));
    });
    assert_eq!(p.tree(), before);
}

#[test]
fn add_refusals_are_exit_2_and_change_nothing() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let before = p.tree();
    let known = format!("known kinds: {}", scaffold::kinds::id_list());
    for (args, needle) in [
        (vec!["add", "resource", "queue"], known.as_str()),
        (
            vec!["add", "resource", "lifespan", "--name", "web"],
            "more than one `lifespan`",
        ),
        (
            vec!["add", "resource", "cache", "--name", "database"],
            "duplicate resource name `database`",
        ),
        (
            vec!["add", "resource", "cache", "--name", "../x"],
            "invalid name `../x`",
        ),
        (
            vec!["add", "resource", "cache", "--name", "/etc/passwd"],
            "invalid name `/etc/passwd`",
        ),
        (
            vec!["add", "resource", "cache", "--name", "settings"],
            "invalid name `settings`",
        ),
        (
            vec!["add", "resource", "cache", "--name", "class"],
            "invalid name `class`",
        ),
    ] {
        let out = p.run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("hint: "),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(p.tree(), before, "{args:?}");
    }
}

#[test]
fn remove_a_missing_name_lists_the_existing_ones() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let before = p.tree();
    with_cli_settings(&p.root(), || {
        assert_cmd_snapshot!(
            "cli__remove_missing",
            p.cmd(&["remove", "resource", "redis"])
        );
    });
    assert_eq!(p.tree(), before);
}

#[test]
fn add_then_remove_returns_to_the_same_files() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let before = p.tree();
    assert_eq!(
        code(&p.run(&["add", "resource", "task-set", "--name", "emails"])),
        0
    );
    assert!(p.exists("src/orders/jobs/emails.py"));
    assert_eq!(code(&p.run(&["remove", "resource", "emails"])), 0);
    assert!(
        !p.exists("src/orders/jobs"),
        "empty directories are removed too"
    );
    let mut after = p.tree();
    let mut before = before;
    // Only the lock's recorded version may differ; the files and the manifest are identical.
    after.remove("scaffold.lock");
    before.remove("scaffold.lock");
    assert_eq!(after, before);
    assert_clean(&p);
}

#[test]
fn remove_keeps_comments_of_the_other_tables() {
    let p = Project::new(&["db-pool", "cache", "lifespan"]);
    let manifest = p
        .read("scaffold.toml")
        .replace("name = \"database\"", "name = \"database\"  # main db");
    p.write("scaffold.toml", &manifest);
    assert_eq!(code(&p.run(&["remove", "resource", "redis"])), 0);
    let after = p.read("scaffold.toml");
    assert!(after.contains("name = \"database\"  # main db"), "{after}");
    assert!(!after.contains("redis"), "{after}");
}

#[test]
fn removing_the_only_resource_is_refused() {
    let p = Project::new(&["cache"]);
    let before = p.tree();
    let out = p.run(&["remove", "resource", "redis"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("it is the project's only resource"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.tree(), before);
}

/// `add resource KIND:NAME` is `new --resource`'s syntax, and means `KIND --name NAME`.
#[test]
fn add_takes_kind_colon_name_as_new_does() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let out = p.run(&["add", "resource", "cache:sessions", "--no-input"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        p.read("scaffold.toml")
            .ends_with("\n[[resource]]\nkind = \"cache\"\nname = \"sessions\"\n")
    );
    let before = p.tree();
    for (args, needle) in [
        (
            vec!["add", "resource", "cache:"],
            "the name after `:` is missing",
        ),
        (
            vec!["add", "resource", "cache:a", "--name", "b"],
            "`--name` names it `b`",
        ),
    ] {
        let out = p.run(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("hint: name it once: `scaffold add resource"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(p.tree(), before);
}

/// A mistyped kind or resource name gets "did you mean", as cargo's subcommands do.
#[test]
fn typos_get_did_you_mean() {
    let p = Project::new(&["db-pool", "lifespan"]);
    for (args, hint) in [
        (
            vec!["add", "resource", "cahce"],
            "hint: did you mean `cache`?",
        ),
        (
            vec!["remove", "resource", "databse"],
            "hint: did you mean `database`? `scaffold remove resource database`",
        ),
        (
            vec!["new", "x", "--resource", "lifspan", "--no-input"],
            "hint: did you mean `lifespan`?",
        ),
    ] {
        let out = p.run(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(hint), "{args:?}: {}", stderr(&out));
    }
}

/// A kind allowed once that the project has already: the hint removes it, not adds an `_2`.
#[test]
fn a_second_single_instance_kind_is_answered_with_remove() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let out = p.run(&["add", "resource", "lifespan", "--no-input"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("hint: a project has at most one `lifespan`; to replace it, remove it first: `scaffold remove resource app`"),
        "{}",
        stderr(&out)
    );
}

/// `add` says which setting the new resource reads, and warns when the `.env` made from an
/// older `.env.example` lacks it (the service would stop at startup); its hint is a command
/// that fixes it.
#[test]
fn add_names_the_new_setting_and_a_dotenv_that_lacks_it() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(".env", &p.read(".env.example"));
    let out = p.run(&[
        "add",
        "resource",
        "db-pool",
        "--name",
        "analytics",
        "--no-input",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("new: `ANALYTICS_URL`"), "{err}");
    assert!(
        err.contains("warning: `.env` does not set `ANALYTICS_URL`"),
        "{err}"
    );
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: add it to `.env`, as `.env.example` shows: `"))
        .and_then(|l| l.strip_suffix('`'))
        .expect("a hint with a command");
    let ran = std::process::Command::new("sh")
        .args(["-c", hint])
        .current_dir(p.root())
        .status()
        .unwrap();
    assert!(ran.success());
    assert!(
        p.read(".env")
            .lines()
            .any(|l| l.starts_with("ANALYTICS_URL="))
    );
    // Set already (`export` form too): no warning.
    p.write(
        ".env",
        &format!(
            "{}export SESSIONS_URL=redis://127.0.0.1:6379/0\n",
            p.read(".env")
        ),
    );
    let out = p.run(&[
        "add",
        "resource",
        "cache",
        "--name",
        "sessions",
        "--no-input",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("new: `SESSIONS_URL`"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("warning: `.env`"),
        "{}",
        stderr(&out)
    );
}

/// `add --dry-run` and `remove --dry-run` print the plan, the manifest edit first, and write
/// nothing; the same command without it then writes what the dry run showed.
#[test]
fn add_and_remove_dry_runs_show_the_manifest_edit_and_write_nothing() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let before = p.tree();
    let out = p.run(&[
        "add",
        "resource",
        "cache:sessions",
        "--dry-run",
        "--no-input",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(p.tree(), before);
    let text = crate::cli_regen::stdout(&out);
    assert!(
        text.starts_with(
            "update    scaffold.toml  (the manifest)\n--- a/scaffold.toml\n+++ b/scaffold.toml\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("+[[resource]]\n+kind = \"cache\"\n+name = \"sessions\"\n"),
        "{text}"
    );
    assert!(text.contains("update    src/orders/settings.py"), "{text}");
    assert!(text.contains("+    sessions: CacheSettings\n"), "{text}");
    assert!(stderr(&out).contains("Dry run"), "{}", stderr(&out));
    // Nothing written, so no `.env` advice about a setting that does not exist yet.
    assert!(!stderr(&out).contains("Settings"), "{}", stderr(&out));

    let out = p.run(&["remove", "resource", "database", "--dry-run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(p.tree(), before);
    let text = crate::cli_regen::stdout(&out);
    assert!(
        text.contains("-kind = \"db-pool\"\n-name = \"database\"\n"),
        "{text}"
    );
    assert!(text.contains("delete    src/orders/db_pool.py"), "{text}");

    assert_eq!(code(&p.run(&["remove", "resource", "database"])), 0);
    assert!(!p.root().join("src/orders/db_pool.py").exists());
}
