//! Build script: makes edits under `templates/` rebuild the binary, and computes the short hash
//! of the embedded template bundle that `scaffold --version` prints.
//!
//! `include_dir!` does not track the files it embeds on stable Rust (include_dir #77), so without
//! the `rerun-if-changed` line below a template edit would leave a stale bundle in the binary.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=build.rs");

    let root = Path::new("templates");
    let mut files = Vec::new();
    collect(root, &mut files);
    // Sorted by relative path with `/` separators: the hash must not depend on directory order.
    let mut entries: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).expect("under templates/");
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (key, p)
        })
        .collect();
    entries.sort();

    let mut hasher = Sha256::new();
    for (key, path) in &entries {
        let bytes = fs::read(path).expect("readable template");
        hasher.update(key.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let hex = format!("{:x}", hasher.finalize());
    println!("cargo:rustc-env=SCAFFOLD_TEMPLATES_HASH={}", &hex[..12]);
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
