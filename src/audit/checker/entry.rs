//! The entry-point rule: SCA010.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::Checker;
use crate::audit::names::Names;
use crate::audit::rules;

impl Checker<'_> {
    /// SCA010: `asyncio.run(...)` as a program's entry point, with no signal handling in the file.
    pub(super) fn entry_points(&mut self, module: &ModModule) {
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
