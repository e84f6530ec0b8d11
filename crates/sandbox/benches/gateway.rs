//! Throughput through the sandbox's authorizing gateway against nisshi directly, in one run.
//!
//! Starts two fresh brokers on free ports: a bare nisshi (the baseline, plaintext, no ACLs) and
//! a sandbox (nisshi behind the gateway: SASL/PLAIN, every request authorized). On each it
//! creates a topic of one partition, produces N records of 512 bytes (default 200,000;
//! `MESHDESK_BENCH_RECORDS` to change) with many in flight, then reads them back from the
//! start. Through the gateway the client is a consumer principal with exactly a grant's ACLs
//! (READ and DESCRIBE on the topic, plus WRITE for producing), not the super user, so every
//! request pays the ACL check. Prints records per second for each and the ratio
//! gateway/direct (target: at least 0.7).
//!
//! Run: `cargo bench -p meshdesk-sandbox --bench gateway`

use std::time::Instant;

use meshdesk_kafka::{
    AclBinding, AclOperation, AclPermission, Admin, KafkaProfile, PartitionReader, PatternType, Producer, ResourceType,
    TopicSpec,
};
use meshdesk_sandbox::{BrokerProcess, PortChoice, Sandbox, SandboxOptions, locate_nisshi};

struct Figures {
    produce: f64,
    consume: f64,
}

async fn run(profile: &KafkaProfile, topic: &str, n: usize) -> anyhow::Result<Figures> {
    let value = vec![b'x'; 512];
    let records: Vec<(Option<Vec<u8>>, Vec<u8>)> =
        (0..n).map(|i| (Some(i.to_string().into_bytes()), value.clone())).collect();
    let producer = Producer::new(profile)?;
    let t = Instant::now();
    for chunk in records.chunks(20_000) {
        producer.send_many(topic, chunk).await?;
    }
    let produce = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut reader = PartitionReader::open(profile, topic, 0, 0).await?;
    let mut read = 0;
    while read < n {
        let batch = reader.next_batch(10_000).await?;
        anyhow::ensure!(!batch.is_empty(), "the reader stopped at {read} of {n}");
        read += batch.len();
    }
    let consume = n as f64 / t.elapsed().as_secs_f64();
    Ok(Figures { produce, consume })
}

fn spec(name: &str) -> TopicSpec {
    TopicSpec { name: name.into(), partitions: 1, replication_factor: 1, configs: vec![] }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("MESHDESK_BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(if full {
        200_000
    } else {
        5_000
    });
    if !full {
        println!("smoke run on {n} records (cargo bench runs the full 200,000; unoptimized figures)");
    }
    let dir = tempfile::tempdir()?;

    // Baseline: nisshi on its own.
    let nisshi = locate_nisshi()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let bare = BrokerProcess::start(&nisshi, &dir.path().join("bare"), port).await?;
    let direct = KafkaProfile::plaintext(bare.bootstrap());
    Admin::new(&direct)?.create_topics(&[spec("bench.direct")]).await?;
    let d = run(&direct, "bench.direct", n).await?;
    bare.stop().await?;

    // Through the gateway, as a principal with a grant's ACLs.
    let mut opts = SandboxOptions::new(dir.path().join("sandbox"));
    opts.broker_port = PortChoice::Free;
    opts.registry_port = PortChoice::Free;
    opts.seed = false;
    let sb = Sandbox::start(opts).await?;
    let admin = Admin::new(&sb.kafka_profile())?;
    admin.create_topics(&[spec("bench.gateway")]).await?;
    let principal = meshdesk_domain::Principal::parse("User:bench-app").map_err(anyhow::Error::msg)?;
    let password = sb.create_principal(&principal)?.expect("a new user");
    let acls: Vec<AclBinding> = [AclOperation::Read, AclOperation::Describe, AclOperation::Write]
        .into_iter()
        .map(|operation| AclBinding {
            resource: ResourceType::Topic,
            name: "bench.gateway".into(),
            pattern: PatternType::Literal,
            principal: principal.as_str().into(),
            host: "*".into(),
            operation,
            permission: AclPermission::Allow,
        })
        .collect();
    admin.create_acls(&acls).await?;
    let g = run(&sb.kafka_profile_as("bench-app", &password), "bench.gateway", n).await?;
    sb.stop().await?;

    println!("records of 512 bytes: {n}");
    println!(
        "produce  direct {:>10.0} rec/s   gateway {:>10.0} rec/s   ratio {:.2}",
        d.produce,
        g.produce,
        g.produce / d.produce
    );
    println!(
        "consume  direct {:>10.0} rec/s   gateway {:>10.0} rec/s   ratio {:.2}",
        d.consume,
        g.consume,
        g.consume / d.consume
    );
    Ok(())
}
