//! A full disk, for real: a small tmpfs mounted for the test (root only, as in CI), filled up.
//! `new` leaves nothing behind and says the disk is full; `add` stopped by it at any point is
//! finished by `regen` once there is space again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::scaffold_command;

/// A tmpfs of `size` mounted on a fresh temp directory; unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` off CI when this user may not mount (a developer's machine); on CI, which runs
    /// as root, a failure to mount fails the test.
    #[allow(clippy::print_stderr)] // says why the test did nothing
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match status {
            Ok(out) if out.status.success() => Some(SmallDisk { dir }),
            other => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must be able to mount a tmpfs (it runs as root): {other:?}"
                );
                eprintln!("skipped: cannot mount a tmpfs here: {other:?}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk with `filler`, then frees `pages` pages of it.
    fn fill_leaving(&self, pages: u64) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = [0u8; 4096];
        while file.write_all(&chunk).and_then(|()| file.flush()).is_ok() {}
        let len = file.metadata().unwrap().len();
        file.set_len(len.saturating_sub(pages * 4096)).unwrap();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn scaffold(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = scaffold_command();
    cmd.current_dir(dir).args(args).output().unwrap()
}

#[test]
fn new_on_a_full_disk_says_so_and_leaves_nothing() {
    let Some(disk) = SmallDisk::mount("48k") else {
        return;
    };
    let kind = scaffold::kinds::all()[0].id();
    let out = scaffold(disk.path(), &["new", "orders", "--resource", kind]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // the path the user asked for, never the hidden staging directory
    assert!(stderr.contains("failed to write `orders/"), "{stderr}");
    assert!(!stderr.contains("scaffold-new"), "{stderr}");
    assert!(
        stderr.contains("is full") && stderr.contains("`df -h .`"),
        "{stderr}"
    );
    assert!(!stderr.contains("permissions"), "{stderr}");
    assert!(
        stderr.contains("nothing was created at `orders`"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(disk.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
#[allow(clippy::print_stderr)] // the outcomes, in the log
fn add_stopped_by_a_full_disk_at_any_point_is_finished_by_regen() {
    let kinds = scaffold::kinds::all();
    let (first, second) = (kinds[0].id(), kinds[1].id());
    let (mut before, mut after, mut done) = (0, 0, 0);
    // a page (tmpfs's unit) at a time at first, where the writes of `add` stop one by one
    for pages in (0..12).chain([16, 24, 32, 64]) {
        let Some(disk) = SmallDisk::mount("4m") else {
            return;
        };
        let out = scaffold(disk.path(), &["new", "orders", "--resource", first]);
        assert!(out.status.success(), "{out:?}");
        let project = disk.path().join("orders");
        let filler = disk.fill_leaving(pages);

        let out = scaffold(&project, &["add", "resource", second]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let manifest = std::fs::read_to_string(project.join("scaffold.toml")).unwrap();
        let added = manifest.contains(&format!("kind = \"{second}\""));
        match out.status.code() {
            Some(0) => {
                assert!(added, "{manifest}");
                done += 1;
            }
            Some(2) => {
                assert!(stderr.contains("is full"), "{pages} pages: {stderr}");
                if added {
                    assert!(
                        stderr.contains("`scaffold regen` finishes the job"),
                        "{pages} pages: {stderr}"
                    );
                    after += 1;
                } else {
                    assert!(
                        !stderr.contains("scaffold regen"),
                        "{pages} pages: {stderr}"
                    );
                    before += 1;
                }
            }
            other => panic!("{pages} pages: exit {other:?}: {stderr}"),
        }

        // Space again: one `regen` brings the project in line with its manifest.
        std::fs::remove_file(filler).unwrap();
        let out = scaffold(&project, &["regen"]);
        assert!(out.status.success(), "{pages} pages: {out:?}");
        let out = scaffold(&project, &["regen", "--check"]);
        assert!(out.status.success(), "{pages} pages: {out:?}");
    }
    eprintln!(
        "add on a full disk: {before} stopped before the manifest, {after} after it, {done} finished"
    );
    // The loop reaches every outcome, the one between the manifest and the lock among them.
    assert!(
        before > 0 && after > 0 && done > 0,
        "{before} {after} {done}"
    );
}
