//! `meshctl`: Meshdesk's services from the command line.
//!
//! ```text
//! meshctl sync --env FILE [--data-dir DIR] [--batch N]
//!     Folds the environment's governance log into the local cache and prints what it applied.
//! meshctl schema check --type avro --level LEVEL --previous FILE [--previous FILE ...] --new FILE
//!     Checks a new schema against previous versions (oldest first) with the local engine.
//!     Exit 0: compatible; 1: incompatible (reasons printed); 2: invalid input (line:column).
//! meshctl topic-name check NAME
//!     Checks a topic name by Kafka's rules and the naming policy (<domain>.<event-name>).
//!     Exit 0: valid; 1: invalid (the reason printed).
//! meshctl export odcs|asyncapi PRODUCT --env FILE [--data-dir DIR]
//!     Prints the product's data contract as ODCS v3 YAML, or the product as AsyncAPI 3.0 YAML.
//! meshctl reconcile --env FILE [--data-dir DIR] [--once | --interval S] [--dry-run]
//!     Applies approved access grants' ACLs, removes expired and revoked ones, records each
//!     change as a governance event; --dry-run prints the changes (and kafka-acls.sh commands).
//! meshctl trust init|keygen|enroll|endorse|reject|revoke|list ...
//!     Governance admins' keys, enrollment and endorsement (see `trust.rs`).
//! meshctl secret set|delete NAME
//!     A credential in the OS keyring, for `{ keyring = "NAME" }` in an environment file.
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};

mod reconcile;
mod schema;
mod trust;

const USAGE: &str = "usage: meshctl sync --env FILE [--data-dir DIR] [--batch N]\n       meshctl schema check --type avro|json|protobuf --level LEVEL --previous FILE [--previous FILE ...] --new FILE\n         (exit 0 compatible, 1 incompatible, 2 invalid input, 3 undecided: a change the check cannot judge)\n       meshctl topic-name check NAME\n       meshctl export odcs|asyncapi PRODUCT --env FILE [--data-dir DIR]\n       meshctl reconcile --env FILE [--data-dir DIR] [--once | --interval S] [--dry-run]\n";

struct SyncArgs {
    env: PathBuf,
    data_dir: PathBuf,
    batch: usize,
    pause_before_commit_ms: u64,
}

fn parse_sync(mut args: impl Iterator<Item = String>) -> Result<SyncArgs, String> {
    let (mut env, mut data_dir, mut batch, mut pause) = (None, None, 500usize, 0u64);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--env" => env = Some(PathBuf::from(value("--env")?)),
            "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--batch" => batch = value("--batch")?.parse().map_err(|_| "--batch takes a positive number".to_owned())?,
            // Test hook: sleep inside each fold transaction before it commits (crash tests).
            "--pause-before-commit-ms" => {
                pause =
                    value("--pause-before-commit-ms")?.parse().map_err(|_| "--pause-before-commit-ms takes a number")?
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(SyncArgs {
        env: env.ok_or("--env FILE is required")?,
        data_dir: data_dir.unwrap_or_else(meshdesk_service::meshdesk_data_dir),
        batch,
        pause_before_commit_ms: pause,
    })
}

async fn sync(a: SyncArgs) -> Result<(), String> {
    let md = Meshdesk::open(&a.data_dir, EnvSource::File(a.env), SandboxPorts::default())
        .await
        .map_err(|e| e.to_string())?;
    md.store().set_pause_before_commit(a.pause_before_commit_ms);
    for w in md.warnings().await {
        eprintln!("meshctl: warning: {w}");
    }
    let r = md.sync_batched(a.batch).await.map_err(|e| e.to_string())?;
    println!("applied {}, skipped {}, next offset {}", r.applied, r.skipped, r.next_offset);
    md.shutdown().await;
    Ok(())
}

async fn export(a: SyncArgs, format: &str, product: &str) -> Result<(), String> {
    let md = Meshdesk::open(&a.data_dir, EnvSource::File(a.env), SandboxPorts::default())
        .await
        .map_err(|e| e.to_string())?;
    md.sync().await.map_err(|e| e.to_string())?;
    let text = md.export_product(product, format).await.map_err(|e| e.to_string())?;
    print!("{text}");
    md.shutdown().await;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let result = match args.next().as_deref() {
        Some("schema") => return schema::main(args),
        Some("topic-name") => {
            let rest: Vec<String> = args.collect();
            let [check, name] = rest.as_slice() else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            if check != "check" {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
            return match meshdesk_domain::policy::check_topic_name(name) {
                Ok(t) => {
                    println!("{t}: valid");
                    ExitCode::SUCCESS
                }
                Err(why) => {
                    println!("{why}");
                    ExitCode::from(1)
                }
            };
        }
        Some("export") => {
            let rest: Vec<String> = args.collect();
            let (format, product) = match (rest.first(), rest.get(1)) {
                (Some(f), Some(p)) if f == "odcs" || f == "asyncapi" => (f.clone(), p.clone()),
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            };
            match parse_sync(rest.into_iter().skip(2)) {
                Ok(a) => export(a, &format, &product).await,
                Err(e) => {
                    eprintln!("meshctl: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
        Some("trust") => trust::trust(args).await,
        Some("secret") => trust::secret(args),
        Some("reconcile") => match reconcile::parse(args) {
            Ok(a) => reconcile::run(a).await,
            Err(e) => {
                eprintln!("meshctl: {e}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        Some("sync") => match parse_sync(args) {
            Ok(a) => sync(a).await,
            Err(e) => {
                eprintln!("meshctl: {e}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}{}", trust::USAGE);
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meshctl: {e}");
            ExitCode::FAILURE
        }
    }
}
