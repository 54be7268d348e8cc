//! The embedded template bundle and the minijinja environment that renders it.
//!
//! `templates/` is compiled into the binary with `include_dir!`, so a binary always renders the
//! templates it was built with. The environment is strict: an undefined variable is an error,
//! never an empty string in the generated Python.

use include_dir::{Dir, include_dir};
use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value};

use crate::error::{Error, Result};

/// The `templates/` directory, embedded.
static BUNDLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The file plan table, relative to `templates/`.
pub const FILE_TABLE: &str = "files.toml";

/// The text of an embedded file, by its path under `templates/`.
pub fn get(path: &str) -> Option<&'static str> {
    BUNDLE.get_file(path).and_then(|f| f.contents_utf8())
}

/// The text of `templates/files.toml`.
pub fn file_table() -> Result<&'static str> {
    get(FILE_TABLE).ok_or_else(|| Error::FileTable {
        message: "the table is missing from the bundle".into(),
    })
}

/// Every folder of `kinds/` with the text of its `kind.toml` (none if missing or not UTF-8:
/// the registry reports it), in folder order.
pub fn kind_files() -> Vec<(&'static str, Option<&'static str>)> {
    let Some(kinds) = BUNDLE.get_dir(crate::kinds::KINDS_DIR) else {
        return Vec::new();
    };
    let mut files: Vec<_> = kinds
        .dirs()
        .filter_map(|dir| {
            let folder = dir.path().file_name()?.to_str()?;
            let text = dir
                .get_file(dir.path().join("kind.toml"))
                .and_then(|f| f.contents_utf8());
            Some((folder, text))
        })
        .collect();
    files.sort();
    files
}

/// A strict environment holding every `*.j2` template of the bundle, named by its path.
pub fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| render_error("<syntax>", &e))?;
    env.set_syntax(syntax);
    env.add_function("python_imports", python_imports);

    let mut stack = vec![&BUNDLE];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            let Some(name) = file.path().to_str() else {
                continue;
            };
            if !name.ends_with(".j2") {
                continue;
            }
            let source = file.contents_utf8().ok_or_else(|| Error::Render {
                template: name.to_owned(),
                resource: None,
                detail: "the template is not UTF-8".into(),
            })?;
            env.add_template(name, source)
                .map_err(|e| render_error(name, &e))?;
        }
    }
    Ok(env)
}

/// `python_imports(package, file, kinds, lines)`: the import block of a generated Python file,
/// from its own `lines` and those the `kinds` present offer for `file` (see `python_imports`).
fn python_imports(
    package: &str,
    file: &str,
    kinds: Vec<Value>,
    own: Vec<String>,
) -> std::result::Result<String, minijinja::Error> {
    let mut lines = own;
    for kind in &kinds {
        let present = |v: &Value| !(v.is_undefined() || v.is_none());
        let offers = kind.get_attr("offers")?;
        let imports = if present(&offers) {
            offers.get_attr("imports")?
        } else {
            continue;
        };
        let offered = if present(&imports) {
            imports.get_attr(file)?
        } else {
            continue;
        };
        if !present(&offered) {
            continue;
        }
        let names: Vec<String> = match kind.get_attr("resources") {
            Ok(resources) => resources
                .try_iter()?
                .filter_map(|r| r.get_attr("name").ok().map(|n| n.to_string()))
                .collect(),
            Err(_) => Vec::new(),
        };
        for line in offered.try_iter()? {
            let line = line.to_string();
            if line.contains("{name}") {
                lines.extend(names.iter().map(|n| line.replace("{name}", n)));
            } else {
                lines.push(line);
            }
        }
    }
    crate::python_imports::format(package, &lines)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e))
}

fn render_error(template: &str, err: &minijinja::Error) -> Error {
    Error::Render {
        template: template.to_owned(),
        resource: None,
        detail: format!("{err:#}"),
    }
}
