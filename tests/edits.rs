//! Property: random hand edits mixed with `add`, `remove` and `regen` never lose an edit: each
//! one is still in its file (merged, kept, or inside a conflict's `ours` side). And a second
//! `regen` right after one changes nothing (idempotence). Runs on the library with an
//! in-memory disk, so it is fast.

use std::collections::BTreeMap;

use proptest::prelude::*;
use scaffold::changes::{Changes, DiskFile, Write, compute};
use scaffold::kinds::ResourceKind;
use scaffold::lock::Lock;
use scaffold::model::{Project, PythonVersion, ResourceSpec};
use scaffold::render::render;

#[derive(Clone, Debug)]
enum Op {
    /// Insert a line into the file at index `file` (of the sorted paths), before line `line`.
    Edit {
        file: usize,
        line: usize,
    },
    Add {
        kind: usize,
        name: usize,
    },
    Remove {
        index: usize,
    },
    Regen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<usize>(), any::<usize>()).prop_map(|(file, line)| Op::Edit { file, line }),
        1 => (0..4usize, 0..3usize).prop_map(|(kind, name)| Op::Add { kind, name }),
        1 => any::<usize>().prop_map(|index| Op::Remove { index }),
        2 => Just(Op::Regen),
    ]
}

struct World {
    specs: Vec<ResourceSpec>,
    disk: BTreeMap<String, String>,
    lock: Lock,
}

impl World {
    fn project(specs: &[ResourceSpec]) -> Option<Project> {
        Project::new("orders", PythonVersion::V3_12, specs).ok()
    }

    fn changes(&self, project: &Project) -> Changes {
        let plan = render(project).unwrap();
        compute(&plan, &self.lock, |p| match self.disk.get(p.as_str()) {
            Some(text) => DiskFile::Text(text.clone()),
            None => DiskFile::Missing,
        })
    }

    fn regen(&mut self, specs: Vec<ResourceSpec>) {
        let Some(project) = Self::project(&specs) else {
            return;
        };
        let changes = self.changes(&project);
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
        // Idempotence: the same regen again writes nothing and keeps the lock.
        let again = self.changes(&project);
        assert!(
            again.files.iter().all(|c| c.write == Write::Nothing),
            "second regen writes"
        );
        assert_eq!(again.lock, self.lock);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn hand_edits_are_never_lost(ops in proptest::collection::vec(op(), 1..14)) {
        let specs = vec![ResourceSpec::parse("db-pool").unwrap()];
        let plan = render(&World::project(&specs).unwrap()).unwrap();
        let mut world = World {
            specs,
            disk: plan.iter().map(|(p, f)| (p.to_string(), f.content.clone())).collect(),
            lock: Lock::from_plan(&plan),
        };
        let mut edits: Vec<(String, String)> = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Edit { file, line } => {
                    let paths: Vec<String> = world.disk.keys().cloned().collect();
                    let path = &paths[file % paths.len()];
                    let text = &world.disk[path];
                    let mut lines: Vec<&str> = text.lines().collect();
                    let marker = format!("# hand edit {n}");
                    lines.insert(line % (lines.len() + 1), &marker);
                    let edited = lines.join("\n") + "\n";
                    world.disk.insert(path.clone(), edited);
                    edits.push((path.clone(), marker));
                }
                Op::Add { kind, name } => {
                    let kind = ResourceKind::ALL[kind];
                    let name = [kind.default_name(), kind.example_name(), "extra"][name];
                    let mut specs = world.specs.clone();
                    specs.push(ResourceSpec { kind, name: Some(name.to_owned()) });
                    world.regen(specs);
                }
                Op::Remove { index } => {
                    if world.specs.len() > 1 {
                        let mut specs = world.specs.clone();
                        specs.remove(index % specs.len());
                        world.regen(specs);
                    }
                }
                Op::Regen => world.regen(world.specs.clone()),
            }
            for (path, marker) in &edits {
                let text = world.disk.get(path).map(String::as_str).unwrap_or("");
                prop_assert!(text.contains(marker.as_str()), "lost `{}` in {}", marker, path);
            }
        }
    }
}
