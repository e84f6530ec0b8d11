//! `meshctl trust …` and `meshctl secret …`: governance admins' keys, enrollment and
//! endorsement, and credentials in the OS keyring.

use std::io::BufRead;

use clap::Subcommand;
use meshdesk_contract as c;
use meshdesk_domain::Principal;
use meshdesk_service::{Meshdesk, keyring};
use serde_json::json;

use crate::{EnvArgs, Output, print_json};

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Create a governance admin key in this machine's keyring and print the `[trust]` line.
    #[command(after_help = concat!("Examples:\n  meshctl trust init --principal User:platform-admin", exit_codes!()))]
    Init {
        /// The admin's principal.
        #[arg(long, default_value = "User:meshdesk-admin")]
        principal: String,
    },
    /// Create this desktop's signing key for the environment's principal.
    #[command(
        after_help = concat!("Examples:\n  meshctl trust keygen --env prod.toml\n  (then: meshctl trust enroll --env prod.toml)", exit_codes!())
    )]
    Keygen {
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Ask the governance admins to endorse this desktop's key.
    #[command(after_help = concat!("Examples:\n  meshctl trust enroll --env prod.toml --note \"Alice, inventory team laptop\"", exit_codes!()))]
    Enroll {
        #[command(flatten)]
        env: EnvArgs,
        /// A note for the admins (who you are, which machine).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Endorse a principal's key with roles (governance admins).
    #[command(
        after_help = concat!("Examples:\n  meshctl trust endorse User:alice ed25519:Ab3… --role owner --env prod.toml\n  meshctl trust endorse User:reconciler ed25519:Zq9… --role reconciler --env prod.toml", exit_codes!())
    )]
    Endorse {
        /// The principal the key belongs to, e.g. `User:alice`.
        principal: String,
        /// The key, as `ed25519:…`.
        key: String,
        /// A role for the key; repeat for several.
        #[arg(long = "role", required = true, value_parser = ["owner", "reconciler", "admin"])]
        roles: Vec<String>,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Let a domain adopt an existing topic outside its namespace (governance admins): its
    /// owners may then make it a port of one of their products. Internal topics never.
    #[command(
        after_help = concat!("Examples:\n  meshctl trust adopt legacy.shipments --domain inventory --reason \"Inventory has run it since 2019\" --env prod.toml", exit_codes!())
    )]
    Adopt {
        /// The topic, e.g. `legacy.shipments`.
        topic: String,
        /// The domain that adopts it.
        #[arg(long)]
        domain: String,
        /// Why, recorded in the log.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Reject an enrollment request (governance admins).
    #[command(
        after_help = concat!("Examples:\n  meshctl trust reject ed25519:Ab3… --reason \"not a team member\" --env prod.toml", exit_codes!())
    )]
    Reject {
        /// The key, as `ed25519:…`.
        key: String,
        /// Why, for the requester.
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Revoke an endorsed key (governance admins); its later events are refused.
    #[command(after_help = concat!("Examples:\n  meshctl trust revoke ed25519:Ab3… --reason \"laptop lost\" --env prod.toml\n  meshctl trust revoke ed25519:Ab3… --reason \"key leaked in a build log\" --compromised-since 2026-12-01 --env prod.toml", exit_codes!()))]
    Revoke {
        /// The key, as `ed25519:…`.
        key: String,
        /// Why, recorded in the log.
        #[arg(long, default_value = "")]
        reason: String,
        /// The key was compromised from this UTC date or time on (2026-12-01 or
        /// 2026-12-01T10:30:00Z): what it signed since, endorsements included, no longer counts.
        #[arg(long)]
        compromised_since: Option<String>,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// List the pinned admins and every key with its state and roles.
    #[command(
        after_help = concat!("Examples:\n  meshctl trust list --env prod.toml\n  meshctl trust list --env prod.toml --output json", exit_codes!())
    )]
    List {
        #[command(flatten)]
        env: EnvArgs,
    },
}

#[derive(Subcommand)]
pub enum SecretCommand {
    /// Store a secret read from standard input.
    #[command(
        after_help = concat!("Examples:\n  printf '%s' \"$KAFKA_PASSWORD\" | meshctl secret set prod-kafka\n  (then in the environment file: \"sasl.password\" = { keyring = \"prod-kafka\" })", exit_codes!())
    )]
    Set {
        /// The secret's name.
        name: String,
    },
    /// Remove a secret.
    #[command(after_help = concat!("Examples:\n  meshctl secret delete prod-kafka", exit_codes!()))]
    Delete {
        /// The secret's name.
        name: String,
    },
}

async fn open(env: &EnvArgs) -> anyhow::Result<std::sync::Arc<Meshdesk>> {
    let md = env.open().await?;
    for w in md.warnings().await {
        eprintln!("meshctl: warning: {w}");
    }
    // Decide on the newest state, and say it when the cluster is away.
    if let Err(e) = md.sync().await {
        eprintln!("meshctl: warning: the governance log could not be read ({e}); acting on the cache");
    }
    Ok(md)
}

