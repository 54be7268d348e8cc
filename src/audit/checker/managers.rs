//! The context-manager shape rules: SCA003, SCA004, SCA005, SCA011.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::Checker;
use super::handlers::raises_somewhere;
use super::syntax::root_name;
use crate::audit::rules;

/// Words of a call's name (`close_bounded`, `pool.terminate`) that make the code after a
/// `yield` cleanup, not just a log line or a checkpoint.
pub(super) const CLEANUP_WORDS: &[&str] = &[
    "close",
    "aclose",
    "closed",
    "dispose",
    "cancel",
    "stop",
    "shutdown",
    "terminate",
    "release",
    "disconnect",
    "kill",
    "cleanup",
    "teardown",
];

/// Words of a call's name (`task_set.start()`, `await pool.acquire()`) that say it opened
/// something a context manager has to close again.
const OPEN_WORDS: &[&str] = &[
    "start",
    "open",
    "connect",
    "acquire",
    "create",
    "spawn",
    "launch",
    "subscribe",
    "listen",
    "serve",
    "enter",
];

impl Checker<'_> {
    /// SCA003, SCA011: the shape of a generator context manager's body. `protected`: inside
    /// the body of a `try` that has a `finally`, or of an exit stack's `with` (what follows a
    /// `yield` there may be skipped: the `finally` or the stack still closes). `managed`: the
    /// names `with` blocks around here bound (their own exit closes them when the body raises:
    /// `tg.cancel_scope.cancel()` is not skipped cleanup). `is_async`: an async manager.
    pub(super) fn manager_shape(
        &mut self,
        stmts: &[Stmt],
        protected: bool,
        managed: &[&str],
        is_async: bool,
    ) {
        let mut yielded = false;
        for (i, stmt) in stmts.iter().enumerate() {
            if yield_falls_through(stmt) {
                if yielded {
                    if let Some(second) = first_yield(std::slice::from_ref(stmt)) {
                        self.hit(
                            &rules::SCA011,
                            second,
                            "a second `yield` on one path of a context manager: \"generator didn't stop\" when it resumes",
                        );
                    }
                } else if !protected
                    && !self.falls_through_on_error(stmt, is_async)
                    && let Some(rest) = stmts.get(i + 1..)
                    && let Some(first) = rest.first()
                    && does_cleanup(rest, managed)
                {
                    self.hit(
                        &rules::SCA003,
                        first.range(),
                        "cleanup after `yield` outside `finally`: it is skipped when the body raises or is cancelled",
                    );
                }
                yielded = true;
            }
            match stmt {
                Stmt::Try(s) => {
                    self.manager_shape(
                        &s.body,
                        protected || !s.finalbody.is_empty(),
                        managed,
                        is_async,
                    );
                    if contains_yield(&s.body) {
                        let late = s
                            .handlers
                            .iter()
                            .map(|ExceptHandler::ExceptHandler(h)| &h.body[..])
                            .chain(std::iter::once(&s.finalbody[..]));
                        for body in late {
                            if let Some(second) = first_yield(body) {
                                self.hit(
                                    &rules::SCA011,
                                    second,
                                    "`yield` in `except` or `finally` after the body's `yield`: \"generator didn't stop after athrow()\"",
                                );
                            }
                        }
                    }
                }
                Stmt::If(s) => {
                    self.manager_shape(&s.body, protected, managed, is_async);
                    for clause in &s.elif_else_clauses {
                        self.manager_shape(&clause.body, protected, managed, is_async);
                    }
                }
                Stmt::With(s) => {
                    let mut inner = managed.to_vec();
                    let mut stack = false;
                    for item in &s.items {
                        if let Expr::Call(call) = &item.context_expr {
                            stack |= self.is_any(
                                &call.func,
                                &["contextlib.AsyncExitStack", "contextlib.ExitStack"],
                            );
                        }
                        for bound in [Some(&item.context_expr), item.optional_vars.as_deref()] {
                            if let Some(Expr::Name(n)) = bound {
                                inner.push(n.id.as_str());
                            }
                        }
                    }
                    self.manager_shape(&s.body, protected || stack, &inner, is_async);
                }
                _ => {}
            }
        }
    }

    /// Whether `stmt`, a `try` around the `yield`, goes on after itself when the body raises:
    /// a handler takes everything the body can raise there (`BaseException` or bare `except:`;
    /// in a sync manager `Exception` too, as no cancellation is thrown in) and falls through.
    fn falls_through_on_error(&self, stmt: &Stmt, is_async: bool) -> bool {
        let decides = |body: &[Stmt]| {
            body.iter()
                .find(|s| contains_yield(std::slice::from_ref(*s)))
                .is_some_and(|s| self.falls_through_on_error(s, is_async))
        };
        let s = match stmt {
            // `with lock: if ok: try: yield ... except Exception: ...`: the `try` decides
            Stmt::With(w) => return decides(&w.body),
            Stmt::If(i) => {
                return std::iter::once(&i.body[..])
                    .chain(i.elif_else_clauses.iter().map(|c| &c.body[..]))
                    .filter(|body| contains_yield(body))
                    .all(decides);
            }
            Stmt::Try(s) => s,
            _ => return false,
        };
        contains_yield(&s.body)
            && s.handlers.iter().any(|ExceptHandler::ExceptHandler(h)| {
                let everything = if is_async {
                    self.catches_everything(h)
                } else {
                    self.catches_exceptions(h)
                };
                everything && !raises_somewhere(&h.body, h.name.as_ref().map(|n| n.as_str()))
            })
    }

    /// SCA005: `x = await cm.__aenter__()` after another context entered by hand in the same
    /// block, with no `try` around it to exit the first when this one fails.
    pub(super) fn entered_by_hand(&mut self, body: &[Stmt]) {
        let mut entered: Option<&Expr> = None;
        for stmt in body {
            let value = match stmt {
                Stmt::Expr(e) => &*e.value,
                Stmt::Assign(a) => &*a.value,
                Stmt::AnnAssign(a) => match a.value.as_deref() {
                    Some(v) => v,
                    None => continue,
                },
                Stmt::Try(_) | Stmt::With(_) => {
                    // what follows is protected, or is another path: start again after it
                    entered = None;
                    continue;
                }
                _ => continue,
            };
            let Expr::Await(awaited) = value else {
                continue;
            };
            let Expr::Call(call) = &*awaited.value else {
                continue;
            };
            let Expr::Attribute(attr) = &*call.func else {
                continue;
            };
            if attr.attr.as_str() != "__aenter__" {
                continue;
            }
            if let Some(first) = entered {
                let first = match first {
                    Expr::Name(n) => n.id.to_string(),
                    _ => "the first".to_owned(),
                };
                self.hit(
                    &rules::SCA005,
                    awaited.range,
                    format!(
                        "entered by hand after `{first}`: if this fails, nothing exits `{first}` (an `AsyncExitStack` would)"
                    ),
                );
            } else {
                entered = Some(&attr.value);
            }
        }
    }

    /// SCA004: a manager whose last statement is a bare `yield` (not in a `try` or `with`),
    /// after code that opened something: nothing closes it, on any exit.
    pub(super) fn nothing_after_yield(&mut self, body: &[Stmt]) {
        let Some((last, before)) = body.split_last() else {
            return;
        };
        let yielded = match last {
            Stmt::Expr(e) => &*e.value,
            Stmt::Assign(a) => &*a.value,
            _ => return,
        };
        if !matches!(yielded, Expr::Yield(_)) || contains_yield(before) {
            return;
        }
        if self.opens_something(before) {
            self.hit(
                &rules::SCA004,
                yielded.range(),
                "nothing runs after this `yield`: what the manager opened before it is never closed, on success, error or cancellation",
            );
        }
    }

    /// Whether `stmts` open something: an `await` or `async with`, a known resource's opener,
    /// or a call whose name says it (`task_set.start()`).
    fn opens_something(&self, stmts: &[Stmt]) -> bool {
        struct Finder<'c, 'n> {
            checker: &'c Checker<'n>,
            found: bool,
        }
        impl<'v> Visitor<'v> for Finder<'_, '_> {
            fn visit_stmt(&mut self, stmt: &'v Stmt) {
                match stmt {
                    Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                    Stmt::With(w) if w.is_async => self.found = true,
                    _ => visitor::walk_stmt(self, stmt),
                }
            }
            fn visit_expr(&mut self, expr: &'v Expr) {
                match expr {
                    Expr::Await(_) => self.found = true,
                    Expr::Call(call) => {
                        let name = match &*call.func {
                            Expr::Attribute(a) => a.attr.as_str(),
                            Expr::Name(n) => n.id.as_str(),
                            _ => "",
                        };
                        if self.checker.opens(expr).is_some()
                            || name.split('_').any(|word| OPEN_WORDS.contains(&word))
                        {
                            self.found = true;
                        }
                    }
                    _ => {}
                }
                if !matches!(expr, Expr::Lambda(_)) {
                    visitor::walk_expr(self, expr);
                }
            }
        }
        let mut finder = Finder {
            checker: self,
            found: false,
        };
        finder.visit_body(stmts);
        finder.found
    }
}

