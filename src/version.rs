//! The version of this binary and of the template bundle embedded in it.
//!
//! Templates are compiled into the binary, so the CLI version is also the template version; the
//! bundle hash (computed by `build.rs`) tells two builds of the same version apart.

/// The `scaffold` version, written into manifests and locks.
pub const SCAFFOLD_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The first 12 hex digits of the SHA-256 of the embedded `templates/` tree.
pub const TEMPLATES_HASH: &str = env!("SCAFFOLD_TEMPLATES_HASH");

/// What `scaffold --version` prints after the program name.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (templates ",
    env!("SCAFFOLD_TEMPLATES_HASH"),
    ")"
);

/// Whether version `a` is newer than `b` (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`, semver order; a
/// pre-release sorts before its release, pre-releases of the same version compare as text).
/// `None` when either is not a version.
pub fn is_newer(a: &str, b: &str) -> Option<bool> {
    Some(parse(a)? > parse(b)?)
}

/// (major, minor, patch, is-release, pre-release text).
fn parse(v: &str) -> Option<(u64, u64, u64, bool, String)> {
    let v = v.trim().split('+').next()?;
    let (core, pre) = match v.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (v, None),
    };
    let mut parts = core.split('.');
    let mut num = || -> Option<u64> {
        let p = parts.next()?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (major, minor, patch) = (num()?, num()?, num()?);
    if parts.next().is_some() {
        return None;
    }
    Some((
        major,
        minor,
        patch,
        pre.is_none(),
        pre.unwrap_or("").to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::is_newer;

    #[test]
    fn orders_versions() {
        assert_eq!(is_newer("0.2.0", "0.1.0"), Some(true));
        assert_eq!(is_newer("0.1.0", "0.1.0"), Some(false));
        assert_eq!(is_newer("0.1.0", "0.10.0"), Some(false));
        assert_eq!(is_newer("1.0.0", "0.99.99"), Some(true));
        assert_eq!(is_newer("0.2.0", "0.2.0-rc.1"), Some(true));
        assert_eq!(is_newer("0.2.0-rc.1", "0.1.9"), Some(true));
        assert_eq!(is_newer("0.1.0+build.5", "0.1.0"), Some(false));
        assert_eq!(is_newer("x", "0.1.0"), None);
        assert_eq!(is_newer("0.1", "0.1.0"), None);
    }
}
