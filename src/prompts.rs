//! Interactive questions for `scaffold new` (and the name asked by `scaffold add resource`),
//! asked only on a terminal.
//!
//! Prompts run only when stdin and stderr are terminals, `--no-input` is not given and `CI` is
//! unset; otherwise the caller uses flags or fails naming the flag. Every answer has a flag, and
//! the prompts yield exactly what the flags would (`ResourceSpec`s and a `PythonVersion`).

use std::io::IsTerminal;

use dialoguer::console::Term;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Input, MultiSelect, Select};

use crate::error::{Error, Result};
use crate::kinds::{self, ResourceKind};
use crate::model::{PythonVersion, ResourceSpec};
use crate::names;

/// What the prompts produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answers {
    pub resources: Vec<ResourceSpec>,
    pub python: PythonVersion,
}

/// Whether prompting is allowed and possible.
pub fn can_prompt(no_input: bool) -> bool {
    !no_input
        && std::env::var_os("CI").is_none()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// Why [`can_prompt`] said no, as a hint that says what would make it ask.
pub fn why_not_prompted(no_input: bool) -> String {
    if no_input {
        "`--no-input` (or `SCAFFOLD_NO_INPUT`) is set; without it, a terminal asks for them".into()
    } else if std::env::var_os("CI").is_some() {
        "`CI` is set, so nothing is asked; without it, a terminal asks for them".into()
    } else {
        "not on a terminal (stdin or stderr is redirected), so nothing is asked".into()
    }
}

/// Ctrl-C while a prompt is up: dialoguer has hidden the cursor and does not show it again
/// when the process is interrupted (dialoguer #77, #294). The handler shows it and exits 130,
/// as a shell expects of an interrupted command. Nothing is written before the prompts end.
fn restore_the_terminal_on_interrupt() {
    static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            let _ = Term::stderr().show_cursor();
            let _ = Term::stderr().write_line("");
            std::process::exit(130);
        });
    });
}

/// Asks for the kinds, their names, and the Python version (unless already given).
pub fn ask(python: Option<PythonVersion>, color: bool) -> Result<Answers> {
    restore_the_terminal_on_interrupt();
    let colorful = ColorfulTheme::default();
    let simple = SimpleTheme;
    let theme: &dyn Theme = if color { &colorful } else { &simple };
    let term = Term::stderr();

    let all = kinds::all();
    let width = all.iter().map(|k| k.id().len()).max().unwrap_or(0) + 1;
    // One row per item: a line the terminal wraps is not cleared when the list redraws (at 40
    // columns the old rows stayed). The marker and checkbox take 6 columns.
    let columns = usize::from(term.size().1).max(20);
    let items: Vec<String> = all
        .iter()
        .map(|k| {
            fit(
                &format!("{:<width$} {}", k.id(), k.description()),
                columns - 6,
            )
        })
        .collect();
    let chosen = MultiSelect::with_theme(theme)
        .with_prompt("Resources (space toggles, enter confirms)")
        .items(&items)
        .report(false)
        .interact_on(&term)
        .map_err(prompt_error)?;
    if chosen.is_empty() {
        return Err(Error::NoResources);
    }
    // The summary names the chosen kinds only (dialoguer's repeats every description).
    let ids: Vec<&str> = chosen.iter().map(|&i| all[i].id()).collect();
    let _ = term.write_line(&format!("Resources: {}", ids.join(", ")));

    let mut resources = Vec::with_capacity(chosen.len());
    for index in chosen {
        let kind = all[index];
        // A name that is no attribute or module (the runtime's) is not visible in the generated
        // code's API; the others name an attribute, a variable or a module: worth asking for.
        let name = if !kind.name_shadows_modules() {
            kind.default_name().to_owned()
        } else {
            Input::<String>::with_theme(theme)
                .with_prompt(format!("Name of the {kind} resource"))
                .default(kind.default_name().to_owned())
                .validate_with(|name: &String| {
                    names::check_resource_name(name, kind.name_shadows_modules())
                })
                .interact_text_on(&term)
                .map_err(prompt_error)?
        };
        resources.push(ResourceSpec {
            kind,
            name: Some(name),
        });
    }

    let python = match python {
        Some(python) => python,
        None => {
            let labels: Vec<&str> = PythonVersion::ALL.iter().map(|v| v.as_str()).collect();
            let default = PythonVersion::ALL
                .iter()
                .position(|v| *v == PythonVersion::default())
                .unwrap_or(0);
            let index = Select::with_theme(theme)
                .with_prompt("Python version")
                .items(&labels)
                .default(default)
                .interact_on(&term)
                .map_err(prompt_error)?;
            PythonVersion::ALL[index]
        }
    };
    Ok(Answers { resources, python })
}

/// `scaffold add resource KIND` on a terminal without `--name`: asks for the name, with the
/// kind's default (or `DEFAULT_2` when the project already has that name) filled in. `taken`
/// are the project's resource names, refused here as `add` would refuse them.
pub fn ask_resource_name(kind: ResourceKind, taken: &[String], color: bool) -> Result<String> {
    restore_the_terminal_on_interrupt();
    let colorful = ColorfulTheme::default();
    let simple = SimpleTheme;
    let theme: &dyn Theme = if color { &colorful } else { &simple };
    let mut default = kind.default_name().to_owned();
    if taken.contains(&default) {
        default = (2..)
            .map(|n| format!("{}_{n}", kind.default_name()))
            .find(|n| !taken.contains(n))
            .unwrap_or(default);
    }
    Input::<String>::with_theme(theme)
        .with_prompt(format!("Name of the {kind} resource"))
        .default(default)
        .validate_with(|name: &String| {
            if taken.contains(name) {
                return Err(format!("the project already has a resource named `{name}`"));
            }
            names::check_resource_name(name, kind.name_shadows_modules())
        })
        .interact_text_on(&Term::stderr())
        .map_err(prompt_error)
}

/// `text` cut to `columns` characters, with `…` where it was cut.
fn fit(text: &str, columns: usize) -> String {
    if text.chars().count() <= columns {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(columns.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn prompt_error(err: dialoguer::Error) -> Error {
    match err {
        // Ctrl-C: the read is interrupted before the handler exits; the same ending.
        dialoguer::Error::IO(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            let _ = Term::stderr().show_cursor();
            Error::Interrupted
        }
        err => Error::Prompt {
            message: err.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_to_the_columns_with_an_ellipsis() {
        assert_eq!(fit("db-pool  PostgreSQL", 40), "db-pool  PostgreSQL");
        assert_eq!(
            fit("db-pool  PostgreSQL connection pool", 12),
            "db-pool  Po…"
        );
        assert_eq!(
            fit("db-pool  PostgreSQL connection pool", 12)
                .chars()
                .count(),
            12
        );
    }
}
