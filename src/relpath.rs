//! `RelPath`: a path inside the project, checked once so no later code can write outside it.
//!
//! Rendered paths come from the template table and from resource names; both are data. A
//! `RelPath` is relative, uses `/`, and has no empty, `.` or `..` component, so joining it to
//! the project root always stays under the root.

use std::fmt;

use crate::error::{Error, Result};

/// A normalized, relative path with `/` separators.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

impl RelPath {
    /// Checks `path` and wraps it.
    pub fn new(path: &str) -> Result<Self> {
        let refuse = |reason: &str| {
            Err(Error::UnsafePath {
                path: path.to_owned(),
                reason: reason.to_owned(),
            })
        };
        if path.is_empty() {
            return refuse("the path is empty");
        }
        if path.starts_with('/') || path.contains('\\') || path.contains(':') {
            return refuse("it is absolute or not a plain `/`-separated path");
        }
        if path.contains('\0') {
            return refuse("it contains a NUL byte");
        }
        for part in path.split('/') {
            match part {
                "" => return refuse("it has an empty component"),
                "." | ".." => return refuse("it has a `.` or `..` component"),
                _ => {}
            }
        }
        Ok(RelPath(path.to_owned()))
    }

    /// The path as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_relative_paths() {
        assert!(RelPath::new("src/orders/app.py").is_ok());
        assert!(RelPath::new(".env.example").is_ok());
    }

    #[test]
    fn refuses_escapes() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../b",
            "a//b",
            "./a",
            "a/.",
            "C:\\x",
            "a\\b",
        ] {
            assert!(RelPath::new(bad).is_err(), "{bad}");
        }
    }
}
