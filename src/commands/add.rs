//! `scaffold add resource <KIND> [--name NAME] [--no-input]`: append a `[[resource]]` table to
//! `scaffold.toml` (comments and formatting kept) and regenerate. Without `--name`, on a
//! terminal (and without `--no-input` or `CI`), the name is asked for, the default filled in.
//!
//! All-or-nothing as far as a file system allows: the edited manifest is validated and the whole
//! regen plan computed before any write; then the manifest is written first (the intent), the
//! files, and the lock last. If the run dies midway, `scaffold regen` finishes it.

use std::path::Path;

use crate::cli::{AddResourceArgs, FormatArg};
use crate::commands::regen::{self, ManifestWrite};
use crate::error::{Error, Result};
use crate::fs;
use crate::kinds;
use crate::printer::Printer;
use crate::prompts;
use crate::report::Mode;
use crate::status::ExitStatus;

/// Adds the resource and regenerates.
pub fn run(args: &AddResourceArgs, printer: &Printer) -> Result<ExitStatus> {
    // `cache:sessions`, as `new --resource` takes it, is `cache --name sessions`.
    let (kind_id, spec_name) = match args.kind.split_once(':') {
        Some((kind, name)) => (kind, Some(name)),
        None => (args.kind.as_str(), None),
    };
    let invalid = |reason: String| Error::WithHint {
        inner: Box::new(Error::InvalidResourceSpec {
            spec: args.kind.clone(),
            reason,
        }),
        hint: match kinds::all().first() {
            Some(k) => format!(
                "name it once: `scaffold add resource {k}:{name}` or `scaffold add resource {k} --name {name}`",
                name = k.example_name()
            ),
            None => "name it once: `KIND:NAME` or `KIND --name NAME`".into(),
        },
    };
    let given_name = match (spec_name, &args.name) {
        (Some(""), _) => return Err(invalid("the name after `:` is missing".into())),
        (Some(a), Some(b)) if a != b => {
            return Err(invalid(format!(
                "it names the resource `{a}`, and `--name` names it `{b}`"
            )));
        }
        (Some(a), _) => Some(a.to_owned()),
        (None, name) => name.clone(),
    };
    let kind = kinds::find(kind_id).ok_or_else(|| Error::UnknownAddKind {
        kind: kind_id.to_owned(),
    })?;
    let (root, manifest) = regen::open_project()?;
    let name = match &given_name {
        Some(name) => name.clone(),
        // On a terminal, ask (unless the name is no attribute or module: not visible in the API).
        None if kind.name_shadows_modules() && prompts::can_prompt(args.no_input) => {
            let taken: Vec<String> = manifest
                .project
                .resources
                .iter()
                .map(|r| r.name.clone())
                .collect();
            prompts::ask_resource_name(kind, &taken, printer.color())?
        }
        None => kind.default_name().to_owned(),
    };
    let edited = manifest.add_resource(kind, &name).map_err(|e| match e {
        Error::InvalidResourceName { .. } | Error::DuplicateResource { .. } => Error::WithHint {
            hint: format!(
                "pick another lowercase Python identifier: `scaffold add resource {kind} --name {}`",
                kind.example_name()
            ),
            inner: Box::new(e),
        },
        // `add` run again after one that was stopped: the resource is in the manifest already.
        Error::ResourceExists { .. } if regen::lock_is_behind(&root, &manifest).unwrap_or(false) => {
            Error::WithHint {
                hint: "the project is not in line with `scaffold.toml` (an earlier `add` stopped before it finished?): `scaffold regen` finishes it".into(),
                inner: Box::new(e),
            }
        }
        Error::TooManyOfKind { ref first, .. } => Error::WithHint {
            hint: format!("to replace it, remove it first: `scaffold remove resource {first}`"),
            inner: Box::new(e),
        },
        e => e,
    })?;
    printer.status("Adding", &format!("{kind} `{name}` to `scaffold.toml`"));
    let status = regen::execute(
        &root,
        &edited,
        ManifestWrite::Edited { on_disk: &manifest },
        if args.dry_run {
            Mode::DryRun
        } else {
            Mode::Write
        },
        FormatArg::Text,
        !args.no_lock,
        printer,
    )?;
    let env = edited
        .project
        .resources
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.env())
        .unwrap_or_default();
    if !env.is_empty() && !args.dry_run {
        report_new_setting(&root, &env, printer);
    }
    Ok(status)
}

/// The setting the new resource reads (`ANALYTICS_URL`): `.env.example` has it now, but a
/// `.env` the user made from it earlier does not, and the service would not start.
fn report_new_setting(root: &Path, env: &str, printer: &Printer) {
    printer.status(
        "Settings",
        &format!("new: `{env}` (`.env.example` has an example)"),
    );
    let dotenv = root.join(".env");
    if let Ok(Some(text)) = fs::read_text(&dotenv) {
        let set = text.lines().any(|l| {
            l.trim_start()
                .trim_start_matches("export ")
                .split_once('=')
                .is_some_and(|(k, _)| k.trim() == env)
        });
        if !set {
            printer.warning(
                &format!("`.env` does not set `{env}`: the service stops at startup without it"),
                &format!(
                    "add it to `.env`, as `.env.example` shows: `grep ^{env}= .env.example >> .env`"
                ),
            );
        }
    }
}
