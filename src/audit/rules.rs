//! The rules `scaffold audit` checks: one code each (prefix `SCA`), the catalogue entry it comes
//! from (`spec/faults.md` section 2, `docs/faults.md`), a one-line message that says what breaks,
//! and an `--explain` text with the wrong code and the right one (what `scaffold new` generates).

/// The prefix of every code (`lint.external` in a ruff configuration that sees our `# noqa`s).
pub const PREFIX: &str = "SCA";

/// One rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// `SCA001`.
    pub code: &'static str,
    /// A kebab-case name, as ruff names its rules.
    pub name: &'static str,
    /// The catalogue entries it finds (`A1`, or `A1, A28`), or the empty string for a bug
    /// beyond them (`scaffold list rules --format json`; the audit recall harness requires each).
    pub catalogue: &'static str,
    /// What it finds, in one line.
    pub summary: &'static str,
    /// The `--explain` text (Markdown): what is wrong, why it breaks, the right code.
    pub explain: &'static str,
}

macro_rules! rule {
    ($code:literal, $name:literal, $catalogue:literal, $summary:literal) => {
        Rule {
            code: $code,
            name: $name,
            catalogue: $catalogue,
            summary: $summary,
            explain: include_str!(concat!("explain/", $code, ".md")),
        }
    };
}

pub static SCA001: Rule = rule!(
    "SCA001",
    "swallowed-cancellation",
    "A1, A28",
    "`except CancelledError` that does not re-raise on every path"
);
pub static SCA002: Rule = rule!(
    "SCA002",
    "new-cancelled-error",
    "A2",
    "`raise CancelledError()` in place of the caught cancellation"
);
pub static SCA003: Rule = rule!(
    "SCA003",
    "cleanup-outside-finally",
    "A3",
    "cleanup after a context manager's `yield` outside `finally`"
);
pub static SCA004: Rule = rule!(
    "SCA004",
    "nothing-closes-it",
    "A4",
    "an async context manager that opens something and runs nothing after its `yield`"
);
pub static SCA005: Rule = rule!(
    "SCA005",
    "open-without-exit-stack",
    "A5",
    "a second context entered by hand (`await cm.__aenter__()`) with nothing to exit the first if it fails"
);
pub static SCA006: Rule = rule!(
    "SCA006",
    "closes-in-one-block",
    "A6",
    "two resources closed one after the other in one `finally` or `__aexit__`: the first failure skips the second"
);
pub static SCA007: Rule = rule!(
    "SCA007",
    "discarded-gather-results",
    "A7",
    "`await gather(..., return_exceptions=True)` whose results are discarded"
);
pub static SCA008: Rule = rule!(
    "SCA008",
    "unobserved-task-crash",
    "A8",
    "a kept background task whose coroutine catches nothing and whose done-callbacks read no exception"
);
pub static SCA009: Rule = rule!(
    "SCA009",
    "unbounded-close",
    "A9",
    "an unbounded close of a known resource (asyncpg, redis, httpx, SQLAlchemy, aiohttp, aiokafka) where it closes"
);
pub static SCA010: Rule = rule!(
    "SCA010",
    "bare-asyncio-run",
    "A10",
    "`asyncio.run` as a program's entry point with no signal handler"
);
pub static SCA011: Rule = rule!(
    "SCA011",
    "second-yield",
    "A11",
    "a second `yield` on one path of a context manager"
);
pub static SCA013: Rule = rule!(
    "SCA013",
    "broad-except-without-reraise",
    "A13",
    "`except BaseException` or bare `except:` in async code without re-raise"
);
pub static SCA014: Rule = rule!(
    "SCA014",
    "unshielded-bounded-close",
    "A14",
    "`wait_for(close())` where a resource closes, without `shield`"
);
pub static SCA020: Rule = rule!(
    "SCA020",
    "jump-in-finally",
    "",
    "`return`, `break` or `continue` in a `finally` of async code"
);

pub static SCA021: Rule = rule!(
    "SCA021",
    "unbounded-wait-in-close",
    "",
    "an unbounded wait (`await task`, `.wait()`, `.join()`, `asyncio.wait`, `gather`) where a resource closes"
);

/// Every rule, by code.
pub static RULES: &[&Rule] = &[
    &SCA001, &SCA002, &SCA003, &SCA004, &SCA005, &SCA006, &SCA007, &SCA008, &SCA009, &SCA010,
    &SCA011, &SCA013, &SCA014, &SCA020, &SCA021,
];

/// The rule with `code` (case-insensitive), if any.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}
