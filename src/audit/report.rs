//! The findings of a run, printed the way ruff prints its own: `path:row:col: CODE message`
//! on a terminal, ruff's JSON shape, SARIF 2.1.0 for code scanning, GitHub workflow commands.
//! Pure: a list of findings in, a string out.

use serde_json::{Value, json};

use super::{Finding, Position, RULES};

/// One file's findings, under the path to show (relative to where the user stands).
#[derive(Debug, Clone)]
pub struct FileFindings {
    pub path: String,
    pub findings: Vec<Finding>,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const CYAN: &str = "\x1b[36m";

/// `path:row:col: CODE message`, one line each.
pub fn text(files: &[FileFindings], color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    for file in files {
        for f in &file.findings {
            let sep = paint(CYAN, ":");
            out.push_str(&format!(
                "{}{sep}{}{sep}{}{sep} {} {}\n",
                paint(BOLD, &file.path),
                f.start.row,
                f.start.column,
                paint(RED, f.rule.code),
                f.message
            ));
        }
    }
    out
}

fn location(p: Position) -> Value {
    json!({ "row": p.row, "column": p.column })
}

/// ruff's `--output-format json`: a list of objects.
pub fn json(files: &[FileFindings]) -> String {
    let list: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |f| {
                json!({
                    "code": f.rule.code,
                    "message": f.message,
                    "filename": file.path,
                    "location": location(f.start),
                    "end_location": location(f.end),
                    "noqa_row": f.start.row,
                    "fix": null,
                    "url": null,
                })
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&list).unwrap_or_default();
    out.push('\n');
    out
}

/// GitHub Actions workflow commands: an annotation per finding.
pub fn github(files: &[FileFindings]) -> String {
    let mut out = String::new();
    for file in files {
        for f in &file.findings {
            out.push_str(&format!(
                "::error title=scaffold audit ({code}),file={path},line={row},col={col},endLine={erow},endColumn={ecol}::{path}:{row}:{col}: {code} {message}\n",
                code = f.rule.code,
                path = escape_property(&file.path),
                row = f.start.row,
                col = f.start.column,
                erow = f.end.row,
                ecol = f.end.column,
                message = escape_data(&f.message),
            ));
        }
    }
    out
}

/// `%`, CR and LF are escaped in a workflow command's data.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// ... and `:` and `,` in its properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0, one run, every rule described (GitHub code scanning reads `help`).
pub fn sarif(files: &[FileFindings], version: &str) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "help": { "text": r.explain, "markdown": r.explain },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |f| {
                json!({
                    "ruleId": f.rule.code,
                    "ruleIndex": RULES.iter().position(|r| r.code == f.rule.code),
                    "level": "error",
                    "message": { "text": f.message },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": file.path.replace('\\', "/") },
                            "region": {
                                "startLine": f.start.row,
                                "startColumn": f.start.column,
                                "endLine": f.end.row,
                                "endColumn": f.end.column,
                            },
                        },
                    }],
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "scaffold audit", "version": version, "rules": rules } },
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
