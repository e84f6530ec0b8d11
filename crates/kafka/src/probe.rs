use std::time::{Duration, Instant};

use rdkafka::producer::{BaseProducer, Producer};
use tokio::net::TcpStream;

use crate::KafkaProfile;
use crate::context::Capturing;

/// Whether the cluster answered, and if not, the first reason found, in order: no bootstrap
/// servers, DNS, TCP connect (refused / timed out), then the Kafka handshake itself (TLS,
/// authentication, protocol), which only librdkafka can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutcome {
    pub ok: bool,
    pub detail: String,
    pub latency_ms: u64,
}

pub async fn probe(profile: &KafkaProfile, timeout: Duration) -> ProbeOutcome {
    let started = Instant::now();
    let done = |ok: bool, detail: String| ProbeOutcome { ok, detail, latency_ms: started.elapsed().as_millis() as u64 };

    let bootstrap = profile.bootstrap_servers().to_owned();
    let first = bootstrap.split(',').map(str::trim).find(|s| !s.is_empty()).map(str::to_owned);
    let Some(first) = first else {
        return done(false, "no bootstrap.servers configured".into());
    };
    let hostport = first.rsplit("://").next().unwrap_or(&first).to_owned();
    let addrs = match tokio::time::timeout(timeout, tokio::net::lookup_host(hostport.clone())).await {
        Ok(Ok(a)) => a.collect::<Vec<_>>(),
        Ok(Err(e)) => return done(false, format!("cannot resolve {hostport}: {e}")),
        Err(_) => return done(false, format!("resolving {hostport} timed out")),
    };
    let Some(addr) = addrs.first().copied() else {
        return done(false, format!("{hostport} resolves to no address"));
    };
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return done(false, format!("cannot connect to {addr}: {e}")),
        Err(_) => return done(false, format!("connecting to {addr} timed out after {} ms", timeout.as_millis())),
    }

    let profile = profile.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let ctx = Capturing::default();
        // A producer client, because polling it delivers librdkafka's log and error events
        // (authentication, TLS) to the context, where the reason is kept.
        let client: BaseProducer<Capturing> = match profile.client_config().create_with_context(ctx.clone()) {
            Ok(p) => p,
            Err(e) => return Err(format!("invalid configuration: {e}")),
        };
        let asked = Instant::now();
        let md = client.client().fetch_metadata(None, timeout);
        let waited_out = asked.elapsed() + Duration::from_millis(100) >= timeout;
        if md.is_err() {
            for _ in 0..5 {
                client.poll(Duration::from_millis(50));
            }
        }
        match md {
            Ok(md) => {
                let topics = md.topics().iter().filter(|t| !t.name().starts_with('_')).count();
                Ok(format!(
                    "{} broker{}, {topics} topic{}",
                    md.brokers().len(),
                    if md.brokers().len() == 1 { "" } else { "s" },
                    if topics == 1 { "" } else { "s" }
                ))
            }
            Err(e) => Err(match ctx.last_error() {
                Some(r) => format!("{e}: {r}"),
                // Connected (checked above), then silence until the deadline.
                None if waited_out => format!(
                    "{addr} accepted the connection but did not answer as a Kafka broker within {} ms (timed out)",
                    timeout.as_millis()
                ),
                None => e.to_string(),
            }),
        }
    })
    .await;
    match outcome {
        Ok(Ok(detail)) => done(true, detail),
        Ok(Err(detail)) => done(false, detail),
        Err(e) => done(false, format!("probe failed: {e}")),
    }
}
