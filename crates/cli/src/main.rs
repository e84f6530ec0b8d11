//! `meshctl`: Meshdesk's services from the command line. Arguments are parsed by clap (derive):
//! every command has `--help` with examples, `meshctl completions SHELL` prints a completion
//! script, and `--output json` prints results as JSON for scripts.
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};

/// The exit codes of commands that do one thing, after their help.
macro_rules! exit_codes {
    () => {
        "\n\nExit codes: 0 done; 1 failed (the reason on standard error); 2 wrong usage."
    };
}

mod reconcile;
mod schema;
mod trust;

/// Examples and exit codes, after the root command's help.
const ROOT_AFTER_HELP: &str = "\
Examples:
  meshctl sync --env prod.toml
  meshctl schema check --type avro --level BACKWARD --previous v1.avsc --new v2.avsc
  meshctl export odcs inventory.stock --env prod.toml --output json
  meshctl reconcile --env prod.toml --dry-run
  meshctl completions bash > ~/.local/share/bash-completion/completions/meshctl

Exit codes (every command):
  0  success (schema check: compatible; topic-name check: valid)
  1  the command failed, or its answer is no (schema check: incompatible; topic-name check: invalid)
  2  wrong usage or invalid input (an unknown option; a malformed schema, with file:line:column)
  3  schema check only: undecided, a change the check cannot judge (a person decides)";

#[derive(Parser)]
#[command(
    name = "meshctl",
    version,
    about = "Meshdesk's services from the command line: the governance log, schemas, exports, access and trust.",
    after_help = ROOT_AFTER_HELP,
)]
struct Cli {
    /// How results are printed: text for people, json for scripts.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// The environment a command works on.
#[derive(Args, Clone)]
pub struct EnvArgs {
    /// The environment file (TOML): the cluster, its registry, credentials and trust anchors.
    #[arg(long, value_name = "FILE")]
    env: PathBuf,
    /// Where Meshdesk keeps its caches and journal [default: the platform's data directory].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

impl EnvArgs {
    pub async fn open(&self) -> anyhow::Result<std::sync::Arc<Meshdesk>> {
        let data_dir = self.data_dir.clone().unwrap_or_else(meshdesk_service::meshdesk_data_dir);
        Ok(Meshdesk::open(&data_dir, EnvSource::File(self.env.clone()), SandboxPorts::default()).await?)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Fold the environment's governance log into the local cache and print what was applied.
    #[command(
        after_help = concat!("Examples:\n  meshctl sync --env prod.toml\n  meshctl sync --env prod.toml --batch 100 --output json", exit_codes!())
    )]
    Sync {
        #[command(flatten)]
        env: EnvArgs,
        /// Events folded per transaction.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
        batch: u32,
    },
    /// Check schemas with the local engine (the same one the app uses).
    #[command(subcommand)]
    Schema(schema::SchemaCommand),
    /// Check topic names by Kafka's rules and the naming policy.
    #[command(subcommand)]
    TopicName(TopicNameCommand),
    /// Print a product (or the catalog) for other tools: ODCS, AsyncAPI, DataHub, OpenLineage, Atlas.
    #[command(
        after_help = concat!("Examples:\n  meshctl export odcs inventory.stock-levels --env prod.toml > stock.odcs.yaml\n  meshctl export asyncapi inventory.stock-levels --env prod.toml --output json\n  meshctl export datahub --all --env prod.toml > catalog.mcps.json   # then: datahub ingest mcps catalog.mcps.json\n  meshctl export openlineage --all --env prod.toml\n  meshctl export atlas sales.orders --env prod.toml", exit_codes!())
    )]
    Export {
        /// The document: odcs and asyncapi as YAML (one product); datahub, openlineage and atlas
        /// as JSON (one product or --all). --output json prints every one as JSON.
        format: ExportFormat,
        /// The product's id, e.g. `inventory.stock-levels`.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        product: Option<String>,
        /// Every product in the catalog (datahub, openlineage, atlas).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Import an ODCS v3 contract or an AsyncAPI 2.x/3.0 document as a wizard draft.
    #[command(
        after_help = concat!("Examples:\n  meshctl import stock.odcs.yaml --env prod.toml\n  meshctl import onboarding.asyncapi.yaml --env prod.toml --output json\n\nThe draft opens in the app's wizard (Products → Continue a draft).", exit_codes!())
    )]
    Import {
        /// The document, JSON or YAML (up to 1 MiB).
        file: PathBuf,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Bring the cluster's ACLs in line with the access grants in the governance log.
    Reconcile(reconcile::ReconcileArgs),
    /// Governance admins' keys, enrollment and endorsement.
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// A credential in the OS keyring, for `{ keyring = "NAME" }` in an environment file.
    #[command(subcommand)]
    Secret(trust::SecretCommand),
    /// Print a shell completion script.
    #[command(
        after_help = concat!("Examples:\n  meshctl completions bash > ~/.local/share/bash-completion/completions/meshctl\n  meshctl completions zsh > \"${fpath[1]}/_meshctl\"\n  meshctl completions fish > ~/.config/fish/completions/meshctl.fish", exit_codes!())
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum TopicNameCommand {
    /// Check one name; exit 0 when valid, 1 with the reason when not.
    #[command(
        after_help = concat!("Examples:\n  meshctl topic-name check inventory.stock-reserved\n  meshctl topic-name check Sales.Orders --output json", "\n\nExit codes: 0 valid; 1 invalid (the reason printed); 2 wrong usage.")
    )]
    Check {
        /// The topic name, e.g. `inventory.stock-reserved`.
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// The data contract, ODCS v3.
    Odcs,
    /// The product's channels, AsyncAPI 3.0.
    Asyncapi,
    /// DataHub metadata change proposals (`datahub ingest mcps FILE`).
    Datahub,
    /// OpenLineage run events of the derived products' processors.
    Openlineage,
    /// Apache Atlas `kafka_topic` entities (`POST /api/atlas/v2/entity/bulk`).
    Atlas,
}

