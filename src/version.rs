//! The version of this binary and of the template bundle embedded in it.
//!
//! Templates are compiled into the binary, so the CLI version is also the template version; the
//! bundle hash (computed by `build.rs`) tells two builds of the same version apart.

/// The `scaffold` version, written into manifests and locks.
pub const SCAFFOLD_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The first 12 hex digits of the SHA-256 of the embedded `templates/` tree.
pub const TEMPLATES_HASH: &str = env!("SCAFFOLD_TEMPLATES_HASH");

/// What `scaffold --version` prints after the program name.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (templates ",
    env!("SCAFFOLD_TEMPLATES_HASH"),
    ")"
);
