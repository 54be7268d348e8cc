//! The rules, as one walk over a module's statements that knows where it is: in an `async def`,
//! in a generator context manager (`@asynccontextmanager`), in the code that closes a resource
//! (after its `yield`, its `finally`, an `__aexit__`), under a timeout.

use std::collections::HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, ModModule, Stmt, StmtFunctionDef, StmtTry};
use ruff_text_size::{Ranged, TextRange};

use super::names::Names;
use super::resources::{self, Resource};
use super::rules::{self, Rule};

/// One finding, before it has a line and a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static Rule,
    pub range: TextRange,
    pub message: String,
}

/// Words of a call's name (`close_bounded`, `pool.terminate`) that make the code after a
/// `yield` cleanup, not just a log line or a checkpoint.
const CLEANUP_WORDS: &[&str] = &[
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
/// Context managers that bound the time of their body.
const TIMEOUTS: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "async_timeout.timeout",
    "anyio.fail_after",
    "anyio.fail_at",
    "anyio.move_on_after",
    "anyio.move_on_at",
    "trio.fail_after",
    "trio.fail_at",
    "trio.move_on_after",
    "trio.move_on_at",
];
const CANCELLED: &[&str] = &[
    "asyncio.CancelledError",
    "concurrent.futures.CancelledError",
];

/// The findings of every rule in `module`, in source order.
pub fn check(module: &ModModule, names: &Names) -> Vec<Hit> {
    let mut checker = Checker {
        names,
        hits: Vec::new(),
        opened: HashMap::new(),
        self_opened: HashMap::new(),
    };
    checker.block(&module.body, Scope::default());
    checker.entry_points(module);
    checker.hits.sort_by_key(|h| (h.range.start(), h.rule.code));
    checker.hits
}

/// Where a statement is.
#[derive(Clone, Copy, Default)]
struct Scope {
    /// Directly in an `async def` (not in a `def` nested in one).
    is_async: bool,
    /// In a generator context manager's body.
    manager: bool,
    /// In code that runs when a resource closes: after a manager's `yield`, its `finally` or
    /// `except`, an `__aexit__`.
    closing: bool,
    /// In a `finally`, or an `except` that catches the cancellation (by name, or broadly): a
    /// cancellation may be in flight.
    handling: bool,
    /// Under a timeout (`async with asyncio.timeout(...)`).
    bounded: bool,
}

struct Checker<'n> {
    names: &'n Names,
    hits: Vec<Hit>,
    /// The known resources the current function (and those around it) opened, by local name.
    opened: HashMap<String, &'static Resource>,
    /// The known resources the current class keeps in `self.<name>`.
    self_opened: HashMap<String, &'static Resource>,
}

