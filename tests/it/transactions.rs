//! Transactions on Apache Kafka: a stock transactional producer (`tests/clients/transaction.py`,
//! confluent-kafka with a `transactional.id`) holds a transaction open on the governance log and
//! on a product topic, as a principal holding only WRITE on the topics and on its transactional
//! id, while Meshdesk's readers (`read_committed`) look.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use meshdesk_domain::{Domain, DomainId, Envelope, EventBody, Principal};
use meshdesk_kafka::{AclBinding, AclOperation, AclPermission, Admin, PatternType, Producer, ResourceType, TopicSpec};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{client_json, env_file, repo_root, sandbox, unique};

/// The transactional producer, one command at a time.
struct Transactional {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    dir: tempfile::TempDir,
}

impl Transactional {
    fn start(cluster: &str, transactional_id: &str) -> Self {
        let python = std::env::var("MESHDESK_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(python)
            .arg(repo_root().join("tests/clients/transaction.py"))
            .args([cluster, transactional_id])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python runs (scripts/setup.sh installs confluent-kafka)");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self { child, stdin, stdout, dir: tempfile::tempdir().unwrap() }
    }

    fn ask(&mut self, command: &str) -> String {
        // A producer refused at its start has answered already and gone: its answer is read.
        let _ = writeln!(self.stdin, "{command}");
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim().to_owned()
    }

    fn expect(&mut self, command: &str, answer: &str) {
        assert_eq!(self.ask(command), answer, "{command}");
    }

    fn send(&mut self, topic: &str, key: &str, value: &[u8]) {
        let path = self.dir.path().join(unique("value"));
        std::fs::write(&path, value).unwrap();
        self.expect(&format!("send {topic} {key} {}", path.display()), "sent");
    }
}

impl Drop for Transactional {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.child.wait();
    }
}

