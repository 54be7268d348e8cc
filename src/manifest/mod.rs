//! `scaffold.toml`: the raw, serde-shaped manifest, reading it into a validated `Project`,
//! migrating older schemas, and editing it with `toml_edit`.
//!
//! The manifest is the source of truth for a project. Reading goes text → `DocumentMut`
//! (syntax, with the line) → schema check and migration → `RawManifest` (serde, unknown keys
//! refused) → `Project` (the same validation as `scaffold new`). Every error names the file,
//! and where it can, the key and line. Edits go through `toml_edit`, so the user's comments
//! and formatting survive `add` and `remove`.
//!
//! The steps live in their own modules: `validate` (raw manifest → `Project`, and the spans
//! errors point at), `migrate` (older schemas), `edit` (`add` / `remove`, and the manifest of
//! a new project).
//!
//! Schemas:
//! - **0** (scaffold before 0.1): no `schema` key, and resources were `[[resources]]` tables.
//!   Migrated in code: `[[resources]]` becomes `[[resource]]` and `schema = 1` is added.
//! - **1**: the current schema (see `docs/design.md`).

mod edit;
mod migrate;
mod validate;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{DocumentMut, Item, value};

use crate::error::{Error, Result};
use crate::model::Project;
use crate::version::SCAFFOLD_VERSION;

pub use edit::render;
use migrate::migrate;
use validate::{line_of, span_of, to_project};

/// The manifest schema this binary writes and understands.
pub const SCHEMA: i64 = 1;

/// The file name of the manifest, at the project root.
pub const MANIFEST_FILE: &str = "scaffold.toml";

/// `scaffold.toml` as it is on disk, before validation.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    pub schema: i64,
    pub scaffold_version: String,
    pub project: RawProject,
    #[serde(default, rename = "resource")]
    pub resources: Vec<RawResource>,
}

/// The `[project]` table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub name: String,
    pub package: String,
    pub python: String,
}

/// One `[[resource]]` table: kind, name, and the kind's options (checked against its
/// `kind.toml` when the project is built, so an unknown key names the kind).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RawResource {
    pub kind: String,
    pub name: String,
    #[serde(flatten)]
    pub options: toml::Table,
}

impl RawManifest {
    /// Parses manifest text; unknown keys are an error naming the key.
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }
}

/// A manifest read from disk: its (possibly migrated) document and the validated project.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// The document, migrated to the current schema; edits keep the user's formatting.
    pub doc: DocumentMut,
    /// The schema the file on disk had (older than [`SCHEMA`] means it was migrated).
    pub schema_on_disk: i64,
    pub project: Project,
}

impl Manifest {
    /// The scaffold version that last rendered the project (`scaffold_version`), if recorded.
    pub fn recorded_version(&self) -> Option<&str> {
        self.doc.get("scaffold_version").and_then(|v| v.as_str())
    }

    /// Reads and validates the manifest bytes read from `path`.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Error::Manifest {
                path: path.to_owned(),
                line: Some(line),
                key: None,
                message: "the file is not UTF-8 text".into(),
            }
        })?;
        Self::parse(text, path)
    }

    /// Reads and validates manifest text read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let located =
            |span: Option<Range<usize>>, key: Option<String>, message: String| Error::Manifest {
                path: path.to_owned(),
                line: span.map(|s| line_of(text, s.start)),
                key,
                message,
            };
        let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            located(
                e.span(),
                None,
                format!("not valid TOML: {}", e.message().trim()),
            )
        })?;
        let schema_on_disk = match doc.get("schema") {
            None => 0,
            Some(item) => item.as_integer().ok_or_else(|| {
                located(
                    item.span(),
                    Some("schema".into()),
                    "must be an integer".into(),
                )
            })?,
        };
        if schema_on_disk > SCHEMA {
            return Err(Error::SchemaTooNew {
                path: path.to_owned(),
                schema: schema_on_disk,
                known: SCHEMA,
                current: SCAFFOLD_VERSION.to_owned(),
                wanted: doc
                    .get("scaffold_version")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
            });
        }
        if schema_on_disk < 0 {
            return Err(located(
                doc.get("schema").and_then(Item::span),
                Some("schema".into()),
                format!("unknown schema {schema_on_disk}"),
            ));
        }
        let migrated = schema_on_disk < SCHEMA;
        if migrated {
            migrate(&mut doc);
        }
        // Spans index the text on disk; after a migration they are looked up in that text too,
        // by re-parsing it with the keys the migration renamed.
        let current_text;
        let span_text = if migrated {
            current_text = doc.to_string();
            current_text.as_str()
        } else {
            text
        };
        let raw = RawManifest::parse(span_text).map_err(|e| {
            // A type error's span is the value (`3.12`): name the key it belongs to.
            let key = e
                .span()
                .and_then(|s| key_of_value(span_text, s.start))
                .or_else(|| {
                    e.span()
                        .map(|s| span_text[s].trim_matches(['[', ']', ' ']).to_owned())
                        .filter(|k| !k.is_empty() && k.len() < 60 && !k.contains('\n'))
                });
            Error::Manifest {
                path: path.to_owned(),
                line: e.span().map(|s| line_of(span_text, s.start)),
                key,
                message: e.message().trim().to_owned(),
            }
        })?;
        let project = to_project(&raw).map_err(|(key, message)| {
            let span = span_of(span_text, &key);
            Error::Manifest {
                path: path.to_owned(),
                line: span.map(|s| line_of(span_text, s.start)),
                key: Some(key.join(".")),
                message,
            }
        })?;
        Ok(Manifest {
            path: path.to_owned(),
            doc,
            schema_on_disk,
            project,
        })
    }

    /// The manifest text to write after a successful `regen`: migrated, with this version.
    pub fn updated_text(&self) -> String {
        let mut doc = self.doc.clone();
        doc["scaffold_version"] = value(SCAFFOLD_VERSION);
        doc.to_string()
    }
}

/// The dotted key (`project.python`, `resource.0.kind`) whose value starts at byte `at` of
/// `text`, when `at` is right of a `key =` on its line.
fn key_of_value(text: &str, at: usize) -> Option<String> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    let (key, _) = before.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || key.starts_with('#') || key.starts_with('[') {
        return None;
    }
    // The table it is in: the last header above it (`[[resource]]` counted from 0).
    let above = &text[..line_start];
    let header = above
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('['));
    Some(match header.map(str::trim) {
        Some(h) if h.starts_with("[[") => {
            let name = h.trim_matches(['[', ']', ' ']);
            let index = above
                .lines()
                .filter(|l| l.trim() == h)
                .count()
                .saturating_sub(1);
            format!("{name}.{index}.{key}")
        }
        Some(h) => format!("{}.{key}", h.trim_matches(['[', ']', ' '])),
        None => key.to_owned(),
    })
}
