use meshdesk_kafka::{
    AclBinding, AclFilter, AclOperation, AclOutcome, AclPermission, Admin, ConfigChange, PatternType, ResourceType,
    TopicOutcome, TopicSpec,
};
use meshdesk_tests::{sandbox, unique};

fn spec(name: &str) -> TopicSpec {
    TopicSpec { name: name.to_owned(), partitions: 3, replication_factor: 1, configs: vec![] }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_and_topic_administration_reports_per_item_outcomes() {
    // Verifies against the real broker: describe cluster, per-topic create outcomes in a mixed batch, describe topic with partitions and config sources, IncrementalAlterConfigs changing only the named entries, and per-topic delete outcomes.
    let t = sandbox(false).await;
    let admin = Admin::new(&t.sandbox.kafka_profile()).unwrap();

    let cluster = admin.describe_cluster().await.unwrap();
    assert_eq!(cluster.brokers.len(), 1, "{cluster:?}");
    assert_eq!(cluster.brokers[0].host, "127.0.0.1");
    assert_eq!(cluster.brokers[0].port.to_string(), t.sandbox.bootstrap_servers().rsplit(':').next().unwrap());
    assert!(!cluster.cluster_id.is_empty());

    let (a, b) = (unique("it.admin-a"), unique("it.admin-b"));
    admin.create_topics(&[spec(&a)]).await.unwrap();
    let mut bad = spec("it.bad");
    bad.partitions = 0;
    let outcomes = admin.create_topics(&[spec(&a), spec(&b), bad]).await.unwrap();
    assert_eq!(outcomes[0], (a.clone(), TopicOutcome::AlreadyExists));
    assert_eq!(outcomes[1], (b.clone(), TopicOutcome::Created));
    assert!(matches!(&outcomes[2], (n, TopicOutcome::Failed { .. }) if n == "it.bad"), "{outcomes:?}");

    let d = admin.describe_topic(&a).await.unwrap();
    assert_eq!(d.partitions.iter().map(|p| p.id).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(d.partitions.iter().all(|p| p.replicas == [cluster.brokers[0].id] && p.high == 0));

    admin.alter_topic_configs(&a, &[ConfigChange::Set("retention.ms".into(), "123456".into())]).await.unwrap();
    admin.alter_topic_configs(&a, &[ConfigChange::Set("max.message.bytes".into(), "200000".into())]).await.unwrap();
    let configs = admin.describe_topic(&a).await.unwrap().configs;
    let get = |n: &str| configs.iter().find(|c| c.name == n).cloned().unwrap_or_else(|| panic!("{n} in {configs:?}"));
    assert_eq!(get("retention.ms").value.as_deref(), Some("123456"), "the first change was kept");
    assert_eq!(get("max.message.bytes").value.as_deref(), Some("200000"));
    assert!(!get("retention.ms").is_default);

    let deleted = admin.delete_topics(&[&b, "it.never-created-topic"]).await.unwrap();
    assert!(deleted[0].0 == b && deleted[0].1.is_ok(), "{deleted:?}");
    assert!(deleted[1].1.is_err(), "{deleted:?}");
    let names: Vec<String> = admin.list_topics(false).await.unwrap().into_iter().map(|t| t.name).collect();
    assert!(names.contains(&a) && !names.contains(&b), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acl_calls_round_trip_through_kafkas_authorizer() {
    // Verifies the native ACL wrappers against the sandbox's Apache Kafka (StandardAuthorizer): create with a per-item failure in the batch, describe by principal, a non-super user refused per item with the authorization reason, delete by exact filter returning what it removed, and a second delete matching nothing.
    let t = sandbox(false).await;
    let admin = Admin::new(&t.sandbox.kafka_profile()).unwrap();
    let read = AclBinding {
        resource: ResourceType::Topic,
        name: "inventory.stock-level-updated".into(),
        pattern: PatternType::Literal,
        principal: "User:sales-app".into(),
        host: "*".into(),
        operation: AclOperation::Read,
        permission: AclPermission::Allow,
    };
    let group = AclBinding {
        resource: ResourceType::Group,
        name: "sales.".into(),
        pattern: PatternType::Prefixed,
        operation: AclOperation::Read,
        ..read.clone()
    };
    let no_type = AclBinding { principal: "sales-app".into(), ..read.clone() };
    let created = admin.create_acls(&[read.clone(), no_type, group.clone()]).await.unwrap();
    assert_eq!(created.len(), 3);
    assert_eq!(created[0], AclOutcome::Done(()));
    assert!(
        matches!(&created[1], AclOutcome::Failed(m) if m.contains("Could not parse principal")),
        "{:?}",
        created[1]
    );
    assert_eq!(created[2], AclOutcome::Done(()));

    let mine = AclFilter { principal: Some("User:sales-app".into()), ..Default::default() };
    let AclOutcome::Done(mut described) = admin.describe_acls(&mine).await.unwrap() else { panic!("described") };
    described.sort();
    let mut expected = vec![read.clone(), group.clone()];
    expected.sort();
    assert_eq!(described, expected);

    // A principal that is not a super user may not change ACLs.
    let pw = t
        .sandbox
        .create_principal(&meshdesk_domain::Principal::parse("User:sales-app").unwrap())
        .await
        .unwrap()
        .unwrap();
    let sales = Admin::new(&t.sandbox.kafka_profile_as("sales-app", &pw)).unwrap();
    let refused = sales.create_acls(std::slice::from_ref(&read)).await.unwrap();
    assert!(matches!(&refused[0], AclOutcome::Failed(m) if m.to_lowercase().contains("authoriz")), "{refused:?}");

    let deleted = admin.delete_acls(&[AclFilter::exact(&read)]).await.unwrap();
    assert_eq!(deleted, vec![AclOutcome::Done(vec![read.clone()])]);
    let again = admin.delete_acls(&[AclFilter::exact(&read)]).await.unwrap();
    assert_eq!(again, vec![AclOutcome::Done(vec![])]);
    assert_eq!(admin.describe_acls(&mine).await.unwrap(), AclOutcome::Done(vec![group.clone()]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_native_arguments_are_refused_before_reaching_the_broker() {
    // Verifies the native wrappers validate their input: a NUL byte in a name is a configuration error, not undefined behaviour.
    let t = sandbox(false).await;
    let admin = Admin::new(&t.sandbox.kafka_profile()).unwrap();
    let bad = AclBinding {
        resource: ResourceType::Topic,
        name: "bad\0name".into(),
        pattern: PatternType::Literal,
        principal: "User:x".into(),
        host: "*".into(),
        operation: AclOperation::Read,
        permission: AclPermission::Allow,
    };
    let err = admin.create_acls(&[bad]).await.unwrap_err().to_string();
    assert!(err.contains("NUL"), "{err}");
    let err = admin.alter_topic_configs("t", &[ConfigChange::Set("a\0b".into(), "1".into())]).await.unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
}
