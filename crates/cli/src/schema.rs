//! `meshctl schema check`: the local schema engine on files.

use std::path::PathBuf;
use std::process::ExitCode;

use meshdesk_domain::schema::{ParsedSchema, SchemaError, check_messages};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};

const INCOMPATIBLE: u8 = 1;
const INVALID: u8 = 2;
/// No incompatibility found, but a change the engine does not compare (a person decides).
const UNDECIDED: u8 = 3;

struct Args {
    format: SchemaFormat,
    level: CompatibilityLevel,
    previous: Vec<PathBuf>,
    new: PathBuf,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    if args.next().as_deref() != Some("check") {
        return Err("the only schema command is `check`".into());
    }
    let (mut format, mut level, mut previous, mut new) = (None, None, Vec::new(), None);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--type" => {
                format = Some(match value("--type")?.as_str() {
                    "avro" => SchemaFormat::Avro,
                    "json" => SchemaFormat::Json,
                    "protobuf" => SchemaFormat::Protobuf,
                    other => return Err(format!("unknown --type `{other}`; expected avro, json or protobuf")),
                })
            }
            "--level" => level = Some(value("--level")?.to_uppercase().parse::<CompatibilityLevel>()?),
            "--previous" => previous.push(PathBuf::from(value("--previous")?)),
            "--new" => new = Some(PathBuf::from(value("--new")?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        format: format.ok_or("--type is required")?,
        level: level.ok_or("--level is required")?,
        previous,
        new: new.ok_or("--new FILE is required")?,
    })
}

fn load(format: SchemaFormat, path: &PathBuf) -> Result<ParsedSchema, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ParsedSchema::parse(format, &text)
        .map_err(|e: SchemaError| format!("{}:{}:{}: {}", path.display(), e.pos.line, e.pos.column, e.message))
}

pub fn main(args: impl Iterator<Item = String>) -> ExitCode {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("meshctl schema: {e}\n{}", super::USAGE);
            return ExitCode::from(INVALID);
        }
    };
    let mut previous = Vec::new();
    for p in a.previous.iter() {
        match load(a.format, p) {
            Ok(s) => previous.push(s),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(INVALID);
            }
        }
    }
    let new = match load(a.format, &a.new) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(INVALID);
        }
    };
    let labelled: Vec<(u32, &ParsedSchema)> = previous.iter().enumerate().map(|(i, s)| (i as u32 + 1, s)).collect();
    let issues = check_messages(a.level, &labelled, &new);
    let undecided = |i: &String| i.starts_with(meshdesk_domain::schema::jsonschema::CANNOT_JUDGE);
    if issues.is_empty() {
        println!("compatible at {} with {} previous version(s)", a.level, previous.len());
        ExitCode::SUCCESS
    } else if issues.iter().all(undecided) {
        println!("undecided at {}: no incompatibility found, but this check cannot judge:", a.level);
        for i in &issues {
            println!("- {i}");
        }
        ExitCode::from(UNDECIDED)
    } else {
        println!("incompatible at {}:", a.level);
        for i in &issues {
            println!("- {i}");
        }
        ExitCode::from(INCOMPATIBLE)
    }
}
