//! `meshctl reconcile`: brings the cluster's ACLs in line with the access requests in the
//! governance log: applies approved grants, removes expired and revoked ones. Every change is
//! recorded as a governance event; `--dry-run` prints the changes and makes none.

use std::path::PathBuf;
use std::time::Duration;

use meshdesk_domain::access::{PatternKind, ReconcileAction, ResourceKind, kafka_acls_commands};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};

pub struct Args {
    env: PathBuf,
    data_dir: PathBuf,
    interval: Option<Duration>,
    dry_run: bool,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut env, mut data_dir, mut interval, mut dry_run, mut once) = (None, None, None, false, false);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--env" => env = Some(PathBuf::from(value("--env")?)),
            "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--interval" => {
                let s: u64 = value("--interval")?.parse().map_err(|_| "--interval takes seconds".to_owned())?;
                if s == 0 {
                    return Err("--interval must be at least 1 second".into());
                }
                interval = Some(Duration::from_secs(s));
            }
            "--once" => once = true,
            "--dry-run" => dry_run = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if once && interval.is_some() {
        return Err("--once and --interval exclude each other".into());
    }
    Ok(Args {
        env: env.ok_or("--env FILE is required")?,
        data_dir: data_dir.unwrap_or_else(meshdesk_service::meshdesk_data_dir),
        interval,
        dry_run,
    })
}

fn describe(a: &ReconcileAction) -> String {
    let verb = if a.apply { "apply" } else { "remove" };
    let mut s = format!("{verb} grant {} ({}):", a.request_id, a.why);
    for b in &a.bindings {
        let kind = match b.resource {
            ResourceKind::Topic => "topic",
            ResourceKind::Group => "group",
        };
        let pattern = match b.pattern {
            PatternKind::Literal => "literal",
            PatternKind::Prefixed => "prefixed",
        };
        s.push_str(&format!("\n  ALLOW {} {:?} on {kind} {} ({pattern})", b.principal, b.operation, b.name));
    }
    s
}

async fn report_drift(md: &Meshdesk) {
    match md.acl_drift().await {
        Ok(d) if d.is_empty() => println!("drift: none (the cluster's ACLs match the grants in force)"),
        Ok(d) => {
            println!("drift: {} finding(s)", d.len());
            for line in d {
                println!("  {line}");
            }
        }
        Err(e) => println!("drift: not checked: {e}"),
    }
}

/// The desired bindings the cluster lacks: created (or, dry, listed).
async fn report_missing(md: &Meshdesk, dry_run: bool) {
    match md.restore_missing(dry_run).await {
        Ok(list) => {
            let verb = if dry_run { "would create" } else { "created" };
            println!("{verb} {} missing binding(s)", list.len());
            for b in list {
                println!("  {b}");
            }
        }
        Err(e) => println!("missing bindings: not restored: {e}"),
    }
}

async fn round(md: &Meshdesk, a: &Args, bootstrap: &str) -> Result<(), String> {
    md.sync().await.map_err(|e| e.to_string())?;
    report_drift(md).await;
    if a.dry_run {
        let plan = md.reconcile_plan().await.map_err(|e| e.to_string())?;
        if plan.is_empty() {
            println!("nothing to change");
        }
        for action in &plan {
            println!("would {}", describe(action));
            for cmd in kafka_acls_commands(&action.bindings, bootstrap, !action.apply) {
                println!("    {cmd}");
            }
        }
        report_missing(md, true).await;
        let applies = plan.iter().filter(|a| a.apply).count();
        println!(
            "dry run: {} change(s), none made (would apply {applies}, would remove {})",
            plan.len(),
            plan.len() - applies
        );
        return Ok(());
    }
    let done = md.reconcile().await.map_err(|e| e.to_string())?;
    if done.is_empty() {
        println!("nothing to change");
    }
    for (action, outcome) in &done {
        let result = match outcome {
            GrantOutcome::Applied => "applied".to_owned(),
            GrantOutcome::Removed => "removed".to_owned(),
            GrantOutcome::NotApplied { reason } => format!("not applied: {reason}"),
        };
        println!("{}\n  => {result}", describe(action));
    }
    report_missing(md, false).await;
    let sent = md.flush_outbox().await.map_err(|e| e.to_string())?;
    let count = |f: fn(&GrantOutcome) -> bool| done.iter().filter(|(_, o)| f(o)).count();
    println!(
        "{} change(s): applied {}, removed {}, not applied {}; {sent} governance event(s) written",
        done.len(),
        count(|o| matches!(o, GrantOutcome::Applied)),
        count(|o| matches!(o, GrantOutcome::Removed)),
        count(|o| matches!(o, GrantOutcome::NotApplied { .. })),
    );
    Ok(())
}

pub async fn run(a: Args) -> Result<(), String> {
    let md = Meshdesk::open(&a.data_dir, EnvSource::File(a.env.clone()), SandboxPorts::default())
        .await
        .map_err(|e| e.to_string())?;
    // The environment file as the service read it, not a second reading of the TOML.
    let bootstrap = md.bootstrap_servers().await.unwrap_or_else(|| "BOOTSTRAP".into());
    let result = match a.interval {
        None => round(&md, &a, &bootstrap).await,
        Some(every) => loop {
            if let Err(e) = round(&md, &a, &bootstrap).await {
                eprintln!("meshctl: reconcile round failed: {e}; retrying in {}s", every.as_secs());
            }
            tokio::time::sleep(every).await;
        },
    };
    md.shutdown().await;
    result
}
