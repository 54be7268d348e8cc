//! `scaffold.toml` bytes → `Manifest` (TOML syntax, schema check and migration, serde, the
//! `Project` validation) never panics: every input is `Ok` or an `Err` naming the file. When it
//! is `Ok`, adding and removing a resource (the `toml_edit` edits of `add`/`remove`) and the text
//! `regen` writes back must not panic either, and that text must read back.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use scaffold::kinds::ResourceKind;
use scaffold::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/scaffold.toml");
    match Manifest::from_bytes(data, path) {
        Ok(manifest) => {
            let text = manifest.updated_text();
            Manifest::parse(&text, path).expect("the text regen writes reads back");
            for kind in ResourceKind::ALL {
                let _ = manifest.add_resource(kind, "fuzzed");
            }
            if let Some(first) = manifest.project.resources.first() {
                let _ = manifest.remove_resource(&first.name);
            }
        }
        Err(err) => assert!(err.to_string().contains("fuzz/scaffold.toml"), "{err}"),
    }
});