fn print_identity(i: &c::Identity, output: Output) {
    if output == Output::Json {
        print_json(&serde_json::to_value(i).unwrap_or_default());
        return;
    }
    println!("principal: {}", i.principal);
    match (&i.key, &i.fingerprint) {
        (Some(k), Some(f)) => println!("key: {k}\nfingerprint: {f}"),
        _ => println!("key: none"),
    }
    println!("standing: {:?}", i.standing);
}

/// `meshctl trust …`; the exit code is the caller's.
pub async fn trust(command: TrustCommand, output: Output) -> anyhow::Result<()> {
    let (env, action) = match command {
        TrustCommand::Init { principal } => {
            let principal = Principal::parse(&principal)?;
            let signer = keyring::create_signing_key(&principal)?;
            let key = signer.public_key().id();
            if output == Output::Json {
                print_json(&json!({"principal": principal.as_str(), "key": key, "keyring": keyring::backend()}));
                return Ok(());
            }
            println!("Created a governance admin key for {principal} in the keyring ({}).", keyring::backend());
            println!(
                "Add it to every environment file of this cluster, and act as the admin with `principal = \"{principal}\"`:\n"
            );
            println!("[trust]\nadmins = [\"{key}\"]");
            return Ok(());
        }
        TrustCommand::Keygen { env } => {
            let md = open(&env).await?;
            let id = md.create_my_key().await;
            md.shutdown().await;
            print_identity(&id?, output);
            if output == Output::Text {
                println!("Next: meshctl trust enroll --env FILE, then ask a governance admin to endorse it.");
            }
            return Ok(());
        }
        TrustCommand::Enroll { env, note } => {
            let md = open(&env).await?;
            let id = md.request_enrollment(&c::EnrollmentRequest { note }).await;
            md.shutdown().await;
            print_identity(&id?, output);
            return Ok(());
        }
        TrustCommand::List { env } => {
            let md = open(&env).await?;
            let t = md.trust_overview().await;
            md.shutdown().await;
            print_overview(&t?, output);
            return Ok(());
        }
        TrustCommand::Endorse { principal, key, roles, env } => {
            (env, c::TrustAction::Endorse { principal, key, roles })
        }
        TrustCommand::Reject { key, reason, env } => (env, c::TrustAction::Reject { key, reason }),
        TrustCommand::Adopt { topic, domain, reason, env } => (env, c::TrustAction::Adopt { topic, domain, reason }),
        TrustCommand::Revoke { key, reason, compromised_since, env } => {
            let compromised_since_ms =
                compromised_since.as_deref().map(meshdesk_domain::time::parse_utc).transpose()?;
            (env, c::TrustAction::Revoke { key, reason, compromised_since_ms })
        }
    };
    let md = open(&env).await?;
    let decided = md.decide_trust(&action).await;
    let pending = md.environment_status().await.pending_writes;
    md.shutdown().await;
    let id = decided?;
    match output {
        Output::Json => print_json(&json!({"event": id, "written": pending == 0})),
        Output::Text => {
            println!("event {id} {}", if pending > 0 { "queued (the cluster did not take it yet)" } else { "written" })
        }
    }
    Ok(())
}

fn print_overview(t: &c::TrustOverview, output: Output) {
    if output == Output::Json {
        print_json(&serde_json::to_value(t).unwrap_or_default());
        return;
    }
    for k in &t.root_admins {
        println!("admin (pinned)  {k}");
    }
    for k in &t.keys {
        println!(
            "{:<9} {:<24} {} roles={} {}",
            k.state,
            k.principal,
            k.key,
            k.roles.join(","),
            k.note.as_deref().unwrap_or("")
        );
    }
}

/// `meshctl secret set|delete NAME`.
pub fn secret(command: SecretCommand, output: Output) -> anyhow::Result<()> {
    let (message, name) = match command {
        SecretCommand::Set { name } => {
            let mut value = String::new();
            std::io::stdin().lock().read_line(&mut value).map_err(|e| anyhow::anyhow!("reading the secret: {e}"))?;
            let value = value.trim_end_matches(['\n', '\r']);
            keyring::secret_set(&name, value)?;
            (
                format!(
                    "stored `{name}` in the keyring ({}); refer to it as {{ keyring = \"{name}\" }}",
                    keyring::backend()
                ),
                name,
            )
        }
        SecretCommand::Delete { name } => {
            keyring::secret_delete(&name)?;
            (format!("removed `{name}` from the keyring"), name)
        }
    };
    match output {
        Output::Json => print_json(&json!({"name": name, "done": message})),
        Output::Text => println!("{message}"),
    }
    Ok(())
}
