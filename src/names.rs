//! Python naming rules: what a project, package or resource may be called.
//!
//! Pure checks on strings, each returning the reason a name is refused. The lists are the
//! Python keywords, the standard-library modules (3.11–3.14, lowercase top-level names), the
//! modules of the generated project's dependencies, and the modules `scaffold` generates inside
//! the package (a resource name is an attribute and may not shadow one of those).

use std::sync::OnceLock;

use crate::file_table;

/// Hard keywords of Python 3.11–3.13 (soft keywords such as `match` are valid names).
pub const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Top-level modules of the standard library (lowercase names only: a package name is lowercase).
pub const STDLIB_MODULES: &[&str] = &[
    "abc",
    "aifc",
    "annotationlib",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "compression",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// Top-level modules the generated project imports or installs (runtime, test and dev tools).
pub const DEPENDENCY_MODULES: &[&str] = &[
    "annotated_types",
    "anyio",
    "asgi_lifespan",
    "async_timeout",
    "asyncpg",
    "certifi",
    "click",
    "coverage",
    "dotenv",
    "exceptiongroup",
    "fastapi",
    "h11",
    "h2",
    "hiredis",
    "httpcore",
    "httptools",
    "httpx",
    "idna",
    "iniconfig",
    "mypy",
    "packaging",
    "pluggy",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "pytest",
    "pytest_asyncio",
    "pytest_cov",
    "redis",
    "ruff",
    "sniffio",
    "starlette",
    "tomli",
    "typing_extensions",
    "uvicorn",
    "uvloop",
    "watchfiles",
    "websockets",
    "yaml",
];

/// Names the generated project itself uses at the top level (`tests/`, its support modules);
/// [`test_modules`] adds every module generated at the top of `tests/`.
pub const PROJECT_MODULES: &[&str] = &["conftest", "scaffold_support", "src", "tests"];

/// Standard-library packages that `sys.stdlib_module_names` leaves out: CPython's own
/// regression suite is `test` (`python -m test` runs it), as cargo refuses `cargo new test`.
pub const STDLIB_EXTRA: &[&str] = &["test"];

/// The modules every kind's files put at the top of `tests/` (`scaffold_app`,
/// `scaffold_worker`), read from the file table: a package may not be named like one.
pub fn test_modules() -> &'static [String] {
    static MODULES: OnceLock<Vec<String>> = OnceLock::new();
    MODULES.get_or_init(|| {
        file_table::all_rules()
            .map(|rules| file_table::test_modules(&rules))
            .unwrap_or_default()
    })
}

/// Modules and packages `scaffold` generates inside the package (`settings`, `jobs`), read
/// from the file table and every kind's files: resource names must not shadow them.
pub fn generated_modules() -> &'static [String] {
    static MODULES: OnceLock<Vec<String>> = OnceLock::new();
    MODULES.get_or_init(|| {
        file_table::all_rules()
            .map(|rules| file_table::package_modules(&rules))
            .unwrap_or_default()
    })
}

/// Whether `s` is an ASCII Python identifier.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks a project name as given to `scaffold new` (a PEP 508 distribution name).
pub fn check_project_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if let Some(bad) = name.chars().find(|c| !ok_char(*c)) {
        return Err(format!("it contains {bad:?}"));
    }
    let first = name.chars().next().unwrap_or('-');
    let last = name.chars().last().unwrap_or('-');
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

/// Checks the Python package name derived from the project name.
pub fn check_package_name(package: &str) -> Result<(), String> {
    if package.len() > MAX_PACKAGE_NAME {
        return Err(format!(
            "it is longer than {MAX_PACKAGE_NAME} characters (the package name is repeated on one line of the generated imports, which must stay within ruff's 100 columns)"
        ));
    }
    if !is_identifier(package) {
        return Err("it is not a Python identifier".into());
    }
    if KEYWORDS.contains(&package) {
        return Err("it is a Python keyword".into());
    }
    if STDLIB_MODULES.contains(&package) || STDLIB_EXTRA.contains(&package) {
        return Err("it would shadow the standard-library module of that name".into());
    }
    if DEPENDENCY_MODULES.contains(&package) {
        return Err("it would shadow a module the generated project depends on".into());
    }
    if PROJECT_MODULES.contains(&package) || test_modules().iter().any(|m| m == package) {
        return Err("the generated project already uses that name".into());
    }
    Ok(())
}

