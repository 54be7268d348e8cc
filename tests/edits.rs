//! Property: random sequences of hand edits (to managed and user-owned files, and files the
//! user creates where a later `add` renders), `add`, `remove`, `regen` and conflict resolution
//! never lose an edit: each one is still in its file (kept, merged, or inside a conflict's
//! `ours` side) until the user resolves the conflict that shows it. A second `regen` right after
//! one changes nothing (idempotence), and once every conflict is resolved, `regen` then
//! `regen --check` is clean.
//!
//! Runs on the pure core (`render` → `changes::compute` → the lock) with an in-memory disk: no
//! process, no file system, so thousands of rounds take seconds. Renders are memoized per
//! resource list (rendering is pure; the property is about what `regen` does with the files).
//!
//! Rounds: `SCAFFOLD_PROPTEST_CASES`, else 10 000 when `CI` is set, else 1 000. The test prints
//! `edits property: N rounds ...` on stderr (`scripts/test.sh` runs it with `--nocapture`).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use scaffold::changes::{Action, Changes, DiskFile, Write, compute};
use scaffold::file_table::{self, FileRule};
use scaffold::kinds;
use scaffold::lock::Lock;
use scaffold::merge::has_conflict_markers;
use scaffold::model::{Project, PythonVersion, ResourceSpec};
use scaffold::plan::{Owner, Plan};
use scaffold::render::render_with;
use scaffold::templates;

#[derive(Clone, Debug)]
enum Op {
    /// Insert a marker line into a managed file on disk (index into the sorted paths).
    EditManaged {
        file: usize,
        line: usize,
    },
    /// Replace a line of a managed file with a marker line (more likely to conflict).
    ReplaceManaged {
        file: usize,
        line: usize,
    },
    /// Insert a marker line into a user-owned file on disk.
    EditUser {
        file: usize,
        line: usize,
    },
    /// Create a file where a later `add` of `kind` renders one (the user got there first).
    CreateAhead {
        kind: usize,
        name: usize,
    },
    /// Delete a managed file (regen recreates it).
    DeleteManaged {
        file: usize,
    },
    Add {
        kind: usize,
        name: usize,
    },
    Remove {
        index: usize,
    },
    Regen,
    /// Resolve every conflict, as a user would.
    Resolve,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<usize>(), any::<usize>()).prop_map(|(file, line)| Op::EditManaged { file, line }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(file, line)| Op::ReplaceManaged { file, line }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(file, line)| Op::EditUser { file, line }),
        1 => (any::<usize>(), 0..3usize).prop_map(|(kind, name)| Op::CreateAhead { kind, name }),
        1 => any::<usize>().prop_map(|file| Op::DeleteManaged { file }),
        2 => (any::<usize>(), 0..3usize).prop_map(|(kind, name)| Op::Add { kind, name }),
        2 => any::<usize>().prop_map(|index| Op::Remove { index }),
        2 => Just(Op::Regen),
        1 => Just(Op::Resolve),
    ]
}

fn initial_specs() -> impl Strategy<Value = Vec<(usize, usize)>> {
    proptest::collection::vec((any::<usize>(), 0..3usize), 1..4)
}

fn spec(kind: usize, name: usize) -> ResourceSpec {
    let all = kinds::all();
    let kind = all[kind % all.len()];
    let name = [kind.default_name(), kind.example_name(), "extra"][name];
    ResourceSpec {
        kind,
        name: Some(name.to_owned()),
    }
}

/// The embedded templates, parsed once per thread, and every render made so far.
struct Renderer {
    rules: Vec<FileRule>,
    env: minijinja::Environment<'static>,
    memo: HashMap<String, Option<Arc<Plan>>>,
}

thread_local! {
    static RENDERER: RefCell<Renderer> = RefCell::new(Renderer {
        rules: file_table::all_rules().unwrap(),
        env: templates::environment().unwrap(),
        memo: HashMap::new(),
    });
}

