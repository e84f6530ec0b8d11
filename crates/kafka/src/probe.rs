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
    /// How the partitions the client may see stand, when the cluster answered.
    pub health: Option<ClusterHealth>,
}

/// Brokers and partitions as the cluster's metadata shows them to this client: a broker named
/// as a replica but not among those answering is away; a partition with fewer in-sync replicas
/// than replicas is under-replicated, one without a leader offline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterHealth {
    pub brokers_up: Vec<i32>,
    pub brokers_away: Vec<i32>,
    pub under_replicated: usize,
    pub offline: usize,
    /// Topics with an under-replicated or offline partition, sorted, at most ten.
    pub topics_affected: Vec<String>,
}

impl ClusterHealth {
    fn of(md: &rdkafka::metadata::Metadata) -> Self {
        let mut up: Vec<i32> = md.brokers().iter().map(|b| b.id()).collect();
        up.sort_unstable();
        let mut named = std::collections::BTreeSet::new();
        let (mut under, mut offline) = (0, 0);
        let mut affected = std::collections::BTreeSet::new();
        for t in md.topics() {
            for p in t.partitions() {
                named.extend(p.replicas().iter().copied());
                let short = p.isr().len() < p.replicas().len();
                let leaderless = p.leader() < 0;
                under += usize::from(short);
                offline += usize::from(leaderless);
                if short || leaderless {
                    affected.insert(t.name().to_owned());
                }
            }
        }
        let away = named.into_iter().filter(|id| up.binary_search(id).is_err()).collect();
        ClusterHealth {
            brokers_up: up,
            brokers_away: away,
            under_replicated: under,
            offline,
            topics_affected: affected.into_iter().take(10).collect(),
        }
    }
}

pub async fn probe(profile: &KafkaProfile, timeout: Duration) -> ProbeOutcome {
    let started = Instant::now();
    let done = |ok: bool, detail: String, health: Option<ClusterHealth>| ProbeOutcome {
        ok,
        detail,
        latency_ms: started.elapsed().as_millis() as u64,
        health,
    };

    // The first bootstrap server that accepts a connection (one broker away is not the cluster
    // away); the reason of the first that does not, if none does.
    let bootstrap = profile.bootstrap_servers().to_owned();
    let servers: Vec<&str> = bootstrap.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if servers.is_empty() {
        return done(false, "no bootstrap.servers configured".into(), None);
    }
    let mut first_failure = None;
    let mut reached = None;
    for server in &servers {
        match connect(server, timeout).await {
            Ok(addr) => {
                reached = Some(addr);
                break;
            }
            Err(why) => {
                first_failure.get_or_insert(why);
            }
        }
    }
    let Some(addr) = reached else {
        return done(false, first_failure.map(|e| e.to_string()).unwrap_or_default(), None);
    };

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
                let said = format!(
                    "{} broker{}, {topics} topic{}",
                    md.brokers().len(),
                    if md.brokers().len() == 1 { "" } else { "s" },
                    if topics == 1 { "" } else { "s" }
                );
                Ok((said, ClusterHealth::of(&md)))
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
        Ok(Ok((detail, health))) => done(true, detail, Some(health)),
        Ok(Err(detail)) => done(false, detail, None),
        Err(e) => done(false, format!("probe failed: {e}"), None),
    }
}

/// Resolves and connects to one bootstrap server; its address, or why not.
async fn connect(server: &str, timeout: Duration) -> Result<std::net::SocketAddr, crate::KafkaError> {
    let unreachable = crate::KafkaError::Unreachable;
    let hostport = server.rsplit("://").next().unwrap_or(server).to_owned();
    let addrs = match tokio::time::timeout(timeout, tokio::net::lookup_host(hostport.clone())).await {
        Ok(Ok(a)) => a.collect::<Vec<_>>(),
        Ok(Err(e)) => return Err(unreachable(format!("cannot resolve {hostport}: {e}"))),
        Err(_) => return Err(unreachable(format!("resolving {hostport} timed out"))),
    };
    let Some(addr) = addrs.first().copied() else {
        return Err(unreachable(format!("{hostport} resolves to no address")));
    };
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(_)) => Ok(addr),
        Ok(Err(e)) => Err(unreachable(format!("cannot connect to {addr}: {e}"))),
        Err(_) => Err(unreachable(format!("connecting to {addr} timed out after {} ms", timeout.as_millis()))),
    }
}
