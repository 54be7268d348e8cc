//! "Did you mean": the closest of the known names to one the user mistyped (`cahce` → `cache`),
//! as cargo and clap suggest subcommands.

/// How alike two names must be (Jaro-Winkler similarity, as cargo's threshold).
const LIKE: f64 = 0.8;

/// The candidate most like `input`, if one is alike enough.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= LIKE)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `did you mean \`cache\`?` for a hint line, or nothing.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(input, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_strangers_nothing() {
        let kinds = [
            "db-pool",
            "sqlalchemy",
            "cache",
            "http-client",
            "task-set",
            "lifespan",
        ];
        assert_eq!(closest("cahce", kinds), Some("cache"));
        assert_eq!(closest("db_pool", kinds), Some("db-pool"));
        assert_eq!(closest("lifspan", kinds), Some("lifespan"));
        assert_eq!(closest("databse", ["database", "app"]), Some("database"));
        assert_eq!(closest("kafka", kinds), None);
        assert_eq!(closest("x", kinds), None);
    }
}
