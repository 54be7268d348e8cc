//! The resources the audit knows by name: the calls that open one and the method that closes
//! it. A close the audit cannot tie to one of these (an object closing itself in its own
//! `__aexit__`, a file, a response) is not reported as unbounded: its bound is its owner's.

/// One kind of resource.
#[derive(Debug, PartialEq, Eq)]
pub struct Resource {
    /// The qualified names of the calls that open it (awaited or not).
    pub opened_by: &'static [&'static str],
    /// The method that closes it, and can wait without end.
    pub closed_by: &'static str,
    /// Why that close can wait, for the message.
    pub waits_for: &'static str,
}

pub static RESOURCES: &[Resource] = &[
    Resource {
        opened_by: &["asyncpg.create_pool", "asyncpg.pool.create_pool"],
        closed_by: "close",
        waits_for: "every acquired connection to be released",
    },
    Resource {
        opened_by: &["asyncpg.connect", "asyncpg.connection.connect"],
        closed_by: "close",
        waits_for: "the server to acknowledge",
    },
    Resource {
        opened_by: &[
            "redis.asyncio.Redis",
            "redis.asyncio.Redis.from_url",
            "redis.asyncio.StrictRedis",
            "redis.asyncio.from_url",
            "redis.asyncio.client.Redis",
            "redis.asyncio.client.Redis.from_url",
            "redis.asyncio.ConnectionPool",
            "redis.asyncio.ConnectionPool.from_url",
            "redis.asyncio.RedisCluster",
            "redis.asyncio.cluster.RedisCluster",
        ],
        closed_by: "aclose",
        waits_for: "its connections to disconnect",
    },
    Resource {
        opened_by: &["httpx.AsyncClient", "httpx2.AsyncClient"],
        closed_by: "aclose",
        waits_for: "its transport to close",
    },
    Resource {
        opened_by: &[
            "sqlalchemy.ext.asyncio.create_async_engine",
            "sqlalchemy.ext.asyncio.engine.create_async_engine",
        ],
        closed_by: "dispose",
        waits_for: "each pooled connection's close",
    },
    Resource {
        opened_by: &["aiohttp.ClientSession", "aiohttp.client.ClientSession"],
        closed_by: "close",
        waits_for: "its connector to close",
    },
    Resource {
        opened_by: &[
            "aiokafka.AIOKafkaProducer",
            "aiokafka.producer.AIOKafkaProducer",
            "aiokafka.AIOKafkaConsumer",
            "aiokafka.consumer.AIOKafkaConsumer",
        ],
        closed_by: "stop",
        waits_for: "pending batches and the group coordinator",
    },
];

/// The resource that the call named `qualified` opens, if the audit knows it.
pub fn opened_by(qualified: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.opened_by.contains(&qualified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opener_names_one_resource() {
        let mut seen = std::collections::HashSet::new();
        for resource in RESOURCES {
            for name in resource.opened_by {
                assert!(seen.insert(*name), "{name} twice");
                assert_eq!(opened_by(name), Some(resource));
            }
        }
    }
}
