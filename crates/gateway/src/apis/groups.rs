//! Consumer groups' requests: offsets committed and fetched, coordinators, group descriptions.
//! A refused group answers GROUP_AUTHORIZATION_FAILED; refused topics inside an allowed group's
//! request are answered TOPIC_AUTHORIZATION_FAILED next to the broker's answer for the rest.

use kafka_protocol::messages::describe_groups_response::DescribedGroup;
use kafka_protocol::messages::offset_commit_response::{OffsetCommitResponsePartition, OffsetCommitResponseTopic};
use kafka_protocol::messages::offset_fetch_response::{OffsetFetchResponsePartition, OffsetFetchResponseTopic};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::Encodable;

use super::*;

pub(super) fn offset_commit(req: &Request, who: &Authz, mut c: OffsetCommitRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    let commit_refusal = |t: &offset_commit_request::OffsetCommitRequestTopic, code: i16| {
        let mut r = OffsetCommitResponseTopic::default();
        r.name = t.name.clone();
        r.partitions = t
            .partitions
            .iter()
            .map(|p| {
                let mut x = OffsetCommitResponsePartition::default();
                x.partition_index = p.partition_index;
                x.error_code = code;
                x
            })
            .collect();
        r
    };
    if !who.can(Op::Read, Rt::Group, &c.group_id) {
        let mut r = OffsetCommitResponse::default();
        r.topics = c.topics.iter().map(|t| commit_refusal(t, GROUP_AUTHORIZATION_FAILED)).collect();
        return Ok(Plan::Answer(ResponseKind::OffsetCommit(r)));
    }
    let mut refused = Vec::new();
    c.topics.retain(|t| {
        let ok = who.can(Op::Read, Rt::Topic, &t.name);
        if !ok {
            refused.push(commit_refusal(t, TOPIC_AUTHORIZATION_FAILED));
        }
        ok
    });
    partial(
        req,
        !refused.is_empty(),
        c.topics.is_empty(),
        |b| c.encode(b, v),
        ResponseKind::OffsetCommit(Default::default()),
        move |k| {
            if let ResponseKind::OffsetCommit(r) = k {
                r.topics.extend(refused);
            }
        },
    )
}

pub(super) fn offset_fetch(req: &Request, who: &Authz, mut f: OffsetFetchRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    let fetch_refusal = |name: &TopicName, parts: &[i32], code: i16| {
        let mut r = OffsetFetchResponseTopic::default();
        r.name = name.clone();
        r.partitions = parts
            .iter()
            .map(|p| {
                let mut x = OffsetFetchResponsePartition::default();
                x.partition_index = *p;
                x.committed_offset = -1;
                x.error_code = code;
                x
            })
            .collect();
        r
    };
    if !who.can(Op::Describe, Rt::Group, &f.group_id) {
        let mut r = OffsetFetchResponse::default();
        if v >= 2 {
            r.error_code = GROUP_AUTHORIZATION_FAILED;
        } else {
            for t in f.topics.iter().flatten() {
                r.topics.push(fetch_refusal(&t.name, &t.partition_indexes, GROUP_AUTHORIZATION_FAILED));
            }
        }
        return Ok(Plan::Answer(ResponseKind::OffsetFetch(r)));
    }
    match &mut f.topics {
        None => {
            let authz = who.clone();
            Ok(Plan::Forward {
                fixup: Some(Box::new(move |k| {
                    if let ResponseKind::OffsetFetch(r) = k {
                        r.topics.retain(|t| authz.can(Op::Describe, Rt::Topic, &t.name));
                    }
                })),
            })
        }
        Some(topics) => {
            let mut refused = Vec::new();
            topics.retain(|t| {
                let ok = who.can(Op::Describe, Rt::Topic, &t.name);
                if !ok {
                    refused.push(fetch_refusal(&t.name, &t.partition_indexes, TOPIC_AUTHORIZATION_FAILED));
                }
                ok
            });
            let empty = topics.is_empty();
            partial(
                req,
                !refused.is_empty(),
                empty,
                |b| f.encode(b, v),
                ResponseKind::OffsetFetch(Default::default()),
                move |k| {
                    if let ResponseKind::OffsetFetch(r) = k {
                        r.topics.extend(refused);
                    }
                },
            )
        }
    }
}

pub(super) fn find_coordinator(req: &Request, who: &Authz, f: FindCoordinatorRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    let (ok, code) = match f.key_type {
        1 => (who.can(Op::Describe, Rt::TransactionalId, &f.key), TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
        _ => (who.can(Op::Describe, Rt::Group, &f.key), GROUP_AUTHORIZATION_FAILED),
    };
    if ok {
        return Ok(Plan::Forward { fixup: None });
    }
    let mut r = FindCoordinatorResponse::default();
    r.error_code = code;
    r.node_id = BrokerId(-1);
    r.port = -1;
    if v >= 1 {
        r.error_message = Some(s("not authorized for this group"));
    }
    Ok(Plan::Answer(ResponseKind::FindCoordinator(r)))
}

pub(super) fn describe_groups(req: &Request, who: &Authz, mut d: DescribeGroupsRequest) -> anyhow::Result<Plan> {
    let v = req.version;
    let mut refused = Vec::new();
    d.groups.retain(|g| {
        let ok = who.can(Op::Describe, Rt::Group, g);
        if !ok {
            let mut x = DescribedGroup::default();
            x.group_id = g.clone();
            x.error_code = GROUP_AUTHORIZATION_FAILED;
            refused.push(x);
        }
        ok
    });
    partial(
        req,
        !refused.is_empty(),
        d.groups.is_empty(),
        |b| d.encode(b, v),
        ResponseKind::DescribeGroups(Default::default()),
        move |k| {
            if let ResponseKind::DescribeGroups(r) = k {
                r.groups.extend(refused);
            }
        },
    )
}
