//! `meshctl reconcile`: brings the cluster's ACLs in line with the access requests in the
//! governance log: applies approved grants, removes expired and revoked ones. Every change is
//! recorded as a governance event; `--dry-run` prints the changes and makes none.

use std::time::Duration;

use clap::Args;
use meshdesk_domain::access::{PatternKind, ReconcileAction, ResourceKind, kafka_acls_commands};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_service::Meshdesk;
use serde_json::{Value, json};

use crate::{EnvArgs, Output, print_json};

#[derive(Args)]
#[command(after_help = "\
Examples:
  meshctl reconcile --env prod.toml --dry-run      # print the changes and kafka-acls.sh commands
  meshctl reconcile --env prod.toml --once         # one round
  meshctl reconcile --env prod.toml --interval 60  # a round every minute, until stopped
  meshctl reconcile --env prod.toml --output json

Applies approved grants' ACLs, removes expired and revoked ones, restores the owners' missing
bindings, reports drift, and records each change as a governance event.

Exit codes: 0 the round ran (refusals by the cluster are reported, not failures); 1 the
governance log or the cluster could not be read; 2 wrong usage.")]
pub struct ReconcileArgs {
    #[command(flatten)]
    env: EnvArgs,
    /// One round, then exit (the default).
    #[arg(long, conflicts_with = "interval")]
    once: bool,
    /// Seconds between rounds; runs until stopped.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(1..))]
    interval: Option<u64>,
    /// Print the changes (and kafka-acls.sh commands); make none.
    #[arg(long)]
    dry_run: bool,
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

fn print_drift(drift: &Result<Vec<String>, meshdesk_service::ServiceError>) {
    match drift {
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
fn print_missing(missing: &Result<Vec<String>, meshdesk_service::ServiceError>, dry_run: bool) {
    match missing {
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

/// A list, or the reason it is missing, for JSON.
fn listed(r: &Result<Vec<String>, meshdesk_service::ServiceError>) -> Value {
    match r {
        Ok(list) => json!(list),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

fn action_json(action: &ReconcileAction, bootstrap: &str) -> Value {
    json!({
        "action": if action.apply { "apply" } else { "remove" },
        "request_id": action.request_id,
        "why": action.why,
        "bindings": action.bindings,
        "kafka_acls_commands": kafka_acls_commands(&action.bindings, bootstrap, !action.apply),
    })
}

async fn dry_round(
    md: &Meshdesk,
    bootstrap: &str,
    drift: Result<Vec<String>, meshdesk_service::ServiceError>,
    output: Output,
) -> anyhow::Result<()> {
    let plan = md.reconcile_plan().await?;
    let missing = md.restore_missing(true).await;
    let applies = plan.iter().filter(|a| a.apply).count();
    if output == Output::Json {
        print_json(&json!({
            "dry_run": true,
            "drift": listed(&drift),
            "changes": plan.iter().map(|a| action_json(a, bootstrap)).collect::<Vec<_>>(),
            "missing_bindings": listed(&missing),
        }));
        return Ok(());
    }
    print_drift(&drift);
    if plan.is_empty() {
        println!("nothing to change");
    }
    for action in &plan {
        println!("would {}", describe(action));
        for cmd in kafka_acls_commands(&action.bindings, bootstrap, !action.apply) {
            println!("    {cmd}");
        }
    }
    print_missing(&missing, true);
    println!(
        "dry run: {} change(s), none made (would apply {applies}, would remove {})",
        plan.len(),
        plan.len() - applies
    );
    Ok(())
}

async fn round(md: &Meshdesk, a: &ReconcileArgs, bootstrap: &str, output: Output) -> anyhow::Result<()> {
    md.sync().await?;
    let drift = md.acl_drift().await;
    if a.dry_run {
        return dry_round(md, bootstrap, drift, output).await;
    }
    let done = md.reconcile().await?;
    let missing = md.restore_missing(false).await;
    let sent = md.flush_outbox().await?;
    if output == Output::Json {
        let changes: Vec<Value> = done
            .iter()
            .map(|(action, outcome)| {
                let mut v = action_json(action, bootstrap);
                v["outcome"] = json!(outcome);
                v
            })
            .collect();
        print_json(&json!({
            "dry_run": false,
            "drift": listed(&drift),
            "changes": changes,
            "missing_bindings": listed(&missing),
            "events_written": sent,
        }));
        return Ok(());
    }
    print_drift(&drift);
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
    print_missing(&missing, false);
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

pub async fn run(a: ReconcileArgs, output: Output) -> anyhow::Result<()> {
    let md = a.env.open().await?;
    // The environment file as the service read it, not a second reading of the TOML.
    let bootstrap = md.bootstrap_servers().await.unwrap_or_else(|| "BOOTSTRAP".into());
    let result = match a.interval.filter(|_| !a.once) {
        None => round(&md, &a, &bootstrap, output).await,
        Some(every) => loop {
            if let Err(e) = round(&md, &a, &bootstrap, output).await {
                eprintln!("meshctl: reconcile round failed: {e}; retrying in {every}s");
            }
            tokio::time::sleep(Duration::from_secs(every)).await;
        },
    };
    md.shutdown().await;
    result
}
