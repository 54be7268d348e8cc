//! The validated project: what `scaffold` renders, and the only place names are checked.
//!
//! Flags (or, later, the manifest) arrive as strings; `Project::new` turns them into a
//! `Project` whose names, kinds and options are known to be valid. Later stages never see a raw
//! string they would have to re-check.

use std::fmt;

use heck::ToSnakeCase;

use crate::error::{Error, Result};
use crate::kinds::{self, OptionValue, ResourceKind, Role};
use crate::names;

/// The Python versions a generated project can target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PythonVersion {
    V3_11,
    #[default]
    V3_12,
    V3_13,
}

impl PythonVersion {
    /// Every supported version, oldest first.
    pub const ALL: [PythonVersion; 3] = [
        PythonVersion::V3_11,
        PythonVersion::V3_12,
        PythonVersion::V3_13,
    ];

    /// The version as written in files (`3.12`).
    pub fn as_str(self) -> &'static str {
        match self {
            PythonVersion::V3_11 => "3.11",
            PythonVersion::V3_12 => "3.12",
            PythonVersion::V3_13 => "3.13",
        }
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource as asked for: a kind and perhaps a name (`--resource KIND[:NAME]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceSpec {
    pub kind: ResourceKind,
    pub name: Option<String>,
}

impl ResourceSpec {
    /// Parses `KIND[:NAME]`. The name is checked later, by `Project::new`.
    pub fn parse(spec: &str) -> Result<Self> {
        let (kind_id, name) = match spec.split_once(':') {
            Some((kind, name)) => (kind, Some(name)),
            None => (spec, None),
        };
        if kind_id.is_empty() {
            return Err(Error::InvalidResourceSpec {
                spec: spec.to_owned(),
                reason: "the kind is missing".into(),
            });
        }
        let kind = kinds::find(kind_id).ok_or_else(|| Error::UnknownKind {
            spec: spec.to_owned(),
            kind: kind_id.to_owned(),
        })?;
        Ok(ResourceSpec {
            kind,
            name: name.map(str::to_owned),
        })
    }
}

/// One validated resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub kind: ResourceKind,
    pub name: String,
    /// The kind's options, in manifest order.
    pub options: Vec<(&'static str, OptionValue)>,
}

impl Resource {
    /// The environment variable that configures it (`DATABASE_URL`), or `""` if none.
    pub fn env(&self) -> String {
        match &self.kind.spec().env {
            Some(pattern) => pattern.replace("{upper}", &self.upper()),
            None => String::new(),
        }
    }

    /// The name upper-cased (`DATABASE`).
    pub fn upper(&self) -> String {
        self.name.to_ascii_uppercase()
    }
}

/// A validated project: everything a render needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The name as given to `scaffold new`.
    pub name: String,
    /// The Python package: `name` in snake_case.
    pub package: String,
    pub python: PythonVersion,
    /// Resources in manifest order, which is the order they are opened in.
    pub resources: Vec<Resource>,
}

impl Project {
    /// Validates a project name and resource specs into a project.
    ///
    /// ```
    /// use scaffold::model::{Project, PythonVersion, ResourceSpec};
    /// let kind = scaffold::kinds::all()[0];
    /// let specs = vec![
    ///     ResourceSpec::parse(kind.id()).unwrap(),
    ///     ResourceSpec::parse(&format!("{kind}:sessions")).unwrap(),
    /// ];
    /// let project = Project::new("my-orders", PythonVersion::V3_12, &specs).unwrap();
    /// assert_eq!(project.package, "my_orders");
    /// assert_eq!(project.resources[0].name, kind.default_name());
    /// assert_eq!(project.resources[1].upper(), "SESSIONS");
    /// ```
    pub fn new(name: &str, python: PythonVersion, specs: &[ResourceSpec]) -> Result<Self> {
        let package = Self::check_name(name)?;
        if specs.is_empty() {
            return Err(Error::NoResources);
        }

        let mut resources: Vec<Resource> = Vec::with_capacity(specs.len());
        for spec in specs {
            let name = spec
                .name
                .clone()
                .unwrap_or_else(|| spec.kind.default_name().to_owned());
            names::check_resource_name(&name, spec.kind.name_shadows_modules()).map_err(
                |reason| Error::InvalidResourceName {
                    kind: spec.kind,
                    name: name.clone(),
                    reason,
                },
            )?;
            if resources.iter().any(|r| r.name == name) {
                return Err(Error::DuplicateResource {
                    kind: spec.kind,
                    name,
                });
            }
            if let Some(max) = spec.kind.max_instances() {
                let same: Vec<&Resource> =
                    resources.iter().filter(|r| r.kind == spec.kind).collect();
                if same.len() >= max {
                    return Err(Error::TooManyOfKind {
                        kind: spec.kind,
                        max,
                        first: same[0].name.clone(),
                        second: name,
                    });
                }
            }
            resources.push(Resource {
                kind: spec.kind,
                name,
                options: spec.kind.default_options(),
            });
        }
        Ok(Project {
            name: name.to_owned(),
            package,
            python,
            resources,
        })
    }

    /// Checks a project name and returns its package name (snake_case).
    pub fn check_name(name: &str) -> Result<String> {
        names::check_project_name(name).map_err(|reason| Error::InvalidProjectName {
            name: name.to_owned(),
            reason,
        })?;
        let package = name.to_snake_case();
        names::check_package_name(&package).map_err(|reason| Error::InvalidPackageName {
            name: name.to_owned(),
            package: package.clone(),
            reason,
        })?;
        Ok(package)
    }

    /// Whether the project has at least one resource of `kind`.
    pub fn has(&self, kind: ResourceKind) -> bool {
        self.resources.iter().any(|r| r.kind == kind)
    }

    /// Resources of one kind, in manifest order.
    pub fn of_kind(&self, kind: ResourceKind) -> impl Iterator<Item = &Resource> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// Whether the project has at least one resource whose kind plays `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.resources.iter().any(|r| r.kind.role() == role)
    }