/// Whether the statements after a `yield` close something: a call whose name says cleanup
/// (`pool.close()`, `await close_bounded(...)`; a log line or a checkpoint is not), on
/// anything but what a `with` around it closes itself (`managed`).
fn does_cleanup(stmts: &[Stmt], managed: &[&str]) -> bool {
    struct Finder<'m> {
        managed: &'m [&'m str],
        found: bool,
    }
    impl<'v> Visitor<'v> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'v Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'v Expr) {
            if let Expr::Call(call) = expr {
                let (name, receiver) = match &*call.func {
                    Expr::Attribute(a) => (a.attr.as_str(), root_name(&a.value)),
                    Expr::Name(n) => (n.id.as_str(), None),
                    _ => ("", None),
                };
                let by_with = receiver.is_some_and(|r| self.managed.contains(&r));
                if !by_with && name.split('_').any(|word| CLEANUP_WORDS.contains(&word)) {
                    self.found = true;
                }
            }
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut finder = Finder {
        managed,
        found: false,
    };
    finder.visit_body(stmts);
    finder.found
}

/// Whether `stmt` yields and goes on afterwards on the same path: `if ...: yield; return`
/// ends its path (the code after the `if` is another path, with its own `yield`).
fn yield_falls_through(stmt: &Stmt) -> bool {
    let ends = |body: &[Stmt]| matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)));
    match stmt {
        Stmt::If(s) => std::iter::once(&s.body[..])
            .chain(s.elif_else_clauses.iter().map(|c| &c.body[..]))
            .any(|body| contains_yield(body) && !ends(body)),
        other => contains_yield(std::slice::from_ref(other)),
    }
}

/// The first `yield` in `stmts` (not in a nested function), if any.
fn first_yield(stmts: &[Stmt]) -> Option<TextRange> {
    let mut finder = YieldFinder::default();
    finder.visit_body(stmts);
    finder.first
}

pub(super) fn contains_yield(stmts: &[Stmt]) -> bool {
    first_yield(stmts).is_some()
}

#[derive(Default)]
struct YieldFinder {
    first: Option<TextRange>,
}

impl<'v> Visitor<'v> for YieldFinder {
    fn visit_stmt(&mut self, stmt: &'v Stmt) {
        if self.first.is_none() && !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, stmt);
        }
    }
    fn visit_expr(&mut self, expr: &'v Expr) {
        if self.first.is_some() {
            return;
        }
        match expr {
            Expr::Yield(_) | Expr::YieldFrom(_) => self.first = Some(expr.range()),
            Expr::Lambda(_) => {}
            _ => visitor::walk_expr(self, expr),
        }
    }
}
