//! `scaffold remove resource <NAME>`: remove that `[[resource]]` table from `scaffold.toml`
//! (other comments and formatting kept) and regenerate. Files only it needed are deleted when
//! unedited, and kept and reported as conflicts when edited. Same write order as `add`.

use crate::cli::{FormatArg, RemoveResourceArgs};
use crate::commands::regen::{self, ManifestWrite};
use crate::error::{Error, Result};
use crate::printer::Printer;
use crate::report::Mode;
use crate::status::ExitStatus;

/// Removes the resource and regenerates.
pub fn run(args: &RemoveResourceArgs, printer: &Printer) -> Result<ExitStatus> {
    let (root, manifest) = regen::open_project()?;
    let edited = manifest.remove_resource(&args.name).map_err(|e| match e {
        // `remove` run again after one that was stopped: the manifest has lost it already.
        Error::ResourceMissing { .. } if regen::lock_is_behind(&root, &manifest).unwrap_or(false) => {
            Error::WithHint {
                hint: "the project is not in line with `scaffold.toml` (an earlier `remove` stopped before it finished?): `scaffold regen` finishes it".into(),
                inner: Box::new(e),
            }
        }
        e => e,
    })?;
    let kind = manifest
        .project
        .resources
        .iter()
        .find(|r| r.name == args.name)
        .map(|r| r.kind);
    if let Some(kind) = kind {
        printer.status(
            "Removing",
            &format!("{kind} `{}` from `scaffold.toml`", args.name),
        );
    }
    regen::execute(
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
    )
}
