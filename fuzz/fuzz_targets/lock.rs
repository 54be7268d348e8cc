//! `scaffold.lock` text → `Lock` never panics: every input is `Ok` or an `Err` naming the file.
//! A lock that parses writes back to text that parses to the same lock.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use scaffold::lock::Lock;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // `regen` refuses a lock that is not UTF-8 before parsing it
    };
    let path = Path::new("fuzz/scaffold.lock");
    match Lock::parse(text, path) {
        Ok(lock) => {
            let back = Lock::parse(&lock.to_toml(), path).expect("a written lock reads back");
            assert_eq!(back, lock);
        }
        Err(err) => assert!(err.to_string().contains("fuzz/scaffold.lock"), "{err}"),
    }
});
