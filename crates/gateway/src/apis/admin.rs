//! Topic administration: creating and deleting topics, describing their configs.

use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::describe_configs_response::DescribeConfigsResult;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::Encodable;

use super::*;

pub(super) fn create_topics(req: &Request, who: &Authz, mut c: CreateTopicsRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    if who.cluster(Op::Create) {
        return Ok(Plan::Forward { fixup: None });
    }
    let mut refused = Vec::new();
    c.topics.retain(|t| {
        let ok = who.can(Op::Create, Rt::Topic, &t.name);
        if !ok {
            let mut x = CreatableTopicResult::default();
            x.name = t.name.clone();
            x.error_code = TOPIC_AUTHORIZATION_FAILED;
            if v >= 1 {
                x.error_message = Some(s("not authorized to create this topic"));
            }
            refused.push(x);
        }
        ok
    });
    partial(
        req,
        !refused.is_empty(),
        c.topics.is_empty(),
        |b| c.encode(b, v),
        ResponseKind::CreateTopics(Default::default()),
        move |k| {
            if let ResponseKind::CreateTopics(r) = k {
                r.topics.extend(refused);
            }
        },
    )
}

pub(super) fn delete_topics(req: &Request, who: &Authz, mut d: DeleteTopicsRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    let mut refused = Vec::new();
    d.topic_names.retain(|t| {
        let ok = who.can(Op::Delete, Rt::Topic, t);
        if !ok {
            let mut x = DeletableTopicResult::default();
            x.name = Some(t.clone());
            x.error_code = TOPIC_AUTHORIZATION_FAILED;
            refused.push(x);
        }
        ok
    });
    partial(
        req,
        !refused.is_empty(),
        d.topic_names.is_empty(),
        |b| d.encode(b, v),
        ResponseKind::DeleteTopics(Default::default()),
        move |k| {
            if let ResponseKind::DeleteTopics(r) = k {
                r.responses.extend(refused);
            }
        },
    )
}

pub(super) fn describe_configs(req: &Request, who: &Authz, mut d: DescribeConfigsRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    let mut refused = Vec::new();
    d.resources.retain(|res| {
        let (ok, code) = match res.resource_type {
            2 => (who.can(Op::DescribeConfigs, Rt::Topic, &res.resource_name), TOPIC_AUTHORIZATION_FAILED),
            _ => (who.cluster(Op::DescribeConfigs), CLUSTER_AUTHORIZATION_FAILED),
        };
        if !ok {
            let mut x = DescribeConfigsResult::default();
            x.error_code = code;
            x.error_message = Some(s("not authorized to describe these configs"));
            x.resource_type = res.resource_type;
            x.resource_name = res.resource_name.clone();
            refused.push(x);
        }
        ok
    });
    partial(
        req,
        !refused.is_empty(),
        d.resources.is_empty(),
        |b| d.encode(b, v),
        ResponseKind::DescribeConfigs(Default::default()),
        move |k| {
            if let ResponseKind::DescribeConfigs(r) = k {
                r.results.extend(refused);
            }
        },
    )
}
