//! `meshctl schema check`: the local schema engine on files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use meshdesk_domain::schema::{ParsedSchema, SchemaError, check_messages};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};

use crate::{Output, print_json};

const INCOMPATIBLE: u8 = 1;
const INVALID: u8 = 2;
/// No incompatibility found, but a change the engine does not compare (a person decides).
const UNDECIDED: u8 = 3;

#[derive(Subcommand)]
pub enum SchemaCommand {
    /// Check a new schema against previous versions (oldest first) at a compatibility level.
    #[command(after_help = "\
Examples:
  meshctl schema check --type avro --level BACKWARD --previous v1.avsc --previous v2.avsc --new v3.avsc
  meshctl schema check --type json --level FULL --previous old.json --new new.json --output json

Exit codes:
  0  compatible
  1  incompatible (the reasons printed, one per line)
  2  invalid input: a schema that does not parse (file:line:column) or a wrong option
  3  undecided: no incompatibility found, but a change the check cannot judge (JSON Schema
     combinators, $ref'd definitions, patterns...); a person decides")]
    Check(CheckArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Avro,
    Json,
    Protobuf,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The schemas' format.
    #[arg(long = "type", value_enum)]
    format: Format,
    /// BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.
    #[arg(long, value_parser = level)]
    level: CompatibilityLevel,
    /// A previous version's file; repeat it, oldest first.
    #[arg(long, value_name = "FILE")]
    previous: Vec<PathBuf>,
    /// The new version's file.
    #[arg(long, value_name = "FILE")]
    new: PathBuf,
}

fn level(s: &str) -> anyhow::Result<CompatibilityLevel> {
    Ok(s.to_uppercase().parse::<CompatibilityLevel>()?)
}

fn load(format: SchemaFormat, path: &Path) -> anyhow::Result<ParsedSchema> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    ParsedSchema::parse(format, &text)
        .map_err(|e: SchemaError| anyhow::anyhow!("{}:{}:{}: {}", path.display(), e.pos.line, e.pos.column, e.message))
}

pub fn main(c: SchemaCommand, output: Output) -> ExitCode {
    let SchemaCommand::Check(a) = c;
    let format = match a.format {
        Format::Avro => SchemaFormat::Avro,
        Format::Json => SchemaFormat::Json,
        Format::Protobuf => SchemaFormat::Protobuf,
    };
    let loaded: anyhow::Result<Vec<ParsedSchema>> = a.previous.iter().map(|p| load(format, p)).collect();
    let (previous, new) = match (loaded, load(format, &a.new)) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(INVALID);
        }
    };
    let labelled: Vec<(u32, &ParsedSchema)> = previous.iter().enumerate().map(|(i, s)| (i as u32 + 1, s)).collect();
    let issues = check_messages(a.level, &labelled, &new);
    let undecided = |i: &String| i.starts_with(meshdesk_domain::schema::jsonschema::CANNOT_JUDGE);
    let (verdict, code) = if issues.is_empty() {
        ("compatible", ExitCode::SUCCESS)
    } else if issues.iter().all(undecided) {
        ("undecided", ExitCode::from(UNDECIDED))
    } else {
        ("incompatible", ExitCode::from(INCOMPATIBLE))
    };
    match output {
        Output::Json => print_json(&serde_json::json!({
            "verdict": verdict,
            "level": a.level.to_string(),
            "previous_versions": previous.len(),
            "messages": issues,
        })),
        Output::Text => {
            match verdict {
                "compatible" => println!("compatible at {} with {} previous version(s)", a.level, previous.len()),
                "undecided" => {
                    println!("undecided at {}: no incompatibility found, but this check cannot judge:", a.level)
                }
                _ => println!("incompatible at {}:", a.level),
            }
            for i in &issues {
                println!("- {i}");
            }
        }
    }
    code
}
