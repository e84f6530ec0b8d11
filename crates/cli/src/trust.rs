//! `meshctl trust …` and `meshctl secret …`: governance admins' keys, enrollment and
//! endorsement, and credentials in the OS keyring.

use std::io::BufRead;
use std::path::PathBuf;

use meshdesk_contract as c;
use meshdesk_domain::Principal;
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts, keyring};

pub const USAGE: &str = "       meshctl trust init [--principal P]\n       meshctl trust keygen --env FILE\n       meshctl trust enroll --env FILE [--note TEXT]\n       meshctl trust endorse PRINCIPAL KEY --role owner|reconciler|admin [--role ...] --env FILE\n       meshctl trust reject KEY --reason TEXT --env FILE\n       meshctl trust revoke KEY --reason TEXT --env FILE\n       meshctl trust list --env FILE\n       meshctl secret set NAME   (the value is read from standard input)\n       meshctl secret delete NAME";

#[derive(Default)]
struct Args {
    positional: Vec<String>,
    env: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    principal: Option<String>,
    note: String,
    reason: String,
    roles: Vec<String>,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--env" => a.env = Some(PathBuf::from(value("--env")?)),
            "--data-dir" => a.data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--principal" => a.principal = Some(value("--principal")?),
            "--note" => a.note = value("--note")?,
            "--reason" => a.reason = value("--reason")?,
            "--role" => a.roles.push(value("--role")?),
            other if other.starts_with("--") => return Err(format!("unknown argument `{other}`")),
            other => a.positional.push(other.to_owned()),
        }
    }
    Ok(a)
}

async fn open(a: &Args) -> Result<std::sync::Arc<Meshdesk>, String> {
    let env = a.env.clone().ok_or("--env FILE is required")?;
    let data_dir = a.data_dir.clone().unwrap_or_else(meshdesk_service::meshdesk_data_dir);
    let md =
        Meshdesk::open(&data_dir, EnvSource::File(env), SandboxPorts::default()).await.map_err(|e| e.to_string())?;
    for w in md.warnings().await {
        eprintln!("meshctl: warning: {w}");
    }
    // Decide on the newest state, and say it when the cluster is away.
    if let Err(e) = md.sync().await {
        eprintln!("meshctl: warning: the governance log could not be read ({e}); acting on the cache");
    }
    Ok(md)
}

fn print_identity(i: &c::Identity) {
    println!("principal: {}", i.principal);
    match (&i.key, &i.fingerprint) {
        (Some(k), Some(f)) => println!("key: {k}\nfingerprint: {f}"),
        _ => println!("key: none"),
    }
    println!("standing: {:?}", i.standing);
}

/// `meshctl trust …`; the exit code is the caller's.
pub async fn trust(mut args: impl Iterator<Item = String>) -> Result<(), String> {
    let verb = args.next().ok_or("trust needs a verb: init, keygen, enroll, endorse, reject, revoke or list")?;
    let a = parse(args)?;
    match verb.as_str() {
        "init" => {
            let principal = Principal::parse(a.principal.as_deref().unwrap_or("User:meshdesk-admin"))?;
            let signer = keyring::create_signing_key(&principal)?;
            println!("Created a governance admin key for {principal} in the keyring ({}).", keyring::backend());
            println!(
                "Add it to every environment file of this cluster, and act as the admin with `principal = \"{principal}\"`:\n"
            );
            println!("[trust]\nadmins = [\"{}\"]", signer.public_key().id());
            Ok(())
        }
        "keygen" => {
            let md = open(&a).await?;
            let id = md.create_my_key().await.map_err(|e| e.to_string())?;
            print_identity(&id);
            println!("Next: meshctl trust enroll --env FILE, then ask a governance admin to endorse it.");
            md.shutdown().await;
            Ok(())
        }
        "enroll" => {
            let md = open(&a).await?;
            let id = md
                .request_enrollment(&c::EnrollmentRequest { note: a.note.clone() })
                .await
                .map_err(|e| e.to_string())?;
            print_identity(&id);
            md.shutdown().await;
            Ok(())
        }
        "endorse" | "reject" | "revoke" => {
            let action = match (verb.as_str(), a.positional.as_slice()) {
                ("endorse", [principal, key]) => {
                    if a.roles.is_empty() {
                        return Err("endorse needs at least one --role owner|reconciler|admin".into());
                    }
                    c::TrustAction::Endorse { principal: principal.clone(), key: key.clone(), roles: a.roles.clone() }
                }
                ("reject", [key]) => c::TrustAction::Reject { key: key.clone(), reason: a.reason.clone() },
                ("revoke", [key]) => c::TrustAction::Revoke { key: key.clone(), reason: a.reason.clone() },
                _ => return Err(format!("wrong arguments for trust {verb}\n{USAGE}")),
            };
            let md = open(&a).await?;
            let id = md.decide_trust(&action).await.map_err(|e| e.to_string())?;
            let pending = md.environment_status().await.pending_writes;
            println!("event {id} {}", if pending > 0 { "queued (the cluster did not take it yet)" } else { "written" });
            md.shutdown().await;
            Ok(())
        }
        "list" => {
            let md = open(&a).await?;
            let t = md.trust_overview().await.map_err(|e| e.to_string())?;
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
            md.shutdown().await;
            Ok(())
        }
        other => Err(format!("unknown trust verb `{other}`\n{USAGE}")),
    }
}

/// `meshctl secret set|delete NAME`.
pub fn secret(mut args: impl Iterator<Item = String>) -> Result<(), String> {
    match (args.next().as_deref(), args.next(), args.next()) {
        (Some("set"), Some(name), None) => {
            let mut value = String::new();
            std::io::stdin().lock().read_line(&mut value).map_err(|e| format!("reading the secret: {e}"))?;
            let value = value.trim_end_matches(['\n', '\r']);
            keyring::secret_set(&name, value)?;
            println!(
                "stored `{name}` in the keyring ({}); refer to it as {{ keyring = \"{name}\" }}",
                keyring::backend()
            );
            Ok(())
        }
        (Some("delete"), Some(name), None) => {
            keyring::secret_delete(&name)?;
            println!("removed `{name}` from the keyring");
            Ok(())
        }
        _ => Err(format!("usage:\n{USAGE}")),
    }
}
