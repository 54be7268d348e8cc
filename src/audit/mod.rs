//! `scaffold audit`: the lifecycle bugs of the catalogue (`spec/faults.md` section 2) found in
//! code a team already has. Pure: a file's text in, its findings out ([`audit_source`]); finding
//! the files, reading them and printing is `commands/audit.rs`.
//!
//! The parser is ruff's (`ruff_python_parser`, pinned exactly: its 0.0.x versions follow ruff's
//! releases). Names resolve the way Python binds them ([`names`]), so `import asyncio as aio`
//! neither hides a finding nor makes one up.

mod checker;
mod names;
pub mod noqa;
pub mod report;
mod resources;
pub mod rules;

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

pub use rules::{RULES, Rule};

/// A position in a file: 1-based line and column (in characters), as ruff reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub row: usize,
    pub column: usize,
}

/// One finding in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub message: String,
    pub start: Position,
    pub end: Position,
}

/// What auditing one file found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileAudit {
    pub findings: Vec<Finding>,
    /// The parser's message and where, when the file is not valid Python (then no rule ran).
    pub syntax_error: Option<(String, Position)>,
}

/// Which rules run: codes or code prefixes (`SCA`, `SCA00`, `SCA001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Default for Selection {
    fn default() -> Self {
        Self {
            select: vec![rules::PREFIX.to_owned()],
            ignore: Vec::new(),
        }
    }
}

impl Selection {
    /// Whether `rule` runs: selected by the longest matching prefix, unless a longer (or
    /// equally long) ignore matches it.
    pub fn enabled(&self, rule: &Rule) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter(|p| rule.code.starts_with(p.to_ascii_uppercase().as_str()))
                .map(String::len)
                .max()
        };
        match (best(&self.select), best(&self.ignore)) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// Audits one file's `source`.
pub fn audit_source(source: &str, selection: &Selection) -> FileAudit {
    // Every rule needs async code (`async def`, `asyncio.run`) or a generator context manager
    // (`yield`): a file with neither word cannot hold a finding, so it is not parsed (ruff
    // reports its syntax errors; here that costs a third of the run on real code).
    if !source.contains("async") && !source.contains("yield") {
        return FileAudit::default();
    }
    // Lines and columns only for what is reported: most files have no finding.
    let index = std::cell::OnceCell::new();
    let position = |offset: TextSize| {
        let lc = index
            .get_or_init(|| LineIndex::from_source_text(source))
            .line_column(offset, source);
        Position {
            row: lc.line.get(),
            column: lc.column.get(),
        }
    };
    let parsed = match ruff_python_parser::parse_module(source) {
        Ok(parsed) => parsed,
        Err(err) => {
            return FileAudit {
                findings: Vec::new(),
                syntax_error: Some((err.error.to_string(), position(err.location.start()))),
            };
        }
    };
    let module = parsed.syntax();
    let names = names::Names::of(module);
    let hits = checker::check(module, &names);
    if hits.is_empty() {
        return FileAudit::default();
    }
    let suppressions = noqa::Suppressions::of(source);
    let findings = hits
        .into_iter()
        .filter(|hit| selection.enabled(hit.rule))
        .map(|hit| Finding {
            rule: hit.rule,
            message: hit.message,
            start: position(hit.range.start()),
            end: position(hit.range.end()),
        })
        .filter(|f| !suppressions.suppresses(f.start.row, f.rule.code))
        .collect();
    FileAudit {
        findings,
        syntax_error: None,
    }
}