/// The render of `specs`, or `None` when the project is invalid (e.g. two lifespans).
fn plan_of(specs: &[ResourceSpec]) -> Option<Arc<Plan>> {
    let key = format!("{specs:?}");
    RENDERER.with(|r| {
        let mut r = r.borrow_mut();
        if let Some(plan) = r.memo.get(&key) {
            return plan.clone();
        }
        let plan = Project::new("orders", PythonVersion::V3_12, specs)
            .ok()
            .map(|p| Arc::new(render_with(&p, &r.rules, &r.env).unwrap()));
        r.memo.insert(key, plan.clone());
        plan
    })
}

struct World {
    specs: Vec<ResourceSpec>,
    plan: Arc<Plan>,
    disk: BTreeMap<String, String>,
    lock: Lock,
    /// (path, marker line) of every hand edit still owed to the user.
    edits: Vec<(String, String)>,
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

impl World {
    fn changes(&self, plan: &Plan) -> Changes {
        compute(plan, &self.lock, |p| match self.disk.get(p.as_str()) {
            Some(text) => DiskFile::Text(text.clone()),
            None => DiskFile::Missing,
        })
    }

    /// `scaffold regen` (or the regen `add`/`remove` end with); an invalid project is refused
    /// before any write, as the CLI does.
    fn regen(&mut self, specs: Vec<ResourceSpec>) -> Result<(), TestCaseError> {
        let Some(plan) = plan_of(&specs) else {
            return Ok(());
        };
        let changes = self.changes(&plan);
        for change in &changes.files {
            match &change.write {
                Write::Content(text) => {
                    self.disk.insert(change.path.to_string(), text.clone());
                }
                Write::Delete => {
                    self.disk.remove(change.path.as_str());
                }
                Write::Nothing => {}
            }
        }
        self.lock = changes.lock;
        self.specs = specs;
        self.plan = plan;
        // Idempotence: the same regen again writes nothing and keeps the lock.
        let again = self.changes(&self.plan);
        if let Some(c) = again.files.iter().find(|c| c.write != Write::Nothing) {
            return Err(fail(format!(
                "second regen writes {} ({})",
                c.path, c.action
            )));
        }
        if again.lock != self.lock {
            return Err(fail("second regen changes the lock".into()));
        }
        Ok(())
    }

    /// The files on disk the current render gives to `owner`.
    fn paths_owned_by(&self, owner: Owner) -> Vec<String> {
        self.disk
            .keys()
            .filter(|p| self.plan.get(p).is_some_and(|f| f.owner == owner))
            .cloned()
            .collect()
    }

    fn insert_line(&mut self, path: &str, line: usize, marker: &str, replace: bool) {
        let text = &self.disk[path];
        let mut lines: Vec<&str> = text.lines().collect();
        if replace && !lines.is_empty() {
            let at = line % lines.len();
            // Replacing a line that holds an earlier edit would drop it, and replacing a conflict
            // marker would break the block the user is to resolve: insert instead.
            let keep = ["# hand edit", "<<<<<<<", "|||||||", "=======", ">>>>>>>"];
            if keep.iter().any(|k| lines[at].starts_with(k)) {
                lines.insert(at, marker);
            } else {
                lines[at] = marker;
            }
        } else {
            lines.insert(line % (lines.len() + 1), marker);
        }
        let edited = lines.join("\n") + "\n";
        self.disk.insert(path.to_owned(), edited);
        self.edits.push((path.to_owned(), marker.to_owned()));
    }