impl Checker<'_> {
    fn hit(&mut self, rule: &'static Rule, range: TextRange, message: impl Into<String>) {
        self.hits.push(Hit {
            rule,
            range,
            message: message.into(),
        });
    }

    fn is_any(&self, expr: &Expr, qualified: &[&str]) -> bool {
        self.names
            .qualified(expr)
            .is_some_and(|q| qualified.contains(&q.as_str()))
    }

    fn block(&mut self, stmts: &[Stmt], scope: Scope) {
        let mut scope = scope;
        for (i, stmt) in stmts.iter().enumerate() {
            if scope.is_async {
                self.discarded_gather(stmt, &stmts[i + 1..]);
            }
            self.stmt(stmt, scope);
            // In a manager, what follows the `yield` closes the resource.
            if scope.manager && contains_yield(std::slice::from_ref(stmt)) {
                scope.closing = true;
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt, scope: Scope) {
        match stmt {
            Stmt::FunctionDef(def) => self.function(def),
            Stmt::ClassDef(class) => {
                let attributes = self.openings(&class.body, OpeningTarget::SelfAttribute);
                let outer = std::mem::replace(&mut self.self_opened, attributes);
                self.block(&class.body, Scope::default());
                self.self_opened = outer;
            }
            Stmt::If(s) => {
                self.block(&s.body, scope);
                for clause in &s.elif_else_clauses {
                    self.block(&clause.body, scope);
                }
            }
            Stmt::For(s) => {
                self.block(&s.body, scope);
                self.block(&s.orelse, scope);
            }
            Stmt::While(s) => {
                self.block(&s.body, scope);
                self.block(&s.orelse, scope);
            }
            Stmt::With(s) => {
                // `async with asyncio.timeout(...)`, `with anyio.fail_after(...)`
                let bounded = s.items.iter().any(|item| match &item.context_expr {
                    Expr::Call(call) => self.is_any(&call.func, TIMEOUTS),
                    _ => false,
                });
                self.block(
                    &s.body,
                    Scope {
                        bounded: scope.bounded || bounded,
                        ..scope
                    },
                );
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    self.block(&case.body, scope);
                }
            }
            Stmt::Try(s) => self.try_stmt(s, scope),
            Stmt::Raise(raise) => self.raise(raise, scope),
            Stmt::Expr(e) => self.awaited(&e.value, scope),
            Stmt::Assign(a) => self.awaited(&a.value, scope),
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.awaited(value, scope);
                }
            }
            _ => {}
        }
    }

    fn function(&mut self, def: &StmtFunctionDef) {
        let manager = def.decorator_list.iter().any(|d| {
            let target = match &d.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            self.is_any(
                target,
                &[
                    "contextlib.asynccontextmanager",
                    "contextlib.contextmanager",
                ],
            )
        }) && contains_yield(&def.body);
        let scope = Scope {
            is_async: def.is_async,
            manager,
            closing: def.is_async && def.name.as_str() == "__aexit__",
            ..Scope::default()
        };
        if manager {
            self.manager_shape(&def.body, false, &[], def.is_async);
            if def.is_async {
                self.nothing_after_yield(&def.body);
            }
        }
        if def.is_async {
            self.entered_by_hand(&def.body);
            if def.name.as_str() == "__aexit__" {
                self.closes_in_one_block(&def.body);
            }
        }
        let mut opened = self.opened.clone();
        opened.extend(self.openings(&def.body, OpeningTarget::Local));
        let outer = std::mem::replace(&mut self.opened, opened);
        self.block(&def.body, scope);
        self.opened = outer;
    }

    /// The known resources `body` opens: `name = [await] opener(...)` (`OpeningTarget::Local`,
    /// not in nested functions) or `self.name = ...` in any method (`SelfAttribute`).
    fn openings(&self, body: &[Stmt], target: OpeningTarget) -> HashMap<String, &'static Resource> {
        struct Finder<'c, 'n> {
            checker: &'c Checker<'n>,
            target: OpeningTarget,
            depth: usize,
            found: HashMap<String, &'static Resource>,
        }
        impl<'v> Visitor<'v> for Finder<'_, '_> {
            fn visit_stmt(&mut self, stmt: &'v Stmt) {
                let (targets, value): (Vec<&Expr>, Option<&Expr>) = match stmt {
                    Stmt::Assign(a) => (a.targets.iter().collect(), Some(&a.value)),
                    Stmt::AnnAssign(a) => (vec![&*a.target], a.value.as_deref()),
                    Stmt::FunctionDef(def) => {
                        // A class's methods all set `self`; a function's nested ones are theirs.
                        if self.target == OpeningTarget::SelfAttribute && self.depth == 0 {
                            self.depth += 1;
                            self.visit_body(&def.body);
                            self.depth -= 1;
                        }
                        return;
                    }
                    Stmt::ClassDef(_) => return,
                    _ => (Vec::new(), None),
                };
                if let Some(resource) = value.and_then(|v| self.checker.opens(v)) {
                    for t in targets {
                        let name = match (self.target, t) {
                            (OpeningTarget::Local, Expr::Name(n)) => n.id.as_str(),
                            (OpeningTarget::SelfAttribute, Expr::Attribute(a)) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "self") => {
                                a.attr.as_str()
                            }
                            _ => continue,
                        };
                        self.found.insert(name.to_owned(), resource);
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
        }
        let mut finder = Finder {
            checker: self,
            target,
            depth: 0,
            found: HashMap::new(),
        };
        finder.visit_body(body);
        finder.found
    }

    /// The known resource `value` opens: `opener(...)` or `await opener(...)`.
    fn opens(&self, value: &Expr) -> Option<&'static Resource> {
        let value = match value {
            Expr::Await(a) => &*a.value,
            other => other,
        };
        let Expr::Call(call) = value else { return None };
        resources::opened_by(&self.names.qualified(&call.func)?)
    }

    /// The known resource `receiver` (`pool`, `self.pool`) holds.
    fn resource_of(&self, receiver: &Expr) -> Option<&'static Resource> {
        match receiver {
            Expr::Name(n) => self.opened.get(n.id.as_str()).copied(),
            Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "self") => {
                self.self_opened.get(a.attr.as_str()).copied()
            }
            _ => None,
        }
    }

    fn try_stmt(&mut self, s: &StmtTry, scope: Scope) {
        self.block(&s.body, scope);
        let yields = scope.manager && contains_yield(&s.body);
        let handling = Scope {
            handling: true,
            closing: scope.closing || yields,
            ..scope
        };
        // A cancellation arrives only where the task waits: around code with no `await`
        // (a `fut.result()`), `except CancelledError` catches a future's, not the task's.
        let waits = has_wait_point(&s.body);
        let mut cancellation_taken = false;
        for handler in &s.handlers {
            let ExceptHandler::ExceptHandler(h) = handler;
            if scope.is_async && waits && !cancellation_taken {
                self.handler(h);
            }
            // An earlier `except CancelledError` takes the cancellation (re-raised or, reported
            // there, swallowed): the handlers after it never see it.
            let takes = self.catches_cancellation(h);
            cancellation_taken |= takes;
            let broad = h.type_.is_none()
                || self
                    .caught(h)
                    .iter()
                    .any(|e| self.is_any(e, &["builtins.BaseException"]));
            self.block(
                &h.body,
                Scope {
                    handling: scope.handling || takes || broad,
                    ..handling
                },
            );
        }
        self.block(&s.orelse, scope);
        self.block(&s.finalbody, handling);
        if scope.is_async {
            self.closes_in_one_block(&s.finalbody);
        }
        if scope.is_async {
            for jump in jumps(&s.finalbody, false) {
                let what = match jump {
                    Stmt::Return(_) => "return",
                    Stmt::Break(_) => "break",
                    _ => "continue",
                };
                self.hit(
                    &rules::SCA020,
                    jump.range(),
                    format!(
                        "`{what}` in `finally`: it swallows the exception in flight, a cancellation too"
                    ),
                );
            }
        }
    }

    /// Whether `h` catches the cancellation by name (asyncio's, anyio's
    /// `get_cancelled_exc_class()`).
    fn catches_cancellation(&self, h: &ruff_python_ast::ExceptHandlerExceptHandler) -> bool {
        self.caught(h).iter().any(|e| {
            self.is_any(e, CANCELLED)
                || matches!(e, Expr::Call(call) if self.names.is(&call.func, "anyio.get_cancelled_exc_class"))
        })
    }

    /// The exception types `h` names (none for a bare `except:`).
    fn caught<'h>(&self, h: &'h ruff_python_ast::ExceptHandlerExceptHandler) -> Vec<&'h Expr> {
        match h.type_.as_deref() {
            None => Vec::new(),
            Some(Expr::Tuple(t)) => t.elts.iter().collect(),
            Some(one) => vec![one],
        }
    }

    /// SCA001, SCA013: an `except` that catches the cancellation and does not re-raise it.
    fn handler(&mut self, h: &ruff_python_ast::ExceptHandlerExceptHandler) {
        let header = TextRange::new(
            h.range.start(),
            h.type_
                .as_ref()
                .map_or(h.range.start() + ruff_text_size::TextSize::from(6), |t| {
                    t.end()
                }),
        );
        let caught: Vec<&Expr> = match h.type_.as_deref() {
            None => Vec::new(),
            Some(Expr::Tuple(t)) => t.elts.iter().collect(),
            Some(one) => vec![one],
        };
        let cancelled = caught.iter().any(|e| self.is_any(e, CANCELLED));
        let broad = h.type_.is_none()
            || caught
                .iter()
                .any(|e| self.is_any(e, &["builtins.BaseException"]));
        if !(cancelled || broad) {
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
    fn raise(&mut self, raise: &ruff_python_ast::StmtRaise, scope: Scope) {
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

    /// SCA021: in a close, with no timeout around it, an `await` of something that waits on
    /// others: a task (`await self._task`), an event or queue (`.wait()`, `.join()`),
    /// `asyncio.wait(...)` without `timeout=`, `asyncio.gather(...)`.
    fn unbounded_wait(&mut self, awaited: &ruff_python_ast::ExprAwait) {
        let what = match &*awaited.value {
            target @ (Expr::Name(_) | Expr::Attribute(_)) => match dotted(target) {
                Some(name) => format!("`await {name}`"),
                None => return,
            },
            Expr::Call(call) => {
                let timeout = call
                    .arguments
                    .keywords
                    .iter()
                    .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "timeout"));
                if self.names.is(&call.func, "asyncio.wait") && !timeout {
                    "`asyncio.wait(...)` without `timeout=`".to_owned()
                } else if self.names.is(&call.func, "asyncio.gather") {
                    "`gather(...)`".to_owned()
                } else if let Expr::Attribute(a) = &*call.func
                    && matches!(a.attr.as_str(), "wait" | "join")
                    && call.arguments.is_empty()
                {
                    format!("`.{}()`", a.attr.as_str())
                } else {
                    return;
                }
            }
            _ => return,
        };
        self.hit(
            &rules::SCA021,
            awaited.range,
            format!(
                "{what} in a close with no timeout: a task that ignores `cancel()`, or a peer that never answers, hangs the shutdown"
            ),
        );
    }

    /// SCA007: `await gather(*tasks, return_exceptions=True)` as a statement, its results
    /// dropped, unless the tasks are read again after it (`raise_task_exceptions(tasks)`).
    fn discarded_gather(&mut self, stmt: &Stmt, later: &[Stmt]) {
        let Stmt::Expr(e) = stmt else { return };
        let Expr::Await(awaited) = &*e.value else {
            return;
        };
        let Expr::Call(call) = &*awaited.value else {
            return;
        };
        let returns_exceptions = call.arguments.keywords.iter().any(|k| {
            k.arg
                .as_ref()
                .is_some_and(|a| a.as_str() == "return_exceptions")
                && matches!(&k.value, Expr::BooleanLiteral(b) if b.value)
        });
        if !(returns_exceptions && self.names.is(&call.func, "asyncio.gather")) {
            return;
        }
        let gathered: Vec<String> = call
            .arguments
            .args
            .iter()
            .filter_map(|arg| match arg {
                Expr::Starred(s) => dotted(&s.value),
                other => dotted(other),
            })
            .collect();
        if gathered.iter().any(|name| mentions(later, name)) {
            return;
        }
        self.hit(
            &rules::SCA007,
            awaited.range,
            "`gather(..., return_exceptions=True)` whose results nobody reads: the tasks' exceptions vanish unlogged",
        );
    }

    /// SCA009, SCA014: what an `await` statement awaits.
    fn awaited(&mut self, value: &Expr, scope: Scope) {
        let Expr::Await(awaited) = value else { return };
        if !scope.is_async {
            return;
        }
        if scope.closing && !scope.bounded {
            self.unbounded_wait(awaited);
        }
        let Expr::Call(call) = &*awaited.value else {
            return;
        };
        let func = &*call.func;
        if scope.closing && self.names.is(func, "asyncio.wait_for") {
            let shielded = call.arguments.args.first().is_some_and(|arg| match arg {
                Expr::Call(inner) => self.names.is(&inner.func, "asyncio.shield"),
                _ => false,
            });
            if !shielded {
                self.hit(
                    &rules::SCA014,
                    call.range(),
                    "`wait_for(...)` in a close without `shield`: a second cancellation cuts the close halfway",
                );
            }
        }
        if scope.closing
            && !scope.bounded
            && let Expr::Attribute(attr) = func
            && let Some(resource) = self.resource_of(&attr.value)
            && resource.closed_by == attr.attr.as_str()
            && !call
                .arguments
                .keywords
                .iter()
                .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "timeout"))
        {
            self.hit(
                &rules::SCA009,
                awaited.range,
                format!(
                    "unbounded `await ….{}()` in a close: it waits for {}, and shutdown hangs as long",
                    attr.attr.as_str(),
                    resource.waits_for
                ),
            );
        }
    }
}

