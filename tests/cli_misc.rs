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
        assert!(text.contains("scaffold"), "{shell}");
        // `--resource` and `add resource` complete the kinds, not file names (clap_complete's
        // PowerShell and elvish scripts complete no values at all).
        if ["bash", "zsh", "fish"].contains(&shell) {
            for kind in scaffold::kinds::all() {
                assert!(text.contains(kind.id()), "{shell}: no `{kind}`");
            }
        }
    }
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