    /// Resolves every conflict the way a user would: keep both sides of each marker block
    /// (ours, then theirs), delete an edited file that is no longer rendered, and move away a
    /// file scaffold did not write (`PATH.mine`). Returns the conflicts it saw.
    fn resolve(&mut self) -> Vec<(String, Action)> {
        let changes = self.changes(&self.plan);
        let mut seen = Vec::new();
        for change in changes.conflicts() {
            let path = change.path.to_string();
            seen.push((path.clone(), change.action));
            let Some(text) = self.disk.get(&path).cloned() else {
                continue;
            };
            if has_conflict_markers(&text) {
                self.disk.insert(path, keep_both(&text));
            } else if change.render.is_none() {
                // No longer rendered but edited: the user is done with it and deletes it; the
                // edits in it were shown in the conflict.
                self.disk.remove(&path);
                self.edits.retain(|(p, _)| *p != path);
            } else {
                // Made by the user where scaffold now renders: moved away, edits and all.
                let mut moved = format!("{path}.mine");
                while self.disk.contains_key(&moved) {
                    moved.push_str(".mine");
                }
                self.disk.remove(&path);
                self.disk.insert(moved.clone(), text);
                for (p, _) in &mut self.edits {
                    if *p == path {
                        p.clone_from(&moved);
                    }
                }
            }
        }
        seen
    }

