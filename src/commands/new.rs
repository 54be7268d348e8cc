//! `scaffold new`: flags (or prompts) → `Project` → `Plan` → files on disk → `git init` and
//! `uv lock` ([`crate::finish`]) → next steps.
//!
//! Everything that can be refused is checked before the first write: the names, the target
//! directory, the resources, and the whole render.

use std::path::PathBuf;

use crate::apply;
use crate::cli::{NewArgs, PythonArg, VcsArg};
use crate::error::{Error, Result};
use crate::finish::{self, shell_quote};
use crate::fs;
use crate::lock::{LOCK_FILE, Lock};
use crate::manifest::{self, MANIFEST_FILE};
use crate::model::{Project, PythonVersion, ResourceSpec};
use crate::printer::Printer;
use crate::prompts;
use crate::render;
use crate::status::ExitStatus;

/// Creates the project described by `args`.
pub fn run(args: NewArgs, printer: &Printer) -> Result<ExitStatus> {
    let python = args.python.map(python_version);
    let mut specs = args
        .resources
        .iter()
        .map(|s| ResourceSpec::parse(s))
        .collect::<Result<Vec<_>>>()?;

    // `scaffold new .`: the project is the directory (by default the working one), named for it.
    let (name, dir) = if args.name == "." {
        let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
        (directory_name(&dir)?, dir)
    } else {
        let dir = args
            .dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(&args.name));
        (args.name.clone(), dir)
    };
    // Refuse a bad name or target before asking anything.
    Project::check_name(&name).map_err(|e| match args.name.as_str() {
        "." => Error::WithHint {
            inner: Box::new(e),
            hint: format!(
                "`.` names the project for its directory, `{name}`: give a name instead, `scaffold new orders --dir {}`",
                shell_quote(&dir)
            ),
        },
        _ => e,
    })?;
    fs::check_target_dir(&dir)?;

    let python = if specs.is_empty() {
        if !prompts::can_prompt(args.no_input) {
            return Err(Error::NoResourcesNoPrompt {
                why: prompts::why_not_prompted(args.no_input),
            });
        }
        let answers = prompts::ask(python, printer.color())?;
        specs = answers.resources;
        answers.python
    } else {
        python.unwrap_or_default()
    };

    let project = Project::new(&name, python, &specs)?;
    let plan = render::render(&project)?;
    let manifest = manifest::render(&project);
    let lock = Lock::from_plan(&plan).to_toml();
    if args.dry_run {
        for (path, file) in plan.iter() {
            printer.data(&format!("{:<9} {path}  ({})\n", "create", file.owner));
        }
        printer.data(&format!(
            "{:<9} {MANIFEST_FILE}  (the manifest)\n",
            "create"
        ));
        printer.data(&format!("{:<9} {LOCK_FILE}  (the lock)\n", "create"));
        printer.status(
            "Dry run",
            &format!(
                "{} files would be created at `{}`; nothing was written",
                plan.len() + 2,
                dir.display()
            ),
        );
        return Ok(ExitStatus::Success);
    }
    apply::create_project(&dir, &plan, &manifest, &lock)?;

    for (path, file) in plan.iter() {
        printer.verbose(&format!("  wrote {path} ({})", file.owner));
    }
    printer.verbose(&format!("  wrote {MANIFEST_FILE}"));
    printer.verbose(&format!("  wrote {LOCK_FILE}"));
    printer.status(
        "Created",
        &format!(
            "project `{}` (package `{}`, Python {}) at `{}`",
            project.name,
            project.package,
            python,
            dir.display()
        ),
    );
    for resource in &project.resources {
        let env = resource.env();
        let reads = if env.is_empty() {
            String::new()
        } else {
            format!("  (reads `{env}`)")
        };
        printer.line(&format!(
            "  {:<9} {}{reads}",
            resource.kind.id(),
            resource.name
        ));
    }
    printer.line(&format!(
        "{} files, plus `{MANIFEST_FILE}` and `{LOCK_FILE}`",
        plan.len()
    ));

    let steps = finish::Steps {
        git_init: args.vcs == VcsArg::Git,
        uv_lock: !args.no_lock,
    };
    let reports = finish::run(&dir, steps, printer);
    for report in &reports {
        finish::print(report, &dir, printer);
    }
    let locked = reports
        .iter()
        .any(|r| r.step() == finish::Step::UvLock && r.done());

    printer.line("");
    printer.heading("Next:");
    if !fs::is_current_dir(&dir) {
        printer.line(&format!("  cd {}", shell_quote(&dir)));
    }
    if !locked {
        printer.line("  uv lock");
    }
    for command in render::next_steps(&project)?.lines() {
        printer.line(&format!("  {command}"));
    }
    Ok(ExitStatus::Success)
}

/// The name of `dir` (the working directory's for `.`), for `scaffold new .`.
fn directory_name(dir: &std::path::Path) -> Result<String> {
    let resolved = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    resolved
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::InvalidProjectName {
            name: ".".into(),
            reason: format!("`{}` has no name to take", resolved.display()),
        })
}

fn python_version(arg: PythonArg) -> PythonVersion {
    match arg {
        PythonArg::V3_11 => PythonVersion::V3_11,
        PythonArg::V3_12 => PythonVersion::V3_12,
        PythonArg::V3_13 => PythonVersion::V3_13,
    }
}
