//! The close rules: SCA006, SCA007, SCA009, SCA014, SCA021.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use super::managers::CLEANUP_WORDS;
use super::syntax::{dotted, keyword, mentions, root_name};
use super::{Checker, Scope};
use crate::audit::rules;

impl Checker<'_> {
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
                if self.names.is(&call.func, "asyncio.wait") && keyword(call, "timeout").is_none() {
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
    pub(super) fn discarded_gather(&mut self, stmt: &Stmt, later: &[Stmt]) {
        let Stmt::Expr(e) = stmt else { return };
        let Expr::Await(awaited) = &*e.value else {
            return;
        };
        let Expr::Call(call) = &*awaited.value else {
            return;
        };
        let returns_exceptions = matches!(
            keyword(call, "return_exceptions"),
            Some(Expr::BooleanLiteral(b)) if b.value
        );
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
    pub(super) fn awaited(&mut self, value: &Expr, scope: Scope) {
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
            && keyword(call, "timeout").is_none()
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

    /// SCA006: in one `finally` (or `__aexit__`), a close of one resource after the close of
    /// another, in the same block: when the first raises, the second never runs.
    pub(super) fn closes_in_one_block(&mut self, body: &[Stmt]) {
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
}
