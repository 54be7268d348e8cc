//! The background-task rule: SCA008.
//!
//! A task's exception is kept in the task until someone awaits it. A task that runs a service's
//! background work is awaited once, at shutdown: if its coroutine catches nothing and no
//! done-callback reads the exception, a crash ends the work silently and is seen only then.
//!
//! The rule follows one file: the task (`asyncio.create_task`, `asyncio.ensure_future`,
//! `loop.create_task`) is kept (in a collection, on `self`, in a local that the function does not
//! await), its coroutine is a function of the same file (`self.method(...)` of the same class, a
//! module-level or nested `async def`), and that coroutine has no `except Exception` (or broader)
//! that does more than re-raise, nor awaits only functions that have one. Anything it cannot
//! follow (a coroutine from elsewhere, a task handed to another function, a done-callback it
//! cannot read) counts as watched: the rule stays quiet rather than guess.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, ExprCall, ModModule, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextSize};

use super::handlers::BROAD;
use super::{Checker, self_attribute};
use crate::audit::rules;

/// The calls that start a task from a coroutine.
const SPAWNS: &[&str] = &["asyncio.create_task", "asyncio.ensure_future"];
/// Methods that put a task in a collection, or take it out: neither watches it.
const COLLECTS: &[&str] = &[
    "add",
    "append",
    "appendleft",
    "discard",
    "remove",
    "pop",
    "insert",
];
/// How deep the rule follows a coroutine that only awaits functions of the same file.
const FOLLOW: usize = 2;

/// The functions a name can mean in one place: the module's, the class's methods, a
/// function's nested ones.
#[derive(Clone, Default)]
struct Defs<'m> {
    functions: HashMap<&'m str, &'m StmtFunctionDef>,
    methods: HashMap<&'m str, &'m StmtFunctionDef>,
    /// The `self` attributes some method gives a done-callback that reads the outcome.
    watched_attributes: HashSet<&'m str>,
}

impl<'m> Defs<'m> {
    fn with_functions(&self, body: &'m [Stmt]) -> Self {
        let mut defs = self.clone();
        defs.functions.extend(functions_of(body));
        defs
    }

    /// The function `func` names: `name` or `self.name`.
    fn resolve(&self, func: &Expr) -> Option<&'m StmtFunctionDef> {
        match func {
            Expr::Name(n) => self.functions.get(n.id.as_str()).copied(),
            other => self_attribute(other).and_then(|name| self.methods.get(name).copied()),
        }
    }
}

fn functions_of(body: &[Stmt]) -> HashMap<&str, &StmtFunctionDef> {
    body.iter()
        .filter_map(|s| match s {
            Stmt::FunctionDef(def) => Some((def.name.as_str(), def)),
            _ => None,
        })
        .collect()
}

