//! The prompts of `scaffold new`, driven in a real pseudo-terminal against the real binary.

use std::process::Command;

use rexpect::session::spawn_command;

use crate::common::TestDir;

const DOWN: &str = "\x1b[B";

#[test]
fn prompts_choose_kinds_names_and_python() {
    let dir = TestDir::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(dir.path())
        .args(["new", "shop", "--color", "never"])
        .env_remove("CI")
        .env_remove("SCAFFOLD_NO_INPUT")
        .env("SCAFFOLD_VCS", "none")
        .env("SCAFFOLD_NO_LOCK", "1")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");

    // Kinds: db-pool and task-set, found by their rows in the registry's order; confirm.
    let row = |id: &str| {
        scaffold::kinds::all()
            .iter()
            .position(|k| k.id() == id)
            .expect("a bundled kind")
    };
    let (first, second) = (row("db-pool"), row("task-set"));
    assert!(first < second);
    p.exp_string("Resources").unwrap();
    for _ in 0..first {
        p.send(DOWN).unwrap();
    }
    p.send(" ").unwrap();
    for _ in first..second {
        p.send(DOWN).unwrap();
    }
    p.send(" ").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();

    // The summary names the chosen kinds only, not every description again.
    let (_, summary) = p.exp_regex("Resources: [^\r\n]*").unwrap();
    assert_eq!(summary, "Resources: db-pool, task-set");

    // Names: rename the pool, accept the task-set default.
    p.exp_string("Name of the db-pool resource").unwrap();
    p.send("analytics").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("Name of the task-set resource").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();

    // Python: one down from the 3.12 default.
    p.exp_string("Python version").unwrap();
    p.send(DOWN).unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();

    p.exp_string("uv run --env-file .env pytest").unwrap();
    p.exp_eof().unwrap();

    let manifest =
        std::fs::read_to_string(dir.path().join("shop/scaffold.toml")).expect("manifest written");
    assert!(manifest.contains("python = \"3.13\""), "{manifest}");
    assert!(
        manifest.contains("kind = \"db-pool\"\nname = \"analytics\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("kind = \"task-set\"\nname = \"workers\""),
        "{manifest}"
    );
    assert!(!manifest.contains("kind = \"cache\""), "{manifest}");
    assert!(dir.path().join("shop/src/shop/jobs/workers.py").is_file());
    assert!(dir.path().join("shop/src/shop/db_pool.py").is_file());
    assert!(!dir.path().join("shop/src/shop/cache.py").exists());
}

#[test]
fn flags_on_a_terminal_prompt_for_nothing() {
    let dir = TestDir::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(dir.path())
        .args(["new", "quiet-shop", "--resource", "cache"])
        .env_remove("CI")
        .env_remove("SCAFFOLD_NO_INPUT")
        .env("SCAFFOLD_VCS", "none")
        .env("SCAFFOLD_NO_LOCK", "1")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    let output = p.exp_eof().unwrap();
    assert!(!output.contains("Resources"), "{output}");
    assert!(output.contains("uv run --env-file .env pytest"), "{output}");
    let manifest = std::fs::read_to_string(dir.path().join("quiet-shop/scaffold.toml")).unwrap();
    assert!(manifest.contains("python = \"3.12\""), "{manifest}");
}

