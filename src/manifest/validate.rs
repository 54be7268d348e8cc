//! The raw manifest checked into a `Project`: the same validation as `scaffold new`, plus each
//! kind's options from its `kind.toml`; errors carry the key path, and `span_of` finds its line.

use std::ops::Range;

use toml_edit::Item;

use super::RawManifest;
use crate::error::Error;
use crate::kinds::{self, OptionValue};
use crate::model::{Project, PythonVersion, ResourceSpec};

/// 1-based line of byte `offset` in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The span of a value by key path (`["resource", "2", "name"]`), or of the nearest parent.
pub(super) fn span_of(text: &str, key: &[String]) -> Option<Range<usize>> {
    let doc = toml_edit::Document::parse(text.to_owned()).ok()?;
    let mut item: &Item = doc.as_item();
    let mut span = None;
    for (at, part) in key.iter().enumerate() {
        let next = match (item, part.parse::<usize>()) {
            (Item::ArrayOfTables(array), Ok(i)) => match array.get(i) {
                Some(table) => {
                    span = table.span().or(span);
                    // Keys under an array element are one level deep (`resource.N.KEY`).
                    let rest = key.get(at + 1);
                    return rest
                        .and_then(|k| table.get(k))
                        .and_then(Item::span)
                        .or(span);
                }
                None => return span,
            },
            (_, _) => item.get(part.as_str()),
        };
        match next {
            Some(next) => {
                span = next.span().or(span);
                item = next;
            }
            None => return span,
        }
    }
    span
}

/// `RawManifest` → `Project`, with the failing key path and a message.
pub(super) fn to_project(raw: &RawManifest) -> std::result::Result<Project, (Vec<String>, String)> {
    let key = |parts: &[&str]| parts.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let python = PythonVersion::ALL
        .into_iter()
        .find(|v| v.as_str() == raw.project.python)
        .ok_or_else(|| {
            (
                key(&["project", "python"]),
                format!(
                    "unsupported Python `{}`: use one of 3.11, 3.12, 3.13",
                    raw.project.python
                ),
            )
        })?;
    let package = Project::check_name(&raw.project.name)
        .map_err(|e| (key(&["project", "name"]), e.to_string()))?;
    if package != raw.project.package {
        return Err((
            key(&["project", "package"]),
            format!(
                "must be `{package}`, the snake_case of `project.name` (`{}`)",
                raw.project.name
            ),
        ));
    }
    let mut specs = Vec::with_capacity(raw.resources.len());
    for (i, r) in raw.resources.iter().enumerate() {
        let kind = kinds::find(&r.kind).ok_or_else(|| {
            (
                vec!["resource".into(), i.to_string(), "kind".into()],
                format!(
                    "unknown kind `{}`; known kinds: {}",
                    r.kind,
                    kinds::id_list()
                ),
            )
        })?;
        specs.push(ResourceSpec {
            kind,
            name: Some(r.name.clone()),
        });
    }
    let mut project = Project::new(&raw.project.name, python, &specs).map_err(|e| {
        // Point at the resource the error is about: the last one with that name.
        let name = match &e {
            Error::InvalidResourceName { name, .. } | Error::DuplicateResource { name, .. } => {
                Some(name.clone())
            }
            Error::TooManyOfKind { second, .. } => Some(second.clone()),
            _ => None,
        };
        if matches!(e, Error::NoResources) {
            return (
                vec!["resource".into()],
                "the manifest has no `[[resource]]` table; a project needs at least one".into(),
            );
        }
        let at = name.and_then(|n| raw.resources.iter().rposition(|r| r.name == n));
        match at {
            Some(i) => (
                vec!["resource".into(), i.to_string(), "name".into()],
                e.to_string(),
            ),
            None => (vec!["resource".into()], e.to_string()),
        }
    })?;
    for (i, (resource, r)) in project.resources.iter_mut().zip(&raw.resources).enumerate() {
        let at = |k: &str| vec!["resource".to_owned(), i.to_string(), k.to_owned()];
        if let Some(key) = r.options.keys().find(|k| resource.kind.option(k).is_none()) {
            return Err((
                at(key),
                format!("`{key}` is not an option of kind `{}`", resource.kind),
            ));
        }
        for (name, value) in resource.options.iter_mut() {
            if let (Some(given), Some(spec)) = (r.options.get(*name), resource.kind.option(name)) {
                *value = spec.value_from(given).map_err(|e| (at(name), e))?;
            }
        }
        // Limits between options (`max_size` at least `min_size`), on the values now final.
        let options = &resource.options;
        let int = |other: &str| {
            options
                .iter()
                .find(|(n, _)| *n == other)
                .and_then(|(_, v)| match v {
                    OptionValue::Int(n) => Some(*n),
                    OptionValue::Str(_) => None,
                })
        };
        for (name, value) in options {
            if let Some(spec) = resource.kind.option(name) {
                spec.check(value, Some(&int)).map_err(|e| (at(name), e))?;
            }
        }
    }
    Ok(project)
}
