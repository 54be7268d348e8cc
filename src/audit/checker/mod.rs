//! The rules, as one walk over a module's statements that knows where it is: in an `async def`,
//! in a generator context manager (`@asynccontextmanager`), in the code that closes a resource
//! (after its `yield`, its `finally`, an `__aexit__`), under a timeout.

mod closes;
mod entry;
mod handlers;
mod managers;
mod syntax;
mod tasks;

use std::collections::HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, ModModule, Stmt, StmtFunctionDef, StmtTry};
use ruff_text_size::{Ranged, TextRange};

use super::names::Names;
use super::resources::{self, Resource};
use super::rules::{self, Rule};

use self::handlers::{has_wait_point, jumps};
use self::managers::contains_yield;

/// One finding, before it has a line and a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static Rule,
    pub range: TextRange,
    pub message: String,
}

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
    checker.background_tasks(module);
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
                            (OpeningTarget::SelfAttribute, t) => match self_attribute(t) {
                                Some(name) => name,
                                None => continue,
                            },
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
            other => self_attribute(other).and_then(|name| self.self_opened.get(name).copied()),
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
            self.block(
                &h.body,
                Scope {
                    handling: scope.handling || takes || self.catches_everything(h),
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
}

/// The attribute `expr` names on `self` (`self.pool` → `pool`), if it is one.
fn self_attribute(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "self") => {
            Some(a.attr.as_str())
        }
        _ => None,
    }
}

/// Where to look for the resources a body opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OpeningTarget {
    Local,
    SelfAttribute,
}