impl Checker<'_> {
    /// SCA008: a kept background task whose crash nothing sees until shutdown.
    pub(super) fn background_tasks(&mut self, module: &ModModule) {
        let defs = Defs {
            functions: functions_of(&module.body),
            ..Defs::default()
        };
        let mut reported = HashSet::new();
        self.tasks_in_body(&module.body, &defs, &mut reported);
    }

    fn tasks_in_body<'m>(
        &mut self,
        body: &'m [Stmt],
        defs: &Defs<'m>,
        reported: &mut HashSet<TextSize>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(def) => self.tasks_in_function(def, defs, reported),
                Stmt::ClassDef(class) => {
                    let mut defs = Defs {
                        functions: defs.functions.clone(),
                        methods: functions_of(&class.body),
                        watched_attributes: HashSet::new(),
                    };
                    defs.watched_attributes = self.watched_attributes(&class.body, &defs);
                    self.tasks_in_body(&class.body, &defs, reported);
                }
                _ => {}
            }
        }
    }

    fn tasks_in_function<'m>(
        &mut self,
        def: &'m StmtFunctionDef,
        defs: &Defs<'m>,
        reported: &mut HashSet<TextSize>,
    ) {
        let defs = defs.with_functions(&def.body);
        let mut uses = Uses {
            checker: self,
            defs: &defs,
            spawns: Vec::new(),
            watched: HashSet::new(),
            watched_on_self: HashSet::new(),
        };
        uses.visit_body(&def.body);
        let Uses {
            spawns,
            watched,
            watched_on_self,
            ..
        } = uses;
        for spawn in spawns {
            let watched = match spawn.kept {
                Kept::Local(name) => watched.contains(name),
                Kept::OnSelf(name) => {
                    watched_on_self.contains(name) || defs.watched_attributes.contains(name)
                }
                Kept::Elsewhere => false,
            };
            if watched {
                continue;
            }
            let Some(Expr::Call(coro)) = spawn.call.arguments.args.first() else {
                continue;
            };
            let Some(target) = defs.resolve(&coro.func) else {
                continue;
            };
            if !target.is_async || self.watches_itself(target, &defs, 0) {
                continue;
            }
            if !reported.insert(target.range.start()) {
                continue;
            }
            let at = first_wait_point(&target.body).unwrap_or_else(|| target.name.range());
            self.hit(
                &rules::SCA008,
                at,
                format!(
                    "`{}` runs as a background task (started in `{}`) and nothing catches its crash: the work stops silently, and the error surfaces only when the task is awaited, at shutdown if ever",
                    target.name, def.name
                ),
            );
        }
        // Nested functions and classes start tasks of their own.
        for stmt in &def.body {
            if let Stmt::FunctionDef(_) | Stmt::ClassDef(_) = stmt {
                self.tasks_in_body(std::slice::from_ref(stmt), &defs, reported);
            }
        }
    }

    /// Whether `target` logs its own crash: an `except Exception` (or broader) that does more
    /// than re-raise, or every `await` of it goes to a function of the file that does.
    fn watches_itself(&self, target: &StmtFunctionDef, defs: &Defs<'_>, depth: usize) -> bool {
        struct Finder<'c, 'n, 'a> {
            checker: &'c Checker<'n>,
            broad: bool,
            awaited: Vec<&'a Expr>,
            other_waits: bool,
        }
        impl<'v> Visitor<'v> for Finder<'_, '_, 'v> {
            fn visit_stmt(&mut self, stmt: &'v Stmt) {
                match stmt {
                    Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                    Stmt::Try(t) => {
                        self.broad |= t.handlers.iter().any(|handler| {
                            let ExceptHandler::ExceptHandler(h) = handler;
                            let only_reraises =
                                matches!(h.body.as_slice(), [Stmt::Raise(r)] if r.exc.is_none());
                            !only_reraises && self.checker.catches_exceptions(h)
                        });
                    }
                    Stmt::With(w) => {
                        self.broad |= w.items.iter().any(|item| {
                            matches!(&item.context_expr, Expr::Call(call)
                                if self.checker.names.is(&call.func, "contextlib.suppress")
                                    && call.arguments.args.iter().any(|a| self.checker.is_any(a, BROAD)))
                        });
                        self.other_waits |= w.is_async;
                    }
                    Stmt::For(f) => self.other_waits |= f.is_async,
                    _ => {}
                }
                visitor::walk_stmt(self, stmt);
            }
            fn visit_expr(&mut self, expr: &'v Expr) {
                match expr {
                    Expr::Lambda(_) => return,
                    Expr::Await(a) => match &*a.value {
                        Expr::Call(call) => self.awaited.push(&call.func),
                        _ => self.other_waits = true,
                    },
                    _ => {}
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut finder = Finder {
            checker: self,
            broad: false,
            awaited: Vec::new(),
            other_waits: false,
        };
        finder.visit_body(&target.body);
        if finder.broad {
            return true;
        }
        if finder.other_waits || finder.awaited.is_empty() || depth >= FOLLOW {
            // No wait point at all: nothing to follow, and nothing this rule is about.
            return finder.awaited.is_empty() && !finder.other_waits;
        }
        finder.awaited.iter().all(|func| {
            defs.resolve(func)
                .is_some_and(|callee| self.watches_itself(callee, defs, depth + 1))
        })
    }

    /// Whether `cb`, given to `add_done_callback`, reads the task's outcome (`.exception()`,
    /// `.result()`). One it cannot read counts as reading it.
    fn reads_outcome(&self, cb: &Expr, defs: &Defs<'_>) -> bool {
        let callee = match cb {
            Expr::Attribute(a) if COLLECTS.contains(&a.attr.as_str()) => return false,
            Expr::Lambda(l) => return reads_outcome_in(|v| v.visit_expr(&l.body)),
            Expr::Call(partial) if self.names.is(&partial.func, "functools.partial") => {
                match partial.arguments.args.first() {
                    Some(inner) => return self.reads_outcome(inner, defs),
                    None => return true,
                }
            }
            other => defs.resolve(other),
        };
        callee.is_none_or(|def| reads_outcome_in(|v| v.visit_body(&def.body)))
    }

    /// The attributes of `self` that a method of `class_body` gives a done-callback that reads
    /// the outcome: `self._task.add_done_callback(self._on_done)`.
    fn watched_attributes<'m>(&self, class_body: &'m [Stmt], defs: &Defs<'m>) -> HashSet<&'m str> {
        struct Finder<'c, 'n, 'd, 'm> {
            checker: &'c Checker<'n>,
            defs: &'d Defs<'m>,
            found: HashSet<&'m str>,
        }
        impl<'m> Visitor<'m> for Finder<'_, '_, '_, 'm> {
            fn visit_expr(&mut self, expr: &'m Expr) {
                if let Expr::Call(call) = expr
                    && let Expr::Attribute(method) = &*call.func
                    && method.attr.as_str() == "add_done_callback"
                    && let Some(kept) = self_attribute(&method.value)
                    && call
                        .arguments
                        .args
                        .first()
                        .is_none_or(|cb| self.checker.reads_outcome(cb, self.defs))
                {
                    self.found.insert(kept);
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut finder = Finder {
            checker: self,
            defs,
            found: HashSet::new(),
        };
        finder.visit_body(class_body);
        finder.found
    }

    /// `asyncio.create_task(...)`, `asyncio.ensure_future(...)`, `loop.create_task(...)`.
    fn is_spawn(&self, call: &ExprCall) -> bool {
        if self.is_any(&call.func, SPAWNS) {
            return true;
        }
        let Expr::Attribute(a) = &*call.func else {
            return false;
        };
        a.attr.as_str() == "create_task"
            && match &*a.value {
                Expr::Name(n) => matches!(n.id.as_str(), "loop" | "_loop" | "event_loop"),
                Expr::Attribute(inner) => matches!(inner.attr.as_str(), "loop" | "_loop"),
                Expr::Call(get) => self.is_any(
                    &get.func,
                    &["asyncio.get_running_loop", "asyncio.get_event_loop"],
                ),
                _ => false,
            }
    }
}

fn reads_outcome_in(visit: impl FnOnce(&mut OutcomeFinder)) -> bool {
    let mut finder = OutcomeFinder { found: false };
    visit(&mut finder);
    finder.found
}

struct OutcomeFinder {
    found: bool,
}

impl<'v> Visitor<'v> for OutcomeFinder {
    fn visit_expr(&mut self, expr: &'v Expr) {
        if let Expr::Call(call) = expr
            && let Expr::Attribute(a) = &*call.func
            && matches!(a.attr.as_str(), "exception" | "result")
        {
            self.found = true;
        }
        visitor::walk_expr(self, expr);
    }
}

/// A task a function starts and keeps.
struct Spawn<'m> {
    call: &'m ExprCall,
    kept: Kept<'m>,
}

/// Where a started task is kept.
#[derive(Clone, Copy)]
enum Kept<'m> {
    /// In a local of the function that started it (or a local collection: `tasks.add(...)`).
    Local(&'m str),
    /// In `self.<name>` (or the collection there: `self._tasks[name] = ...`).
    OnSelf(&'m str),
    /// In an attribute of something else.
    Elsewhere,
}

/// What one function does with the tasks it starts (not counting its nested functions).
struct Uses<'c, 'n, 'm> {
    checker: &'c Checker<'n>,
    defs: &'c Defs<'m>,
    spawns: Vec<Spawn<'m>>,
    /// Locals the function watches: awaits, waits for, hands on, or gives a done-callback that
    /// reads the outcome.
    watched: HashSet<&'m str>,
    /// The same for the attributes of `self`.
    watched_on_self: HashSet<&'m str>,
}

impl<'m> Uses<'_, '_, 'm> {
    fn spawn_in(&self, expr: &'m Expr) -> Option<&'m ExprCall> {
        match expr {
            Expr::Call(call) if self.checker.is_spawn(call) => Some(call),
            _ => None,
        }
    }

    /// `target = spawn(...)`: kept in the target.
    fn assigned(&mut self, targets: &[&'m Expr], value: &'m Expr) -> bool {
        if let Some(call) = self.spawn_in(value) {
            for target in targets {
                self.spawns.push(Spawn {
                    call,
                    kept: kept_in(target),
                });
            }
            self.visit_expr(value);
            return true;
        }
        // `self._tasks[name] = task`: keeping a local is not watching it.
        matches!(value, Expr::Name(_))
            && targets
                .iter()
                .all(|t| matches!(t, Expr::Attribute(_) | Expr::Subscript(_)))
    }
}

/// `task` or `self.task`: a reference to a task, not a use of it.
fn is_task_ref(expr: &Expr) -> bool {
    match expr {
        Expr::Name(_) => true,
        other => self_attribute(other).is_some(),
    }
}

/// Where a task assigned to `target`, or put in the collection `target`, is kept.
fn kept_in(target: &Expr) -> Kept<'_> {
    match target {
        Expr::Name(n) => Kept::Local(n.id.as_str()),
        Expr::Subscript(s) => kept_in(&s.value),
        other => self_attribute(other).map_or(Kept::Elsewhere, Kept::OnSelf),
    }
}

impl<'m> Visitor<'m> for Uses<'_, '_, 'm> {
    fn visit_stmt(&mut self, stmt: &'m Stmt) {
        let handled = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => true,
            Stmt::Assign(a) => self.assigned(&a.targets.iter().collect::<Vec<_>>(), &a.value),
            Stmt::AnnAssign(a) => a
                .value
                .as_deref()
                .is_some_and(|v| self.assigned(&[&*a.target], v)),
            // `if self._task:`: asking whether there is a task is not watching it.
            Stmt::If(s) => {
                let tests = std::iter::once(Some(&*s.test))
                    .chain(s.elif_else_clauses.iter().map(|c| c.test.as_ref()));
                for test in tests.flatten().filter(|t| !is_task_ref(t)) {
                    self.visit_expr(test);
                }
                self.visit_body(&s.body);
                for clause in &s.elif_else_clauses {
                    self.visit_body(&clause.body);
                }
                true
            }
            _ => false,
        };
        if !handled {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'m Expr) {
        match expr {
            Expr::Lambda(_) => {}
            // `task is None`, `not self._task`: asking whether there is one is not watching it.
            Expr::Compare(c)
                if c.comparators.iter().all(|e| e.is_none_literal_expr())
                    && is_task_ref(&c.left) => {}
            Expr::UnaryOp(u) if is_task_ref(&u.operand) => {}
            Expr::Name(n) if n.ctx.is_load() => {
                // Any other use hands the task on (a return, a list, a call): assume it is watched.
                self.watched.insert(n.id.as_str());
            }
            // `self.task` handed on (awaited, run, passed): assume it is watched.
            Expr::Attribute(a) if self_attribute(expr).is_some() => {
                if a.ctx.is_load() {
                    self.watched_on_self.insert(a.attr.as_str());
                }
            }
            // `task.cancel()`, `self.task.get_name()`: using a task is not watching it.
            Expr::Attribute(a) if is_task_ref(&a.value) => {}
            Expr::Call(call) => {
                let Expr::Attribute(method) = &*call.func else {
                    visitor::walk_expr(self, expr);
                    return;
                };
                let args = &call.arguments.args;
                if COLLECTS.contains(&method.attr.as_str()) {
                    // `tasks.add(asyncio.create_task(...))` keeps it; `tasks.add(task)` is neutral.
                    for arg in args.iter() {
                        if let Some(spawn) = self.spawn_in(arg) {
                            self.spawns.push(Spawn {
                                call: spawn,
                                kept: kept_in(&method.value),
                            });
                            self.visit_expr(arg);
                        } else if !matches!(arg, Expr::Name(_)) {
                            self.visit_expr(arg);
                        }
                    }
                    // Putting a task in `tasks` or `self.tasks` is not watching the collection.
                    if matches!(kept_in(&method.value), Kept::Elsewhere) {
                        self.visit_expr(&method.value);
                    }
                    for kw in &call.arguments.keywords {
                        self.visit_expr(&kw.value);
                    }
                    return;
                }
                if method.attr.as_str() == "add_done_callback"
                    && let Expr::Name(task) = &*method.value
                {
                    if args
                        .first()
                        .is_none_or(|cb| self.checker.reads_outcome(cb, self.defs))
                    {
                        self.watched.insert(task.id.as_str());
                    }
                    for arg in args.iter() {
                        self.visit_expr(arg);
                    }
                    return;
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// The first place `body` waits (not counting nested functions): where the report points.
fn first_wait_point(body: &[Stmt]) -> Option<ruff_text_size::TextRange> {
    struct Finder {
        found: Option<ruff_text_size::TextRange>,
    }
    impl<'v> Visitor<'v> for Finder {
        fn visit_stmt(&mut self, stmt: &'v Stmt) {
            if self.found.is_some() {
                return;
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::With(w) if w.is_async => self.found = Some(w.range()),
                Stmt::For(f) if f.is_async => self.found = Some(f.range()),
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'v Expr) {
            if self.found.is_some() {
                return;
            }
            match expr {
                Expr::Await(_) => self.found = Some(expr.range()),
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder { found: None };
    finder.visit_body(body);
    finder.found
}
