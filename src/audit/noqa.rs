//! `# noqa` comments, as ruff reads them: `# noqa` alone suppresses every finding on its line,
//! `# noqa: SCA001, SCA003` only those codes (case-insensitive, separated by commas or spaces).

use std::collections::HashMap;

/// What the `# noqa` comments of one file suppress, by 1-based line.
#[derive(Debug, Default)]
pub struct Suppressions {
    lines: HashMap<usize, Option<Vec<String>>>,
}

impl Suppressions {
    /// Reads the `# noqa` comments of `source`.
    pub fn of(source: &str) -> Self {
        let mut lines = HashMap::new();
        for (i, line) in source.lines().enumerate() {
            if let Some(codes) = parse(line) {
                lines.insert(i + 1, codes);
            }
        }
        Self { lines }
    }

    /// Whether a finding of `code` on `row` is suppressed.
    pub fn suppresses(&self, row: usize, code: &str) -> bool {
        match self.lines.get(&row) {
            Some(None) => true,
            Some(Some(codes)) => codes.iter().any(|c| c.eq_ignore_ascii_case(code)),
            None => false,
        }
    }
}

/// `None`: no `# noqa` on the line; `Some(None)`: a blanket one; `Some(Some(codes))`.
fn parse(line: &str) -> Option<Option<Vec<String>>> {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find('#') {
        let after = &line[from + at + 1..];
        let rest = after.trim_start();
        if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case("noqa") {
            let tail = &rest[4..];
            let Some(list) = tail.strip_prefix(':') else {
                return Some(None);
            };
            let codes: Vec<String> = list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
                .take_while(|c| is_code(c))
                .map(str::to_owned)
                .collect();
            return Some(if codes.is_empty() { None } else { Some(codes) });
        }
        from += at + 1;
    }
    None
}

/// `SCA001`, `E501`: letters, then digits.
fn is_code(token: &str) -> bool {
    let digits = token.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.len() < token.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanket_and_coded() {
        let s = Suppressions::of("a  # noqa\nb  # noqa: SCA001, sca003\nc  # NoQA:SCA002 why\nd\n");
        assert!(s.suppresses(1, "SCA009"));
        assert!(s.suppresses(2, "SCA001"));
        assert!(s.suppresses(2, "SCA003"));
        assert!(!s.suppresses(2, "SCA002"));
        assert!(s.suppresses(3, "SCA002"));
        assert!(!s.suppresses(4, "SCA001"));
    }
}
