//! `Printer`: the only code that writes to the terminal.
//!
//! Data (lists, completions) goes to stdout; status, errors and hints go to stderr. `-q` hides
//! status, `-qq` also hides data; `-v` adds detail. Colour is used only when asked for or when
//! stderr is a terminal and `NO_COLOR` is unset, and output never depends on colour to be read.

use std::io::{self, IsTerminal, Write};

use crate::error::Error;

/// How much to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-qq`: errors only.
    Silent,
    /// `-q`: data and errors.
    Quiet,
    Default,
    /// `-v`: also every file written.
    Verbose,
}

/// Whether to colour, as chosen on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
}

/// Writes everything the user sees.
#[derive(Clone, Copy, Debug)]
pub struct Printer {
    verbosity: Verbosity,
    color: bool,
    /// Colour for what goes to stdout (diffs): as `color`, but judged by stdout.
    color_stdout: bool,
    /// stderr is a terminal that can redraw a line: progress lines are shown.
    live: bool,
}

const RESET: &str = "\x1b[0m";
const RED: &str = "\x1b[1;31m";
const CYAN: &str = "\x1b[1;36m";
const GREEN: &str = "\x1b[1;32m";
const YELLOW: &str = "\x1b[1;33m";
const BOLD: &str = "\x1b[1m";
/// Back to the start of the line and erase it.
const CLEAR_LINE: &str = "\r\x1b[2K";

impl Printer {
    /// A printer for `-q`/`-v` counts and a colour mode.
    pub fn new(quiet: u8, verbose: u8, color: ColorMode) -> Self {
        let verbosity = match (quiet, verbose) {
            (0, 0) => Verbosity::Default,
            (0, _) => Verbosity::Verbose,
            (1, _) => Verbosity::Quiet,
            _ => Verbosity::Silent,
        };
        let auto = |terminal: bool| {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && terminal
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        };
        let (color, color_stdout) = match color {
            ColorMode::Always => (true, true),
            ColorMode::Never => (false, false),
            ColorMode::Auto => (
                auto(io::stderr().is_terminal()),
                auto(io::stdout().is_terminal()),
            ),
        };
        let live = verbosity >= Verbosity::Default
            && io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        Printer {
            verbosity,
            color,
            color_stdout,
            live,
        }
    }

    /// Whether progress lines are shown (stderr is a capable terminal, and not `-q`).
    pub fn live(&self) -> bool {
        self.live
    }

    /// Draws a progress line in place of the previous one (only when [`Printer::live`]).
    pub fn progress(&self, message: &str) {
        if self.live {
            let message = self.paint(CYAN, message);
            let _ = write!(io::stderr().lock(), "{CLEAR_LINE}{message}");
        }
    }

    /// Erases the progress line.
    pub fn clear_progress(&self) {
        if self.live {
            let _ = write!(io::stderr().lock(), "{CLEAR_LINE}");
        }
    }

    /// Whether colour is on (prompts follow it too).
    pub fn color(&self) -> bool {
        self.color
    }

    /// A unified diff for stdout, coloured as `git diff` colours it when stdout takes colour.
    pub fn diff(&self, text: &str) {
        if !self.color_stdout {
            return self.data(text);
        }
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                Some(BOLD)
            } else if line.starts_with('+') {
                Some(GREEN)
            } else if line.starts_with('-') {
                Some(RED)
            } else if line.starts_with("@@") {
                Some(CYAN)
            } else {
                None
            };
            match style {
                Some(style) => {
                    let body = line.trim_end_matches('\n');
                    out.push_str(&format!("{style}{body}{RESET}"));
                    out.push_str(&line[body.len()..]);
                }
                None => out.push_str(line),
            }
        }
        self.data(&out);
    }

    /// Data for stdout (hidden by `-qq`).
    pub fn data(&self, text: &str) {
        if self.verbosity > Verbosity::Silent {
            let _ = io::stdout().lock().write_all(text.as_bytes());
        }
    }

    /// A writer for stdout data that is produced by a library (completions).
    pub fn stdout(&self) -> Box<dyn Write> {
        if self.verbosity > Verbosity::Silent {
            Box::new(io::stdout().lock())
        } else {
            Box::new(io::sink())
        }
    }

    /// A status line on stderr: `Verb message`, hidden by `-q`.
    pub fn status(&self, verb: &str, message: &str) {
        if self.verbosity >= Verbosity::Default {
            let verb = self.paint(GREEN, verb);
            let _ = writeln!(io::stderr().lock(), "{verb} {message}");
        }
    }

    /// A plain line on stderr, hidden by `-q`.
    pub fn line(&self, message: &str) {
        if self.verbosity >= Verbosity::Default {
            let _ = writeln!(io::stderr().lock(), "{message}");
        }
    }

    /// A heading line on stderr (bold when coloured), hidden by `-q`.
    pub fn heading(&self, message: &str) {
        if self.verbosity >= Verbosity::Default {
            let message = self.paint(BOLD, message);
            let _ = writeln!(io::stderr().lock(), "{message}");
        }
    }

    /// A detail line on stderr, shown only with `-v`.
    pub fn verbose(&self, message: &str) {
        if self.verbosity >= Verbosity::Verbose {
            let _ = writeln!(io::stderr().lock(), "{message}");
        }
    }

    /// A warning and its hint on stderr, hidden by `-qq`.
    pub fn warning(&self, message: &str, hint: &str) {
        if self.verbosity > Verbosity::Silent {
            let mut out = io::stderr().lock();
            let _ = writeln!(out, "{}: {message}", self.paint(YELLOW, "warning"));
            let _ = writeln!(out, "{}: {hint}", self.paint(CYAN, "hint"));
        }
    }

    /// An error and its hints, always shown.
    pub fn error(&self, err: &Error) {
        let mut out = io::stderr().lock();
        let _ = writeln!(out, "{}: {err}", self.paint(RED, "error"));
        for hint in err.hints() {
            let _ = writeln!(out, "{}: {hint}", self.paint(CYAN, "hint"));
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}
