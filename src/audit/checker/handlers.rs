//! The exception-handler rules: SCA001, SCA002, SCA013, SCA020.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::{CANCELLED, Checker, Scope};
use crate::audit::rules;

/// The classes an `except` of every `Exception` names.
pub(super) const BROAD: &[&str] = &["builtins.Exception", "builtins.BaseException"];

/// Calls that only report an exception they are given: handing it to one is not handing it on.
const REPORTS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
    "print",
    "str",
    "repr",
    "format",
    "type",
    "isinstance",
    "issubclass",
];

impl Checker<'_> {
    /// Whether `h` catches the cancellation by name (asyncio's, anyio's
    /// `get_cancelled_exc_class()`).
    pub(super) fn catches_cancellation(
        &self,
        h: &ruff_python_ast::ExceptHandlerExceptHandler,
    ) -> bool {
        self.caught(h).iter().any(|e| {
            self.is_any(e, CANCELLED)
                || matches!(e, Expr::Call(call) if self.names.is(&call.func, "anyio.get_cancelled_exc_class"))
        })
    }

    /// Whether `h` catches everything: `except BaseException` or a bare `except:`.
    pub(super) fn catches_everything(
        &self,
        h: &ruff_python_ast::ExceptHandlerExceptHandler,
    ) -> bool {
        h.type_.is_none()
            || self
                .caught(h)
                .iter()
                .any(|e| self.is_any(e, &["builtins.BaseException"]))
    }

    /// Whether `h` catches every `Exception`: `except Exception`, `except BaseException`, bare.
    pub(super) fn catches_exceptions(
        &self,
        h: &ruff_python_ast::ExceptHandlerExceptHandler,
    ) -> bool {
        h.type_.is_none() || self.caught(h).iter().any(|e| self.is_any(e, BROAD))
    }

    /// The exception types `h` names (none for a bare `except:`).
    pub(super) fn caught<'h>(
        &self,
        h: &'h ruff_python_ast::ExceptHandlerExceptHandler,
    ) -> Vec<&'h Expr> {
        match h.type_.as_deref() {
            None => Vec::new(),
            Some(Expr::Tuple(t)) => t.elts.iter().collect(),
            Some(one) => vec![one],
        }
    }

    /// SCA001, SCA013: an `except` that catches the cancellation and does not re-raise it.
    pub(super) fn handler(&mut self, h: &ruff_python_ast::ExceptHandlerExceptHandler) {
        let header = TextRange::new(
            h.range.start(),
            h.type_
                .as_ref()
                .map_or(h.range.start() + ruff_text_size::TextSize::from(6), |t| {
                    t.end()
                }),
        );
        let cancelled = self.caught(h).iter().any(|e| self.is_any(e, CANCELLED));
        if !(cancelled || self.catches_everything(h)) {
            return;
        }
        let bound = h.name.as_ref().map(|n| n.as_str());
        if reraises(&h.body, bound)
            || deliberate(&h.body)
            || hands_on(&h.body, bound)
            || self.raises_new_cancelled(&h.body)
        {
            return;
        }
        // `except BaseException` that lets something out on some path chose what to let out
        // (`if isinstance(exc, Cancelled): raise`, `if not ok: raise`).
        if !cancelled && raises_somewhere(&h.body, bound) {
            return;
        }
        if cancelled {
            self.hit(
                &rules::SCA001,
                header,
                "`except CancelledError` without re-raise: the task never ends cancelled, so shutdown, timeouts and TaskGroups wait on it",
            );
        } else {
            let what = if h.type_.is_none() {
                "bare `except:`"
            } else {
                "`except BaseException`"
            };
            self.hit(
                &rules::SCA013,
                header,
                format!(
                    "{what} without re-raise in async code: it swallows the task's cancellation"
                ),
            );
        }
    }

    fn is_new_cancelled(&self, exc: &Expr) -> bool {
        match exc {
            Expr::Call(call) => self.is_any(&call.func, CANCELLED),
            other => self.is_any(other, CANCELLED),
        }
    }

    fn raises_new_cancelled(&self, body: &[Stmt]) -> bool {
        let mut finder = RaiseFinder::default();
        finder.visit_body(body);
        finder.raised.iter().any(|exc| self.is_new_cancelled(exc))
    }

    /// SCA002: `raise CancelledError()` where a caught exception is in flight.
    pub(super) fn raise(&mut self, raise: &ruff_python_ast::StmtRaise, scope: Scope) {
        if !(scope.is_async && scope.handling) {
            return;
        }
        if let Some(exc) = &raise.exc
            && self.is_new_cancelled(exc)
        {
            self.hit(
                &rules::SCA002,
                raise.range,
                "raises a new `CancelledError` instead of re-raising the caught one: the cancellation's message and traceback are lost",
            );
        }
    }
}