/// `add resource KIND` on a terminal without `--name` asks for the name, the default filled in
/// (`NAME_2` when the default is taken), and refuses a name the project already has.
#[test]
fn add_resource_asks_for_the_name() {
    let dir = TestDir::new();
    let new = Command::new(env!("CARGO_BIN_EXE_scaffold"))
        .current_dir(dir.path())
        .args([
            "new",
            "shop",
            "--no-input",
            "--resource",
            "db-pool",
            "--vcs",
            "none",
            "--no-lock",
        ])
        .output()
        .unwrap();
    assert!(
        new.status.success(),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    let root = dir.path().join("shop");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(&root)
        .args(["add", "resource", "db-pool", "--color", "never"])
        .env_remove("CI")
        .env_remove("SCAFFOLD_NO_INPUT")
        .env("SCAFFOLD_VCS", "none")
        .env("SCAFFOLD_NO_LOCK", "1")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_string("Name of the db-pool resource").unwrap();
    p.exp_string("database_2").unwrap();
    // The existing name is refused; then a new one is taken.
    p.send("database").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("already has a resource named `database`")
        .unwrap();
    p.send("\x15analytics").unwrap(); // ^U clears the line
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();

    let manifest = std::fs::read_to_string(root.join("scaffold.toml")).unwrap();
    assert!(
        manifest.contains("kind = \"db-pool\"\nname = \"analytics\""),
        "{manifest}"
    );

    // `--no-input` takes the default without asking.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(&root)
        .args(["add", "resource", "cache", "--no-input"])
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    let output = p.exp_eof().unwrap();
    assert!(!output.contains("Name of the"), "{output}");
    let manifest = std::fs::read_to_string(root.join("scaffold.toml")).unwrap();
    assert!(
        manifest.contains("kind = \"cache\"\nname = \"redis\""),
        "{manifest}"
    );
}

/// Ctrl-C at a prompt (dialoguer #77, #294) shows the cursor again and exits 130, as a shell
/// expects of an interrupted command; nothing is written.
#[test]
fn ctrl_c_at_a_prompt_restores_the_cursor_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(dir.path())
        .args(["new", "shop"])
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_string("Resources").unwrap();
    p.send_control('c').unwrap();
    let output = p.exp_eof().unwrap();
    let status = p.process.wait().unwrap();
    assert!(
        matches!(status, rexpect::process::wait::WaitStatus::Exited(_, 130)),
        "{status:?}: {output:?}"
    );
    let hidden = output.rfind("\u{1b}[?25l");
    let shown = output.rfind("\u{1b}[?25h");
    assert!(
        hidden.is_none() || shown > hidden,
        "the cursor is left hidden: {output:?}"
    );
    assert!(!dir.path().join("shop").exists());
}

/// `TERM=dumb`: no colour (the list still shows its `>` marker), with no `--color` or
/// `NO_COLOR` given.
#[test]
fn a_dumb_terminal_gets_no_colour() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(dir.path())
        .args(["new", "shop"])
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("SCAFFOLD_NO_INPUT")
        .env("TERM", "dumb");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    let (before, _) = p.exp_string("[ ] ").map(|b| (b, ())).unwrap();
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    let output = format!("{before}{rest}");
    assert!(output.contains("> "), "no cursor marker: {output:?}");
    assert!(
        !output.contains("\u{1b}[3"),
        "colour on a dumb terminal: {output:?}"
    );
}

/// At 40 columns every row of the kind list fits on one line (cut, with `…`): a row that
/// wrapped would leave its second line behind at each redraw. The pty's size is set with
/// `stty` before the binary starts, as a terminal emulator sets it.
#[test]
fn a_narrow_terminal_gets_rows_that_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir.path())
        .args([
            "-c",
            "stty cols 40 rows 24 && exec \"$0\" new shop",
            env!("CARGO_BIN_EXE_scaffold"),
        ])
        .env_remove("CI")
        .env_remove("SCAFFOLD_NO_INPUT")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    let last = scaffold::kinds::all().last().expect("a kind").id();
    p.exp_string("Resources").unwrap();
    // Move through the whole list, so each row is drawn as the selected one too.
    for _ in scaffold::kinds::all() {
        p.send(DOWN).unwrap();
    }
    p.flush().unwrap();
    let (drawn, _) = p.exp_regex(&format!("{last}[^\r\n]*")).unwrap();
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    let text = strip_escapes(&utf8(&format!("{drawn}{rest}")));
    let rows: Vec<&str> = text
        .split(['\r', '\n'])
        .filter(|l| l.contains("[ ]") || l.contains("[x]"))
        .collect();
    assert!(!rows.is_empty(), "no list rows in {text:?}");
    for row in rows {
        assert!(
            row.chars().count() <= 40,
            "a row wider than the terminal ({} columns): {row:?}",
            row.chars().count()
        );
    }
    assert!(text.contains('…'), "no row was cut at 40 columns: {text:?}");
}

/// The pty's bytes, which rexpect hands over one `char` per byte, decoded as the UTF-8 they are.
fn utf8(text: &str) -> String {
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `text` without its terminal escape sequences (CSI `ESC [ ... final`, and two-byte ones).
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.next_if_eq(&'[').is_some() {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}