impl Checker<'_> {
    /// SCA003, SCA011: the shape of a generator context manager's body. `protected`: inside
    /// the body of a `try` that has a `finally`, or of an exit stack's `with` (what follows a
    /// `yield` there may be skipped: the `finally` or the stack still closes). `managed`: the
    /// names `with` blocks around here bound (their own exit closes them when the body raises:
    /// `tg.cancel_scope.cancel()` is not skipped cleanup). `is_async`: an async manager.
    fn manager_shape(&mut self, stmts: &[Stmt], protected: bool, managed: &[&str], is_async: bool) {
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
                let everything = h.type_.is_none()
                    || self.caught(h).iter().any(|e| {
                        self.is_any(e, &["builtins.BaseException"])
                            || (!is_async && self.is_any(e, &["builtins.Exception"]))
                    });
                everything && !raises_somewhere(&h.body, h.name.as_ref().map(|n| n.as_str()))
            })
    }

    /// SCA005: `x = await cm.__aenter__()` after another context entered by hand in the same
    /// block, with no `try` around it to exit the first when this one fails.
    fn entered_by_hand(&mut self, body: &[Stmt]) {
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

    /// SCA006: in one `finally` (or `__aexit__`), a close of one resource after the close of
    /// another, in the same block: when the first raises, the second never runs.
    fn closes_in_one_block(&mut self, body: &[Stmt]) {
        let mut first: Option<String> = None;
        for stmt in body {
            let Stmt::Expr(e) = stmt else { continue };
            let call = match &*e.value {
                Expr::Await(a) => match &*a.value {
                    Expr::Call(call) => call,
                    _ => continue,
                },
                _ => continue,
            };
            let Expr::Attribute(attr) = &*call.func else {
                continue;
            };
            let method = attr.attr.as_str();
            let closes = method == "__aexit__"
                || method.split('_').any(|word| CLEANUP_WORDS.contains(&word));
            let Some(receiver) = root_name(&attr.value).filter(|_| closes) else {
                continue;
            };
            match &first {
                Some(previous) if previous != receiver => {
                    self.hit(
                        &rules::SCA006,
                        e.value.range(),
                        format!(
                            "closed after `{previous}` in the same block: if closing `{previous}` raises, this close never runs"
                        ),
                    );
                    return;
                }
                Some(_) => {}
                None => first = Some(receiver.to_owned()),
            }
        }
    }

    /// SCA004: a manager whose last statement is a bare `yield` (not in a `try` or `with`),
    /// after code that opened something: nothing closes it, on any exit.
    fn nothing_after_yield(&mut self, body: &[Stmt]) {
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

    /// SCA010: `asyncio.run(...)` as a program's entry point, with no signal handling in the file.
    fn entry_points(&mut self, module: &ModModule) {
        let mut signals = SignalFinder {
            names: self.names,
            found: false,
        };
        signals.visit_body(&module.body);
        if signals.found {
            return;
        }
        let mut runs = Vec::new();
        for stmt in &module.body {
            match stmt {
                Stmt::If(s) if is_main_guard(&s.test) => {
                    collect_runs(self.names, &s.body, &mut runs)
                }
                Stmt::FunctionDef(def) if def.name.as_str() == "main" && !def.is_async => {
                    collect_runs(self.names, &def.body, &mut runs);
                }
                _ => {}
            }
        }
        for range in runs {
            self.hit(
                &rules::SCA010,
                range,
                "`asyncio.run` with no signal handler: SIGTERM kills the process and no cleanup runs",
            );
        }
    }
}

/// `if __name__ == "__main__":`.
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    cmp.comparators.len() == 1
        && ((is_name(&cmp.left) && is_main(&cmp.comparators[0]))
            || (is_main(&cmp.left) && is_name(&cmp.comparators[0])))
}