/// Whether the task can wait in `stmts` (an `await`, `yield`, `async with`, `async for`):
/// the only places a cancellation is delivered.
pub(super) fn has_wait_point(stmts: &[Stmt]) -> bool {
    struct Finder {
        found: bool,
    }
    impl<'v> Visitor<'v> for Finder {
        fn visit_stmt(&mut self, stmt: &'v Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::With(w) if w.is_async => self.found = true,
                Stmt::For(f) if f.is_async => self.found = true,
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'v Expr) {
            match expr {
                Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) => self.found = true,
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder { found: false };
    finder.visit_body(stmts);
    finder.found
}

/// Whether `stmts` raise on some path: `raise`, `raise exc`, or `raise Other(...) from exc`.
pub(super) fn raises_somewhere(stmts: &[Stmt], bound: Option<&str>) -> bool {
    let mut finder = RaiseFinder::default();
    finder.visit_body(stmts);
    finder.bare
        || finder
            .raised
            .iter()
            .any(|exc| matches!(exc, Expr::Name(n) if Some(n.id.as_str()) == bound))
        || finder
            .chained
            .iter()
            .any(|cause| matches!(cause, Expr::Name(n) if Some(n.id.as_str()) == bound))
}

/// The exceptions raised in `stmts` (not in nested functions), their causes, and whether a
/// bare `raise` is among them.
#[derive(Default)]
struct RaiseFinder<'v> {
    raised: Vec<&'v Expr>,
    chained: Vec<&'v Expr>,
    bare: bool,
}

impl<'v> Visitor<'v> for RaiseFinder<'v> {
    fn visit_stmt(&mut self, stmt: &'v Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Raise(r) => {
                match &r.exc {
                    Some(exc) => self.raised.push(exc),
                    None => self.bare = true,
                }
                if let Some(cause) = &r.cause {
                    self.chained.push(cause);
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}

/// Whether every path through `stmts` re-raises the caught exception (`raise`, or `raise e`
/// where `e` is the handler's name). A `return`, `break` or `continue` first means no.
fn reraises(stmts: &[Stmt], bound: Option<&str>) -> bool {
    for stmt in stmts {
        match stmt {
            Stmt::Raise(r) => {
                return match r.exc.as_deref() {
                    None => true,
                    Some(Expr::Name(n)) => Some(n.id.as_str()) == bound,
                    Some(_) => false,
                };
            }
            Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => return false,
            Stmt::If(s) => {
                let has_else = s.elif_else_clauses.last().is_some_and(|c| c.test.is_none());
                if has_else
                    && reraises(&s.body, bound)
                    && s.elif_else_clauses.iter().all(|c| reraises(&c.body, bound))
                {
                    return true;
                }
            }
            Stmt::With(s) if reraises(&s.body, bound) => return true,
            Stmt::Try(s) => {
                if reraises(&s.finalbody, bound) {
                    return true;
                }
                let handlers_reraise = s
                    .handlers
                    .iter()
                    .all(|ExceptHandler::ExceptHandler(h)| reraises(&h.body, bound));
                if reraises(&s.body, bound) && handlers_reraise {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// A handler that looks at the task's cancellation state (`cancelling()`, `uncancel()`) decides
/// on purpose whether to end the cancellation.
fn deliberate(stmts: &[Stmt]) -> bool {
    struct Finder {
        found: bool,
    }
    impl<'v> Visitor<'v> for Finder {
        fn visit_expr(&mut self, expr: &'v Expr) {
            if let Expr::Attribute(a) = expr
                && matches!(a.attr.as_str(), "cancelling" | "uncancel")
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder { found: false };
    finder.visit_body(stmts);
    finder.found
}

/// A handler that hands the exception it caught on, to be raised or decided later: kept
/// (`first = exc`), passed to a call that is not a log line (`errors.append(exc)`,
/// `future.set_exception(exc)`, `self._convert_error(exc)`, `gen.throw(*sys.exc_info())`).
fn hands_on(stmts: &[Stmt], bound: Option<&str>) -> bool {
    struct Finder<'b> {
        bound: Option<&'b str>,
        found: bool,
    }
    impl Finder<'_> {
        fn is_caught(&self, expr: &Expr) -> bool {
            match expr {
                Expr::Name(n) => Some(n.id.as_str()) == self.bound,
                // `sys.exc_info()`, splatted or not
                Expr::Starred(s) => self.is_caught(&s.value),
                Expr::Call(c) => {
                    matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "exc_info")
                }
                _ => false,
            }
        }
    }
    impl<'v> Visitor<'v> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'v Stmt) {
            match stmt {
                Stmt::Assign(a) if self.is_caught(&a.value) => self.found = true,
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'v Expr) {
            if let Expr::Call(call) = expr {
                let name = match &*call.func {
                    Expr::Attribute(a) => a.attr.as_str(),
                    Expr::Name(n) => n.id.as_str(),
                    _ => "",
                };
                if !REPORTS.contains(&name) && call.arguments.args.iter().any(|a| self.is_caught(a))
                {
                    self.found = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        bound,
        found: false,
    };
    finder.visit_body(stmts);
    finder.found
}

/// `return`, and `break` / `continue` of a loop outside `stmts`, in `stmts` (a `finally`).
pub(super) fn jumps(stmts: &[Stmt], in_loop: bool) -> Vec<&Stmt> {
    let mut out = Vec::new();
    for stmt in stmts {
        match stmt {
            Stmt::Return(_) => out.push(stmt),
            Stmt::Break(_) | Stmt::Continue(_) if !in_loop => out.push(stmt),
            Stmt::If(s) => {
                out.extend(jumps(&s.body, in_loop));
                for clause in &s.elif_else_clauses {
                    out.extend(jumps(&clause.body, in_loop));
                }
            }
            Stmt::With(s) => out.extend(jumps(&s.body, in_loop)),
            Stmt::For(s) => {
                out.extend(jumps(&s.body, true));
                out.extend(jumps(&s.orelse, in_loop));
            }
            Stmt::While(s) => {
                out.extend(jumps(&s.body, true));
                out.extend(jumps(&s.orelse, in_loop));
            }
            Stmt::Try(s) => {
                out.extend(jumps(&s.body, in_loop));
                for ExceptHandler::ExceptHandler(h) in &s.handlers {
                    out.extend(jumps(&h.body, in_loop));
                }
                out.extend(jumps(&s.orelse, in_loop));
                out.extend(jumps(&s.finalbody, in_loop));
            }
            _ => {}
        }
    }
    out
}