/// Prints a JSON value for scripts.
pub fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

async fn sync(env: &EnvArgs, batch: u32, output: Output) -> anyhow::Result<()> {
    let md = env.open().await?;
    for w in md.warnings().await {
        eprintln!("meshctl: warning: {w}");
    }
    let r = md.sync_batched(batch as usize).await?;
    match output {
        Output::Text => println!("applied {}, skipped {}, next offset {}", r.applied, r.skipped, r.next_offset),
        Output::Json => print_json(&serde_json::to_value(&r).unwrap_or_default()),
    }
    md.shutdown().await;
    Ok(())
}

async fn export(env: &EnvArgs, format: ExportFormat, product: Option<&str>, output: Output) -> anyhow::Result<()> {
    let md = env.open().await?;
    md.sync().await?;
    let format = match format {
        ExportFormat::Odcs => "odcs",
        ExportFormat::Asyncapi => "asyncapi",
        ExportFormat::Datahub => "datahub",
        ExportFormat::Openlineage => "openlineage",
        ExportFormat::Atlas => "atlas",
    };
    let doc = md.export_document(product, format).await;
    md.shutdown().await;
    match (output, format) {
        (Output::Text, "odcs" | "asyncapi") => print!("{}", meshdesk_domain::export::to_yaml(&doc?)),
        _ => print_json(&doc?),
    }
    Ok(())
}

async fn import(env: &EnvArgs, file: &std::path::Path, output: Output) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let md = env.open().await?;
    let imported = md.import_draft(&text).await;
    md.shutdown().await;
    let imported = imported?;
    match output {
        Output::Json => print_json(&serde_json::to_value(&imported).unwrap_or_default()),
        Output::Text => {
            println!(
                "draft {} from {} ({})",
                imported.draft.draft.id, imported.source, imported.draft.draft.product.id
            );
            for n in &imported.notes {
                println!("- {n}");
            }
        }
    }
    Ok(())
}

fn topic_name(name: &str, output: Output) -> ExitCode {
    let verdict = meshdesk_domain::policy::check_topic_name(name);
    match (output, &verdict) {
        (Output::Text, Ok(t)) => println!("{t}: valid"),
        (Output::Text, Err(why)) => println!("{why}"),
        (Output::Json, Ok(t)) => print_json(&serde_json::json!({"name": t.as_str(), "valid": true})),
        (Output::Json, Err(why)) => print_json(&serde_json::json!({"name": name, "valid": false, "reason": why})),
    }
    if verdict.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    // Failpoints named in `FAILPOINTS` (test builds only; release builds have none).
    meshdesk_store::failpoints::setup_from_env();
    let cli = Cli::parse();
    let output = cli.output;
    let result = match cli.command {
        Command::Sync { env, batch } => sync(&env, batch, output).await,
        Command::Schema(c) => return schema::main(c, output),
        Command::TopicName(TopicNameCommand::Check { name }) => return topic_name(&name, output),
        Command::Export { format, product, all: _, env } => export(&env, format, product.as_deref(), output).await,
        Command::Import { file, env } => import(&env, &file, output).await,
        Command::Reconcile(a) => reconcile::run(a, output).await,
        Command::Trust(c) => trust::trust(c, output).await,
        Command::Secret(c) => trust::secret(c, output),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "meshctl", &mut std::io::stdout());
            Ok(())
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