/// Longest resource name: names are repeated on one line of generated code (`settings.py`,
/// `service.py`), which must stay within ruff's line length whatever the name.
pub const MAX_RESOURCE_NAME: usize = 18;
/// Longest package name, for the same reason (imports, logger names, docstrings).
pub const MAX_PACKAGE_NAME: usize = 30;

/// Local names of the generated composition (`service.py`) that a resource variable would
/// shadow, and the fields of its `Service`.
const COMPOSITION_NAMES: &[&str] = &[
    "budget",
    "checks",
    "failures",
    "job",
    "label",
    "name",
    "resources",
    "result",
    "results",
    "service",
    "stack",
];

/// Checks a resource name: a lowercase identifier, not a keyword, and, when the name becomes an
/// attribute of `Resources` or a module (`shadows_modules`), not a generated module's name nor a
/// name the generated composition uses for itself.
pub fn check_resource_name(name: &str, shadows_modules: bool) -> Result<(), String> {
    if name.len() > MAX_RESOURCE_NAME {
        return Err(format!(
            "it is longer than {MAX_RESOURCE_NAME} characters (a resource name is repeated on one line of `settings.py` and `service.py`, which must stay within ruff's 100 columns)"
        ));
    }
    let mut chars = name.chars();
    let starts_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_ok || !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(
            "it must be a lowercase identifier: a letter, then letters, digits or `_`".into(),
        );
    }
    if KEYWORDS.contains(&name) {
        return Err("it is a Python keyword".into());
    }
    if shadows_modules && generated_modules().iter().any(|m| m == name) {
        return Err("it is the name of a module scaffold generates in the package".into());
    }
    if shadows_modules && (COMPOSITION_NAMES.contains(&name) || name.ends_with("_jobs")) {
        return Err("the generated composition (`service.py`) uses that name itself".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits() {
        assert!(check_resource_name(&"a".repeat(MAX_RESOURCE_NAME), true).is_ok());
        assert!(check_resource_name(&"a".repeat(MAX_RESOURCE_NAME + 1), true).is_err());
        assert!(check_package_name(&"a".repeat(MAX_PACKAGE_NAME)).is_ok());
        assert!(check_package_name(&"a".repeat(MAX_PACKAGE_NAME + 1)).is_err());
        assert!(check_resource_name("budget", true).is_err());
        assert!(check_resource_name("workers_jobs", true).is_err());
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("orders_2"));
        assert!(!is_identifier("2orders"));
        assert!(!is_identifier("my-app"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn package_names() {
        assert!(check_package_name("orders").is_ok());
        assert!(check_package_name("asyncio").is_err());
        assert!(check_package_name("fastapi").is_err());
        assert!(check_package_name("class").is_err());
    }

    #[test]
    fn resource_names() {
        assert!(check_resource_name("redis", true).is_ok());
        assert!(check_resource_name("analytics_2", true).is_ok());
        for module in generated_modules() {
            assert!(check_resource_name(module, true).is_err(), "{module}");
        }
        assert!(generated_modules().iter().any(|m| m == "settings"));
        assert!(check_resource_name("app", false).is_ok());
        assert!(check_resource_name("Analytics", false).is_err());
        assert!(check_resource_name("lambda", false).is_err());
        assert!(check_resource_name("_x", false).is_err());
    }

    #[test]
    fn project_names() {
        assert!(check_project_name("my-orders.v2").is_ok());
        assert!(check_project_name("../evil").is_err());
        assert!(check_project_name("a/b").is_err());
        assert!(check_project_name("-x").is_err());
    }
}
