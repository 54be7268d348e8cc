//! The other commands: `list kinds`, `--version`, `completions`, `--help`.

use insta_cmd::assert_cmd_snapshot;

use crate::common::{TestDir, with_cli_settings};

#[test]
fn list_kinds() {
    let dir = TestDir::new();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!("cli__list_kinds", dir.scaffold(&["list", "kinds"]))
    });
}

#[test]
fn version_names_the_template_bundle() {
    let dir = TestDir::new();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!("cli__version", dir.scaffold(&["--version"]))
    });
    let out = dir.scaffold(&["--version"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "scaffold {} (templates ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
}

#[test]
fn help() {
    let dir = TestDir::new();
    with_cli_settings(dir.path(), || {
        // The help shows the environment's values: show the defaults.
        let mut cmd = dir.scaffold(&["new", "--help"]);
        cmd.env_remove("SCAFFOLD_VCS")
            .env_remove("SCAFFOLD_NO_LOCK");
        assert_cmd_snapshot!("cli__new_help", cmd)
    });
}

#[test]
fn completions_for_every_shell() {
    let dir = TestDir::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = dir.scaffold(&["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        // The script registers `scaffold` itself as the completer: each Tab runs
        // `COMPLETE=<shell> scaffold -- <words>`.
        assert!(
            text.contains("scaffold") && text.contains("COMPLETE"),
            "{shell}: {text}"
        );
    }
}

/// What the binary answers a shell's Tab: `COMPLETE=<shell> scaffold -- <words>`, the last word
/// the one being completed (the protocol of clap_complete's engine, as the scripts speak it).
fn candidates(dir: &std::path::Path, shell: &str, words: &[&str]) -> Vec<String> {
    let mut cmd = crate::common::scaffold_command();
    cmd.current_dir(dir)
        .env("COMPLETE", shell)
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .arg("--")
        .args(words);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{shell} {words:?}: {out:?}");
    assert!(
        out.stderr.is_empty(),
        "a completion prints no error: {out:?}"
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        // fish and zsh add the help after a tab or a colon
        .map(|l| l.split(['\t', ':']).next().unwrap_or("").to_owned())
        // the engine offers the flags beside a positional's values: keep the values
        .filter(|l| !l.is_empty() && !l.starts_with('-'))
        .collect()
}

#[test]
fn a_complete_variable_that_names_no_shell_is_left_alone() {
    let dir = TestDir::new();
    let out = dir
        .scaffold(&["list", "kinds"])
        .env("COMPLETE", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(scaffold::kinds::all()[0].id()));
}

/// `orders/`, a project whose one resource (of the first kind) is named `primary`.
fn new_project_with_primary(dir: &TestDir) {
    let spec = format!("{}:primary", scaffold::kinds::all()[0].id());
    let out = dir
        .scaffold(&["new", "orders", "--resource", &spec])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn completion_offers_kinds_and_the_projects_resource_names() {
    let dir = TestDir::new();
    let kinds: Vec<&str> = scaffold::kinds::all().iter().map(|k| k.id()).collect();
    new_project_with_primary(&dir);
    let project = dir.path().join("orders");
    for shell in ["bash", "zsh", "fish"] {
        // the kinds, not file names, for `--resource` and `add resource`
        assert_eq!(
            candidates(
                dir.path(),
                shell,
                &["scaffold", "new", "x", "--resource", ""]
            ),
            kinds,
            "{shell}"
        );
        assert_eq!(
            candidates(&project, shell, &["scaffold", "add", "resource", ""]),
            kinds,
            "{shell}"
        );
        // the project's own resource names, found from a subdirectory too
        assert_eq!(
            candidates(
                &project.join("tests"),
                shell,
                &["scaffold", "remove", "resource", ""]
            ),
            ["primary"],
            "{shell}"
        );
        assert_eq!(
            candidates(&project, shell, &["scaffold", "remove", "resource", "pr"]),
            ["primary"],
            "{shell}"
        );
        // outside a project: nothing, and no error on the command line
        let none = candidates(dir.path(), shell, &["scaffold", "remove", "resource", ""]);
        assert!(none.is_empty(), "{shell}: {none:?}");
    }
}

/// The bash script as a user sources it, driven the way bash's `complete -F` calls it.
#[test]
fn bash_completes_resource_names_through_the_sourced_script() {
    let dir = TestDir::new();
    new_project_with_primary(&dir);
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_scaffold"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = r#"
        source <(scaffold completions bash) || exit 3
        COMP_WORDS=(scaffold remove resource "")
        COMP_CWORD=3
        COMP_TYPE=9
        _clap_complete_scaffold scaffold "" resource
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .current_dir(dir.path().join("orders"))
        .env("PATH", path)
        .env_remove("COMPLETE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let replies = String::from_utf8_lossy(&out.stdout).into_owned();
    let names: Vec<&str> = replies
        .split_whitespace()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(names, ["primary"], "{out:?}");
}

#[test]
fn unknown_subcommand_is_usage_error() {
    let dir = TestDir::new();
    let out = dir.scaffold(&["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn color_is_opt_in_off_a_terminal() {
    let dir = TestDir::new();
    let plain = dir.scaffold(&["new", "orders"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stderr).contains('\x1b'));
    let forced = dir
        .scaffold(&["new", "orders", "--color", "always"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&forced.stderr).into_owned();
    assert!(
        stderr.contains("\x1b[1;31merror\x1b[0m: no resources chosen"),
        "{stderr:?}"
    );
    assert!(stderr.contains("\x1b[1;36mhint\x1b[0m:"), "{stderr:?}");
    let never = dir
        .scaffold(&["new", "orders", "--color", "never"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stderr).contains('\x1b'));
}

/// A `--format json` command that fails prints a JSON error document on stdout (and exits 2),
/// so a pipe into `jq` reads what went wrong instead of nothing.
#[test]
fn json_commands_print_a_json_error_document() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["regen", "--check", "--format", "json"][..],
        &["audit", "missing.py", "--format", "json"][..],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scaffold"))
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e})"));
        assert_eq!(doc["status"], "error", "{args:?}");
        assert_eq!(doc["error"]["exit_code"], 2, "{args:?}");
        assert!(
            doc["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{args:?}"
        );
        assert!(
            !doc["error"]["hints"].as_array().unwrap().is_empty(),
            "{args:?}"
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error: "),
            "{args:?}"
        );
    }
}