    fn check_edits(&self, after: &str) -> Result<(), TestCaseError> {
        for (path, marker) in &self.edits {
            let text = self.disk.get(path).map(String::as_str).unwrap_or("");
            if !text.lines().any(|l| l == marker) {
                return Err(fail(format!("after {after}: lost `{marker}` in {path}")));
            }
        }
        Ok(())
    }
}

/// A conflict resolved by keeping ours then theirs; of the base section only the lines the user
/// added there (hand edits made while the conflict was open) are kept.
fn keep_both(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_base = false;
    for line in text.lines() {
        if line.starts_with("<<<<<<<") || line.starts_with("=======") {
            in_base = false;
        } else if line.starts_with("|||||||") {
            in_base = true;
        } else if line.starts_with(">>>>>>>") {
            in_base = false;
        } else if !in_base || line.starts_with("# hand edit") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn round(initial: Vec<(usize, usize)>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut specs: Vec<ResourceSpec> = Vec::new();
    for (kind, name) in initial {
        let s = spec(kind, name);
        let mut next = specs.clone();
        next.push(s);
        if plan_of(&next).is_some() {
            specs = next;
        }
    }
    let Some(plan) = plan_of(&specs) else {
        return Ok(());
    };
    // `scaffold new`: every file written, the lock records it.
    let mut world = World {
        specs,
        disk: plan
            .iter()
            .map(|(p, f)| (p.to_string(), f.content.clone()))
            .collect(),
        lock: Lock::from_plan(&plan),
        plan,
        edits: Vec::new(),
    };
    for (n, op) in ops.into_iter().enumerate() {
        let marker = format!("# hand edit {n}");
        let what = format!("{op:?}");
        match op {
            Op::EditManaged { file, line } | Op::ReplaceManaged { file, line } => {
                let paths = world.paths_owned_by(Owner::Managed);
                if !paths.is_empty() {
                    let replace = matches!(op, Op::ReplaceManaged { .. });
                    world.insert_line(&paths[file % paths.len()], line, &marker, replace);
                }
            }
            Op::EditUser { file, line } => {
                let paths = world.paths_owned_by(Owner::User);
                if !paths.is_empty() {
                    world.insert_line(&paths[file % paths.len()], line, &marker, false);
                }
            }
            Op::CreateAhead { kind, name } => {
                let mut next = world.specs.clone();
                next.push(spec(kind, name));
                if let Some(next_plan) = plan_of(&next) {
                    let fresh: Vec<String> = next_plan
                        .iter()
                        .map(|(p, _)| p.to_string())
                        .filter(|p| !world.disk.contains_key(p) && world.lock.get(p).is_none())
                        .collect();
                    if let Some(path) = fresh.first() {
                        world.disk.insert(path.clone(), format!("{marker}\n"));
                        world.edits.push((path.clone(), marker.clone()));
                    }
                }
            }
            Op::DeleteManaged { file } => {
                // Only an unedited file: deleting a hand edit is the user's own loss.
                let paths: Vec<String> = world
                    .paths_owned_by(Owner::Managed)
                    .into_iter()
                    .filter(|p| !world.edits.iter().any(|(e, _)| e == p))
                    .collect();
                if !paths.is_empty() {
                    world.disk.remove(&paths[file % paths.len()]);
                }
            }
            Op::Add { kind, name } => {
                let s = spec(kind, name);
                // `add` refuses a name that exists, before any write.
                if !world.specs.iter().any(|x| x.name == s.name) {
                    let mut next = world.specs.clone();
                    next.push(s);
                    world.regen(next)?;
                }
            }
            Op::Remove { index } => {
                // `remove` refuses the last resource.
                if world.specs.len() > 1 {
                    let mut next = world.specs.clone();
                    next.remove(index % next.len());
                    world.regen(next)?;
                }
            }
            Op::Regen => world.regen(world.specs.clone())?,
            Op::Resolve => {
                world.resolve();
            }
        }
        world.check_edits(&what)?;
    }

    // Resolve everything and regen, until no conflict is left: a resolution made against an
    // older render can conflict once more with the current one (at most once: the conflict
    // written then has the current render as its base). Then `regen --check` is clean.
    let mut rounds = 0;
    loop {
        world.resolve();
        let changes = world.changes(&world.plan);
        // A file whose markers were resolved is no longer drift (no regen needed for it).
        for c in &changes.files {
            if c.disk.as_deref().is_some_and(has_conflict_markers) {
                return Err(fail(format!("markers left in {} after resolving", c.path)));
            }
        }
        world.regen(world.specs.clone())?;
        world.check_edits("resolve + regen")?;
        if world.changes(&world.plan).conflicts().next().is_none() {
            break;
        }
        rounds += 1;
        if rounds > 2 {
            return Err(fail("conflicts keep coming back after resolving".into()));
        }
    }
    let check = world.changes(&world.plan);
    let drift: Vec<String> = check
        .files
        .iter()
        .filter(|c| c.is_drift())
        .map(|c| format!("{} {} ({})", c.action, c.path, c.reason))
        .collect();
    if !drift.is_empty() {
        return Err(fail(format!(
            "`regen --check` not clean after resolving: {drift:?}"
        )));
    }
    if check.lock != world.lock {
        return Err(fail("`regen --check` would rewrite the lock".into()));
    }
    Ok(())
}

fn cases() -> u32 {
    match std::env::var("SCAFFOLD_PROPTEST_CASES") {
        Ok(n) => n.parse().expect("SCAFFOLD_PROPTEST_CASES must be a number"),
        Err(_) if std::env::var_os("CI").is_some() => 10_000,
        Err(_) => 1_000,
    }
}

#[test]
#[allow(clippy::print_stderr)]
fn hand_edits_are_never_lost() {
    let cases = cases();
    // Rounds are independent (each renders through its thread's own memo): one runner per
    // core, each with its own random seed and its share of the rounds.
    let runners = std::thread::available_parallelism().map_or(1, |n| n.get().min(8) as u32);
    let start = Instant::now();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..runners)
            .map(|i| {
                let share = cases / runners + u32::from(i < cases % runners);
                scope.spawn(move || {
                    let config = Config {
                        cases: share,
                        failure_persistence: None,
                        ..Config::default()
                    };
                    let strategy = (initial_specs(), proptest::collection::vec(op(), 1..16));
                    TestRunner::new(config)
                        .run(&strategy, |(initial, ops)| round(initial, ops))
                        .err()
                        .map(|e| e.to_string())
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| {
                h.join()
                    .unwrap_or_else(|_| Some("a runner panicked".into()))
            })
            .collect()
    });
    let elapsed = start.elapsed();
    if let Some(first) = failures.first() {
        panic!("{first}");
    }
    eprintln!(
        "edits property: {cases} rounds (random add/remove/regen/hand-edit/resolve sequences) passed in {:.1} s on {runners} threads",
        elapsed.as_secs_f64()
    );
}