fn allow(principal: &str, resource: ResourceType, name: &str, operation: AclOperation) -> AclBinding {
    AclBinding {
        resource,
        name: name.into(),
        pattern: PatternType::Literal,
        principal: principal.into(),
        host: "*".into(),
        operation,
        permission: AclPermission::Allow,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_stop_at_the_last_stable_offset_of_an_open_transaction() {
    // Verifies on Apache Kafka with a real transactional producer (a principal holding only WRITE on the topics and on its transactional id): while two governance events sit in an open transaction, a sync applies exactly the three committed ones and returns at once rather than waiting; sampling a product topic returns only its committed records; after the commit both see the rest (the commit marker is stepped over, a second sync applies nothing); an aborted transaction's events are never applied; another principal may not use that transactional id.
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_file(dir.path(), "txn", &t.sandbox);
    let log = format!("_meshdesk.governance-{}", unique("txn"));
    let text = std::fs::read_to_string(&env).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    std::fs::write(&env, format!("{first}\ngovernance_topic = \"{log}\"\n{rest}")).unwrap();
    let md = Meshdesk::open(&dir.path().join("data"), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    assert_eq!(md.sync().await.unwrap().applied, 0, "the new log is created empty");
    let topic = format!("inventory.{}", unique("txn-topic"));
    let spec = TopicSpec { name: topic.clone(), partitions: 1, replication_factor: 1, configs: vec![] };
    let admin = Admin::new(&t.sandbox.kafka_profile()).unwrap();
    admin.create_topics(&[spec]).await.unwrap();

    // The writer: WRITE on both topics and on its transactional id, nothing else.
    let writer = Principal::parse("User:txn-writer").unwrap();
    let pw = t.sandbox.create_principal(&writer).await.unwrap().unwrap();
    let tid = unique("txn-id");
    let acls = [
        allow(writer.as_str(), ResourceType::Topic, &log, AclOperation::Write),
        allow(writer.as_str(), ResourceType::Topic, &topic, AclOperation::Write),
        allow(writer.as_str(), ResourceType::TransactionalId, &tid, AclOperation::Write),
    ];
    admin.create_acls(&acls).await.unwrap();
    let cluster = client_json(&t.sandbox.kafka_profile_as("txn-writer", &pw));

    let signer = t.sandbox.signer(&Principal::parse(meshdesk_domain::seed::SEED_ACTOR).unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let event = |name: &str| {
        let d = Domain {
            id: DomainId::parse(name).unwrap(),
            name: format!("Domain {name}"),
            description: "Written for the transaction test.".into(),
            owners: vec![Principal::parse("User:gen").unwrap()],
            contact: "gen@example".into(),
        };
        let mut e =
            Envelope::new(unique("txn-event"), meshdesk_domain::seed::SEED_ACTOR, now, &EventBody::DomainRegistered(d));
        signer.sign_for(&mut e, &t.sandbox.environment());
        e
    };
    // Three committed events (plain writes), then two inside an open transaction.
    let producer = Producer::new(&t.sandbox.kafka_profile()).unwrap();
    for i in 0..3 {
        let e = event(&format!("txn-{i}"));
        producer.send(&log, Some(e.id.as_bytes()), &e.to_bytes()).await.unwrap();
    }
    let mut tx = Transactional::start(&cluster, &tid);
    tx.expect("begin", "begun");
    for i in 3..5 {
        let e = event(&format!("txn-{i}"));
        tx.send(&log, &e.id, &e.to_bytes());
    }
    for i in 0..2 {
        tx.send(&topic, &format!("k{i}"), format!("{{\"n\": {i}}}").as_bytes());
    }
    tx.expect("flush", "flushed");
    let r = tokio::time::timeout(Duration::from_secs(30), md.sync()).await.expect("sync returns").unwrap();
    assert_eq!((r.applied, r.next_offset), (3, 3), "only the committed events");
    // The product topic: three committed records after the two held ones.
    for i in 2..5 {
        producer.send(&topic, Some(format!("k{i}").as_bytes()), format!("{{\"n\": {i}}}").as_bytes()).await.unwrap();
    }
    let sampled = tokio::time::timeout(Duration::from_secs(30), md.sample_topic(&topic, 10))
        .await
        .expect("sampling returns")
        .unwrap();
    assert!(sampled.is_empty(), "nothing past the open transaction's first record: {sampled:?}");

    tx.expect("commit", "committed");
    let r = md.sync().await.unwrap();
    assert_eq!(r.applied, 2, "the committed transaction's events");
    let again = md.sync().await.unwrap();
    assert_eq!((again.applied, again.next_offset), (0, r.next_offset), "the commit marker is stepped over");
    assert_eq!(md.sample_topic(&topic, 10).await.unwrap().len(), 5, "every committed record");

    // An aborted transaction's events never apply.
    tx.expect("begin", "begun");
    let aborted = event("txn-aborted");
    tx.send(&log, &aborted.id, &aborted.to_bytes());
    tx.expect("flush", "flushed");
    tx.expect("abort", "aborted");
    let after = producer.send(&log, None, &event("txn-after").to_bytes()).await;
    after.unwrap();
    let r = md.sync().await.unwrap();
    assert_eq!(r.applied, 1, "the event after the aborted transaction, not the aborted one");
    let audit = md.store().events(&log).await.unwrap();
    assert!(audit.iter().all(|e| e.id != aborted.id), "the aborted event is not even in the audit");
    let domains: Vec<String> = md.list_domains().await.unwrap().into_iter().map(|d| d.id.to_string()).collect();
    assert!(!domains.contains(&"txn-aborted".to_owned()) && domains.contains(&"txn-after".to_owned()), "{domains:?}");

    // Another principal may not take the writer's transactional id.
    let other = Principal::parse("User:txn-other").unwrap();
    let other_pw = t.sandbox.create_principal(&other).await.unwrap().unwrap();
    let mut stranger = Transactional::start(&client_json(&t.sandbox.kafka_profile_as("txn-other", &other_pw)), &tid);
    let refused = stranger.ask("begin");
    assert!(refused.starts_with("error TRANSACTIONAL_ID_AUTHORIZATION_FAILED"), "{refused}");
    md.shutdown().await;
}
