//! Which module a name comes from, as Python resolves it: `import asyncio as aio` makes
//! `aio.CancelledError` mean `asyncio.CancelledError`; `from asyncio import CancelledError as CE`
//! makes `CE` mean it too. A name bound by no import is a builtin only if nothing in the file
//! binds it (a module's own `class CancelledError` is not asyncio's).
//!
//! Resolution is per file, not per scope: imports inside a function count for the whole file.
//! That is how these modules are imported in practice, and it errs on the side of resolving.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt};

/// Modules that re-export asyncio's names under another path.
const ALIASES: &[(&str, &str)] = &[
    (
        "asyncio.exceptions.CancelledError",
        "asyncio.CancelledError",
    ),
    ("asyncio.tasks.gather", "asyncio.gather"),
    ("asyncio.tasks.wait_for", "asyncio.wait_for"),
    ("asyncio.tasks.shield", "asyncio.shield"),
    ("asyncio.timeouts.timeout", "asyncio.timeout"),
    ("asyncio.runners.run", "asyncio.run"),
];

/// The names a file binds: imports (local name → qualified name) and everything else it binds.
#[derive(Debug, Default)]
pub struct Names {
    imports: HashMap<String, String>,
    bound: HashSet<String>,
}

impl Names {
    /// Collects the bindings of `module`.
    pub fn of(module: &ModModule) -> Self {
        let mut collector = Collector::default();
        collector.visit_body(&module.body);
        collector.names
    }

    /// The qualified name `expr` refers to (`asyncio.CancelledError`), or `None` for anything
    /// that is not a plain dotted name of an import or a builtin.
    pub fn qualified(&self, expr: &Expr) -> Option<String> {
        let raw = self.raw(expr)?;
        Some(
            ALIASES
                .iter()
                .find(|(from, _)| *from == raw)
                .map_or(raw.clone(), |(_, to)| (*to).to_owned()),
        )
    }

    /// Whether `expr` is `qualified` (e.g. `asyncio.CancelledError`).
    pub fn is(&self, expr: &Expr, qualified: &str) -> bool {
        self.qualified(expr).as_deref() == Some(qualified)
    }

    fn raw(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if let Some(full) = self.imports.get(id) {
                    Some(full.clone())
                } else if self.bound.contains(id) {
                    None
                } else {
                    Some(format!("builtins.{id}"))
                }
            }
            Expr::Attribute(attribute) => {
                let base = self.raw(&attribute.value)?;
                if base.starts_with("builtins.") {
                    return None;
                }
                Some(format!("{base}.{}", attribute.attr.as_str()))
            }
            _ => None,
        }
    }
}

#[derive(Default)]
struct Collector {
    names: Names,
}

impl Collector {
    fn bind(&mut self, name: &str) {
        self.names.bound.insert(name.to_owned());
    }
}

impl<'a> Visitor<'a> for Collector {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.as_str();
                    match &alias.asname {
                        Some(local) => {
                            self.names
                                .imports
                                .insert(local.to_string(), full.to_owned());
                        }
                        // `import a.b` binds `a`.
                        None => {
                            let top = full.split('.').next().unwrap_or(full);
                            self.names.imports.insert(top.to_owned(), top.to_owned());
                        }
                    }
                }
            }
            Stmt::ImportFrom(from) if from.level == 0 => {
                let module = from.module.as_ref().map_or("", |m| m.as_str());
                for alias in &from.names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    self.names
                        .imports
                        .insert(local, format!("{module}.{}", alias.name.as_str()));
                }
            }
            Stmt::ImportFrom(from) => {
                // A relative import is the project's own module: never a builtin.
                for alias in &from.names {
                    self.bind(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::FunctionDef(def) => self.bind(def.name.as_str()),
            Stmt::ClassDef(class) => self.bind(class.name.as_str()),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && name.ctx.is_store()
        {
            self.bind(name.id.as_str());
        }
        visitor::walk_expr(self, expr);
    }
}
