//! The manifest core against the bundled kinds: what `new` writes reads back, schema 0
//! migrates, `add` and `remove` keep the user's formatting, errors carry key and line.

use std::path::Path;

use scaffold::error::Error;
use scaffold::kinds;
use scaffold::manifest::{Manifest, RawManifest, SCHEMA, render};
use scaffold::model::{Project, PythonVersion, ResourceSpec};

#[test]
fn written_manifest_parses_back() {
    let specs: Vec<_> = ["db-pool", "cache", "task-set", "lifespan"]
        .iter()
        .map(|s| ResourceSpec::parse(s).unwrap())
        .collect();
    let project = Project::new("orders", PythonVersion::V3_13, &specs).unwrap();
    let raw = RawManifest::parse(&render(&project)).unwrap();
    assert_eq!(raw.schema, SCHEMA);
    assert_eq!(raw.project.python, "3.13");
    assert_eq!(raw.resources.len(), 4);
    assert_eq!(raw.resources[0].options["min_size"].as_integer(), Some(1));
    assert_eq!(
        raw.resources[2].options["restart"].as_str(),
        Some("restart")
    );
}

fn sample() -> Manifest {
    let specs: Vec<_> = ["db-pool", "lifespan"]
        .iter()
        .map(|s| ResourceSpec::parse(s).unwrap())
        .collect();
    let project = Project::new("orders", PythonVersion::V3_12, &specs).unwrap();
    Manifest::parse(&render(&project), Path::new("scaffold.toml")).unwrap()
}

#[test]
fn reads_back_what_new_writes() {
    let m = sample();
    assert_eq!(m.schema_on_disk, SCHEMA);
    assert_eq!(m.project.resources.len(), 2);
    assert_eq!(m.updated_text(), m.doc.to_string());
}

#[test]
fn schema_0_is_migrated_keeping_comments() {
    let text = "# header\nscaffold_version = \"0.0.9\"\n\n[project]\nname = \"a\"\npackage = \"a\"\npython = \"3.12\"\n\n# the cache\n[[resources]]\nkind = \"cache\"\nname = \"redis\"\n";
    let m = Manifest::parse(text, Path::new("scaffold.toml")).unwrap();
    assert_eq!(m.schema_on_disk, 0);
    assert_eq!(m.project.resources[0].name, "redis");
    let out = m.updated_text();
    assert!(
        out.starts_with("# header\nschema = 1\nscaffold_version = \"0.1.0\"\n"),
        "{out}"
    );
    assert!(out.contains("# the cache\n[[resource]]\n"), "{out}");
}

#[test]
fn add_and_remove_keep_formatting() {
    let m = sample();
    let text = m
        .doc
        .to_string()
        .replace("max_size = 10", "max_size = 10 # keep me");
    let m = Manifest::parse(&text, Path::new("scaffold.toml")).unwrap();
    let added = m
        .add_resource(kinds::find("cache").unwrap(), "sessions")
        .unwrap();
    let added_text = added.doc.to_string();
    assert!(added_text.starts_with(&text), "{added_text}");
    let removed = added.remove_resource("sessions").unwrap();
    assert_eq!(removed.doc.to_string(), text);
    assert!(matches!(
        m.add_resource(kinds::find("lifespan").unwrap(), "web"),
        Err(Error::TooManyOfKind { .. })
    ));
    assert!(matches!(
        m.add_resource(kinds::find("db-pool").unwrap(), "database"),
        Err(Error::ResourceExists { .. })
    ));
    assert!(matches!(
        m.remove_resource("nope"),
        Err(Error::ResourceMissing { .. })
    ));
}

#[test]
fn errors_carry_key_and_line() {
    let text = sample()
        .doc
        .to_string()
        .replace("name = \"app\"", "name = \"app\"\nrestart = \"never\"");
    let err = Manifest::parse(&text, Path::new("scaffold.toml")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("key `resource.1.restart`"), "{msg}");
    assert!(msg.contains("line 20"), "{msg}");
    let err = Manifest::parse("schema = 9\n", Path::new("scaffold.toml")).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { schema: 9, .. }));
    // A newer schema that names a newer scaffold: install it. One that names this scaffold was
    // edited by hand: "install 0.1.0 or newer" to a user of 0.1.0 would be no help.
    let newer = Manifest::parse(
        "schema = 9\nscaffold_version = \"99.0.0\"\n",
        Path::new("scaffold.toml"),
    )
    .unwrap_err();
    assert!(
        newer.hints()[0].contains("install it or newer"),
        "{:?}",
        newer.hints()
    );
    let edited = Manifest::parse(
        &format!(
            "schema = 9\nscaffold_version = \"{}\"\n",
            scaffold::version::SCAFFOLD_VERSION
        ),
        Path::new("scaffold.toml"),
    )
    .unwrap_err();
    assert!(
        edited.hints()[0].contains("git checkout -- scaffold.toml"),
        "{:?}",
        edited.hints()
    );
    let err = Manifest::from_bytes(b"schema = 1\n\xff", Path::new("m.toml")).unwrap_err();
    assert!(err.to_string().contains("m.toml`, line 2"), "{err}");
}

#[test]
fn unknown_keys_are_errors() {
    let text = "schema = 1\nscaffold_version = \"0.1.0\"\nbogus = 2\n[project]\nname = \"a\"\npackage = \"a\"\npython = \"3.12\"\n";
    let err = RawManifest::parse(text).unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
}

/// A wrong-typed value names its key (`project.python`, not `3.12`); a mistyped key or kind
/// gets "did you mean".
#[test]
fn errors_name_the_key_and_suggest_the_word() {
    let text = sample().doc.to_string();
    let typed = text.replace("python = \"3.12\"", "python = 3.12");
    let err = Manifest::parse(&typed, Path::new("scaffold.toml")).unwrap_err();
    assert!(err.to_string().contains("key `project.python`"), "{err}");
    let field = text.replace("python = \"3.12\"", "pyhton = \"3.12\"");
    let err = Manifest::parse(&field, Path::new("scaffold.toml")).unwrap_err();
    assert_eq!(err.hints()[0], "did you mean `python`?", "{err}");
    let kind = text.replace("kind = \"db-pool\"", "kind = \"db-pol\"");
    let err = Manifest::parse(&kind, Path::new("scaffold.toml")).unwrap_err();
    assert!(err.to_string().contains("key `resource.0.kind`"), "{err}");
    assert_eq!(err.hints()[0], "did you mean `db-pool`?", "{err}");
}
