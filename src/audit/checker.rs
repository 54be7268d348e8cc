//! The rules, as one walk over a module's statements that knows where it is: in an `async def`,
//! in a generator context manager (`@asynccontextmanager`), in the code that closes a resource
//! (after its `yield`, its `finally`, an `__aexit__`), under a timeout.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, ModModule, Stmt, StmtFunctionDef, StmtTry};
use ruff_text_size::{Ranged, TextRange};

use super::names::Names;
use super::rules::{self, Rule};

/// One finding, before it has a line and a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static Rule,
    pub range: TextRange,
    pub message: String,
}

/// Methods that close a resource and can wait without end (asyncpg's `Pool.close` waits for
/// every connection to be released; SQLAlchemy's `dispose`, httpx's and redis's `aclose`).
const CLOSE_METHODS: &[&str] = &["close", "aclose", "dispose", "wait_closed"];
/// Calls that make the code after a `yield` cleanup (not just a log line).
const CLEANUP_METHODS: &[&str] = &[
    "close",
    "aclose",
    "dispose",
    "wait_closed",
    "cancel",
    "stop",
    "shutdown",
    "terminate",
    "release",
    "disconnect",
    "kill",
];
/// Context managers that bound the time of their body.
const TIMEOUTS: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "async_timeout.timeout",
    "anyio.fail_after",
    "anyio.move_on_after",
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
    /// In an `except` or `finally`: an exception is in flight.
    handling: bool,
    /// Under a timeout (`async with asyncio.timeout(...)`).
    bounded: bool,
}

struct Checker<'n> {
    names: &'n Names,
    hits: Vec<Hit>,
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
        for stmt in stmts {
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
            Stmt::ClassDef(class) => self.block(&class.body, Scope::default()),
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
                let bounded = s.is_async
                    && s.items.iter().any(|item| match &item.context_expr {
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
            Stmt::Expr(e) => self.awaited(&e.value, scope, true),
            Stmt::Assign(a) => self.awaited(&a.value, scope, false),
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.awaited(value, scope, false);
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
            self.manager_shape(&def.body, false);
        }
        self.block(&def.body, scope);
    }

    fn try_stmt(&mut self, s: &StmtTry, scope: Scope) {
        self.block(&s.body, scope);
        let yields = scope.manager && contains_yield(&s.body);
        let handling = Scope {
            handling: true,
            closing: scope.closing || yields,
            ..scope
        };
        for handler in &s.handlers {
            let ExceptHandler::ExceptHandler(h) = handler;
            if scope.is_async {
                self.handler(h);
            }
            self.block(&h.body, handling);
        }
        self.block(&s.orelse, scope);
        self.block(&s.finalbody, handling);
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
            || bound.is_some_and(|b| keeps(&h.body, b))
            || self.raises_new_cancelled(&h.body)
        {
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

    /// SCA007, SCA009, SCA014: what an `await` statement awaits.
    fn awaited(&mut self, value: &Expr, scope: Scope, discarded: bool) {
        let Expr::Await(awaited) = value else { return };
        let Expr::Call(call) = &*awaited.value else {
            return;
        };
        if !scope.is_async {
            return;
        }
        let func = &*call.func;
        if discarded
            && self.names.is(func, "asyncio.gather")
            && call.arguments.keywords.iter().any(|k| {
                k.arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "return_exceptions")
                    && matches!(&k.value, Expr::BooleanLiteral(b) if b.value)
            })
        {
            self.hit(
                &rules::SCA007,
                awaited.range,
                "`gather(..., return_exceptions=True)` whose results nobody reads: the tasks' exceptions vanish unlogged",
            );
        }
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
            && CLOSE_METHODS.contains(&attr.attr.as_str())
        {
            self.hit(
                &rules::SCA009,
                awaited.range,
                format!(
                    "unbounded `await ….{}()` in a close: shutdown hangs for as long as it does",
                    attr.attr.as_str()
                ),
            );
        }
    }
}

impl Checker<'_> {
    /// SCA003, SCA011: the shape of a generator context manager's body. `protected`: inside
    /// the body of a `try` that has a `finally` (what follows a `yield` there may be skipped:
    /// the `finally` still closes).
    fn manager_shape(&mut self, stmts: &[Stmt], protected: bool) {
        let mut yielded = false;
        for (i, stmt) in stmts.iter().enumerate() {
            if contains_yield(std::slice::from_ref(stmt)) {
                if yielded {
                    if let Some(second) = first_yield(std::slice::from_ref(stmt)) {
                        self.hit(
                            &rules::SCA011,
                            second,
                            "a second `yield` on one path of a context manager: \"generator didn't stop\" when it resumes",
                        );
                    }
                } else if !protected
                    && let Some(rest) = stmts.get(i + 1..)
                    && let Some(first) = rest.first()
                    && does_cleanup(rest)
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
                    self.manager_shape(&s.body, protected || !s.finalbody.is_empty());
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
                    self.manager_shape(&s.body, protected);
                    for clause in &s.elif_else_clauses {
                        self.manager_shape(&clause.body, protected);
                    }
                }
                Stmt::With(s) => self.manager_shape(&s.body, protected),
                _ => {}
            }
        }
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

/// Whether the statements after a `yield` close something: an `await`, or a call of a close
/// method (a log line alone is not cleanup).
fn does_cleanup(stmts: &[Stmt]) -> bool {
    struct Finder {
        found: bool,
    }
    impl<'v> Visitor<'v> for Finder {
        fn visit_stmt(&mut self, stmt: &'v Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'v Expr) {
            match expr {
                Expr::Await(_) => self.found = true,
                Expr::Call(call) => {
                    if let Expr::Attribute(a) = &*call.func
                        && CLEANUP_METHODS.contains(&a.attr.as_str())
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
    let mut finder = Finder { found: false };
    finder.visit_body(stmts);
    finder.found
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

/// The exceptions raised in `stmts` (not in nested functions).
#[derive(Default)]
struct RaiseFinder<'v> {
    raised: Vec<&'v Expr>,
}

impl<'v> Visitor<'v> for RaiseFinder<'v> {
    fn visit_stmt(&mut self, stmt: &'v Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Raise(r) => {
                if let Some(exc) = &r.exc {
                    self.raised.push(exc);
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

/// A handler that keeps the exception it caught (`first = exc`, `errors.append(exc)`,
/// `future.set_exception(exc)`) hands it on to be raised later: not swallowed.
fn keeps(stmts: &[Stmt], bound: &str) -> bool {
    struct Finder<'b> {
        bound: &'b str,
        found: bool,
    }
    impl<'v> Visitor<'v> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'v Stmt) {
            match stmt {
                Stmt::Assign(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == self.bound) =>
                {
                    self.found = true;
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'v Expr) {
            if let Expr::Call(call) = expr
                && let Expr::Attribute(a) = &*call.func
                && matches!(
                    a.attr.as_str(),
                    "append" | "add" | "set_exception" | "put_nowait"
                )
                && call
                    .arguments
                    .args
                    .iter()
                    .any(|arg| matches!(arg, Expr::Name(n) if n.id.as_str() == self.bound))
            {
                self.found = true;
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
