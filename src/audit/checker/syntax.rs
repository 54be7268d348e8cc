//! Small AST helpers the rules share: no rule of their own.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};

/// The value of keyword argument `name` of `call` (`timeout=5`), if given.
pub(super) fn keyword<'c>(call: &'c ruff_python_ast::ExprCall, name: &str) -> Option<&'c Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

/// `tasks`, `self._tasks`: a name or attribute chain as written.
pub(super) fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}

/// Whether `stmts` read `name` (a name or attribute chain, as [`dotted`] writes it).
pub(super) fn mentions(stmts: &[Stmt], name: &str) -> bool {
    struct Finder<'a> {
        name: &'a str,
        found: bool,
    }
    impl<'v> Visitor<'v> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'v Expr) {
            let read = match expr {
                Expr::Name(n) => n.ctx.is_load(),
                Expr::Attribute(a) => a.ctx.is_load(),
                _ => false,
            };
            if read && dotted(expr).as_deref() == Some(self.name) {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_body(stmts);
    finder.found
}

/// `tg` of `tg.cancel_scope.cancel`.
pub(super) fn root_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => root_name(&a.value),
        _ => None,
    }
}
