//! The resource kinds a project is built from, and what each one means to the rest of the tool.
//!
//! A kind is a closed set (`ResourceKind`): its id on the command line and in the manifest, its
//! default name, its one-line description, its options with their defaults, and whether it has
//! an environment variable and is opened by the service composition.

use std::fmt;

use serde::Serialize;

/// One kind of resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    /// A PostgreSQL connection pool (asyncpg).
    DbPool,
    /// A Redis client (redis-py `redis.asyncio`).
    Cache,
    /// A supervised set of long-running background tasks.
    TaskSet,
    /// A FastAPI app whose lifespan opens and closes every other resource.
    Lifespan,
}

/// The value of a kind option, as written in the manifest and seen by templates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OptionValue {
    Int(i64),
    Str(String),
}

impl ResourceKind {
    /// Every kind, in the order they are listed and offered.
    pub const ALL: [ResourceKind; 4] = [
        ResourceKind::DbPool,
        ResourceKind::Cache,
        ResourceKind::TaskSet,
        ResourceKind::Lifespan,
    ];

    /// The id used by `--resource` and in `scaffold.toml`.
    pub fn id(self) -> &'static str {
        match self {
            ResourceKind::DbPool => "db-pool",
            ResourceKind::Cache => "cache",
            ResourceKind::TaskSet => "task-set",
            ResourceKind::Lifespan => "lifespan",
        }
    }

    /// The kind with this id, if any.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The name a resource of this kind gets when none is given.
    pub fn default_name(self) -> &'static str {
        match self {
            ResourceKind::DbPool => "database",
            ResourceKind::Cache => "redis",
            ResourceKind::TaskSet => "workers",
            ResourceKind::Lifespan => "app",
        }
    }

    /// A second, non-default name, for hints.
    pub fn example_name(self) -> &'static str {
        match self {
            ResourceKind::DbPool => "analytics",
            ResourceKind::Cache => "sessions",
            ResourceKind::TaskSet => "emails",
            ResourceKind::Lifespan => "web",
        }
    }

    /// One line saying what the kind is.
    pub fn description(self) -> &'static str {
        match self {
            ResourceKind::DbPool => "PostgreSQL connection pool (asyncpg)",
            ResourceKind::Cache => "Redis client with one connection pool (redis.asyncio)",
            ResourceKind::TaskSet => "supervised set of long-running background tasks (asyncio)",
            ResourceKind::Lifespan => "FastAPI app whose lifespan opens and closes every resource",
        }
    }

    /// The kind's options with their defaults, in manifest order.
    pub fn default_options(self) -> Vec<(&'static str, OptionValue)> {
        match self {
            ResourceKind::DbPool => {
                vec![
                    ("min_size", OptionValue::Int(1)),
                    ("max_size", OptionValue::Int(10)),
                ]
            }
            ResourceKind::TaskSet => vec![("restart", OptionValue::Str("restart".into()))],
            ResourceKind::Cache | ResourceKind::Lifespan => Vec::new(),
        }
    }

    /// Whether a resource of this kind is configured by a `<NAME>_URL` variable.
    pub fn has_env(self) -> bool {
        matches!(self, ResourceKind::DbPool | ResourceKind::Cache)
    }

    /// Whether the service composition opens it (it is in `Resources`).
    pub fn is_openable(self) -> bool {
        matches!(self, ResourceKind::DbPool | ResourceKind::Cache)
    }

    /// Whether its name becomes an attribute of `Resources` or a module in the package, and so
    /// must not equal a generated module's name. The lifespan's name is neither (its default
    /// is `app`, next to the generated `app.py`).
    pub fn name_shadows_modules(self) -> bool {
        !matches!(self, ResourceKind::Lifespan)
    }

    /// How many resources of this kind a project may have, if limited.
    pub fn max_instances(self) -> Option<usize> {
        match self {
            ResourceKind::Lifespan => Some(1),
            _ => None,
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for kind in ResourceKind::ALL {
            assert_eq!(ResourceKind::from_id(kind.id()), Some(kind));
        }
        assert_eq!(ResourceKind::from_id("db_pool"), None);
    }
}