fn collect_runs(names: &Names, body: &[Stmt], out: &mut Vec<TextRange>) {
    struct Runs<'a, 'n> {
        names: &'n Names,
        out: &'a mut Vec<TextRange>,
    }
    impl<'v> Visitor<'v> for Runs<'_, '_> {
        fn visit_expr(&mut self, expr: &'v Expr) {
            if let Expr::Call(call) = expr
                && self.names.is(&call.func, "asyncio.run")
            {
                self.out.push(call.range());
            }
            visitor::walk_expr(self, expr);
        }
    }
    Runs { names, out }.visit_body(body);
}

/// Any signal handling: `loop.add_signal_handler(...)`, `signal.signal(...)`.
struct SignalFinder<'n> {
    names: &'n Names,
    found: bool,
}

impl<'v> Visitor<'v> for SignalFinder<'_> {
    fn visit_expr(&mut self, expr: &'v Expr) {
        if let Expr::Call(call) = expr {
            let adds = matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "add_signal_handler");
            if adds || self.names.is(&call.func, "signal.signal") {
                self.found = true;
            }
        }
        visitor::walk_expr(self, expr);
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

/// `tasks`, `self._tasks`: a name or attribute chain as written.
fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}

/// Whether `stmts` read `name` (a name or attribute chain, as [`dotted`] writes it).
fn mentions(stmts: &[Stmt], name: &str) -> bool {
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
fn root_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => root_name(&a.value),
        _ => None,
    }
}

/// Where to look for the resources a body opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OpeningTarget {
    Local,
    SelfAttribute,
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

/// Whether the task can wait in `stmts` (an `await`, `yield`, `async with`, `async for`):
/// the only places a cancellation is delivered.
fn has_wait_point(stmts: &[Stmt]) -> bool {
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
fn raises_somewhere(stmts: &[Stmt], bound: Option<&str>) -> bool {
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

/// The first `yield` in `stmts` (not in a nested function), if any.
fn first_yield(stmts: &[Stmt]) -> Option<TextRange> {
    let mut finder = YieldFinder::default();
    finder.visit_body(stmts);
    finder.first
}

fn contains_yield(stmts: &[Stmt]) -> bool {
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
fn jumps(stmts: &[Stmt], in_loop: bool) -> Vec<&Stmt> {
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