    /// Resources whose kind plays `role`, in manifest order.
    pub fn of_role(&self, role: Role) -> impl Iterator<Item = &Resource> {
        self.resources.iter().filter(move |r| r.kind.role() == role)
    }

    /// A project without a runtime kind is a worker, run by `python -m <package>`.
    pub fn is_worker(&self) -> bool {
        !self.has_role(Role::Runtime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: ResourceKind, name: Option<&str>) -> ResourceSpec {
        ResourceSpec {
            kind,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn default_names_env_and_roles() {
        for kind in kinds::all() {
            let p = Project::new("orders", PythonVersion::V3_12, &[spec(kind, None)]).unwrap();
            let r = &p.resources[0];
            assert_eq!(r.name, kind.default_name());
            match &kind.spec().env {
                Some(pattern) => assert_eq!(r.env(), pattern.replace("{upper}", &r.upper())),
                None => assert_eq!(r.env(), ""),
            }
            assert_eq!(p.is_worker(), kind.role() != Role::Runtime);
        }
    }

    #[test]
    fn rejects_bad_input() {
        let py = PythonVersion::V3_12;
        let any = kinds::all()[0];
        assert!(matches!(
            Project::new("asyncio", py, &[spec(any, None)]),
            Err(Error::InvalidPackageName { .. })
        ));
        assert!(matches!(
            Project::new("orders", py, &[spec(any, None), spec(any, None)]),
            Err(Error::DuplicateResource { .. })
        ));
        for kind in kinds::all() {
            if let Some(max) = kind.max_instances() {
                let specs: Vec<_> = (0..=max)
                    .map(|i| spec(kind, Some(&format!("r{i}"))))
                    .collect();
                assert!(matches!(
                    Project::new("orders", py, &specs),
                    Err(Error::TooManyOfKind { .. })
                ));
            }
        }
        assert!(matches!(
            ResourceSpec::parse("no-such-kind"),
            Err(Error::UnknownKind { .. })
        ));
        assert!(matches!(
            Project::new("orders", py, &[]),
            Err(Error::NoResources)
        ));
    }
}
