//! `meshdesk-sandbox`: runs the local sandbox in the foreground until Ctrl-C, for tools and
//! scripts that want a broker and a registry without the app.

use std::path::PathBuf;

use meshdesk_sandbox::{PortChoice, Sandbox, SandboxOptions};

fn usage() -> ! {
    eprintln!(
        "usage: meshdesk-sandbox [--data-dir DIR] [--broker-port N] [--registry-port N] [--no-seed]\n\
         Starts Apache Kafka (one KRaft node, StandardAuthorizer) and a registry on 127.0.0.1, durable under DIR,\n\
         seeded with the retail example.\n\
         Ports default to the ones used last time in DIR (or any free one); 0 means any free port."
    );
    std::process::exit(2)
}

fn default_data_dir() -> PathBuf {
    meshdesk_sandbox::meshdesk_data_dir().join("sandbox")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let mut opts = SandboxOptions::new(default_data_dir());
    let mut args = std::env::args().skip(1);
    let port = |v: Option<String>| match v.and_then(|s| s.parse::<u16>().ok()) {
        Some(0) => PortChoice::Free,
        Some(p) => PortChoice::Fixed(p),
        None => usage(),
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data-dir" => opts.data_dir = args.next().map(PathBuf::from).unwrap_or_else(|| usage()),
            "--broker-port" => opts.broker_port = port(args.next()),
            "--registry-port" => opts.registry_port = port(args.next()),
            "--no-seed" => opts.seed = false,
            _ => usage(),
        }
    }
    let sandbox = Sandbox::start(opts).await?;
    println!("data dir:          {}", sandbox.data_dir.display());
    println!("bootstrap.servers: {}", sandbox.bootstrap_servers());
    println!(
        "login (SASL/SCRAM-SHA-512): {} / {}   (the sandbox admin; sandbox-only)",
        meshdesk_sandbox::access::ADMIN_USER,
        sandbox.own_password(meshdesk_sandbox::access::ADMIN_USER).unwrap_or_default()
    );
    println!("schema registry:   {}", sandbox.registry_url());
    if let Some(r) = &sandbox.seed_report {
        println!(
            "seeded:            {} topics, {} schemas, {} governance events",
            r.topics_created, r.schemas_registered, r.events_published
        );
    }
    println!("press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await
}
