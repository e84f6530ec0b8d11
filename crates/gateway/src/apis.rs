//! What the gateway does with each request once the client is authenticated: which resources
//! it touches and which operation Kafka requires on each (Kafka's documentation, "Operations
//! and Resources on Protocols"), and how a refusal is answered. Requests wholly allowed go to
//! the broker untouched; requests partly allowed go without the refused topics or groups, and
//! the refusals are added to the broker's answer; requests wholly refused are answered here.
//! The ACL APIs are answered here from the gateway's own ACLs.

use std::sync::Arc;

use bytes::BytesMut;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::list_offsets_response::{ListOffsetsPartitionResponse, ListOffsetsTopicResponse};
use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Encodable, StrBytes};

use crate::Shared;
use crate::acl_apis;
use crate::authorizer::{self, Acl, CLUSTER, Operation as Op, ResourceType as Rt, Subject};
use crate::wire::Request;

mod admin;
mod groups;

pub const TOPIC_AUTHORIZATION_FAILED: i16 = 29;
pub const GROUP_AUTHORIZATION_FAILED: i16 = 30;
pub const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;
pub const INVALID_REQUEST: i16 = 42;
pub const TRANSACTIONAL_ID_AUTHORIZATION_FAILED: i16 = 53;

/// A change to the broker's answer before it goes back to the client.
pub type Fixup = Box<dyn FnOnce(&mut ResponseKind) + Send>;

pub enum Plan {
    /// Send the request as it came; the answer (if `fixup`, changed) goes back.
    Forward { fixup: Option<Fixup> },
    /// Send it; the broker does not answer (acks=0 produce).
    ForwardNoResponse,
    /// Send this frame instead (the refused parts removed) and complete the answer.
    Rewrite { frame: bytes::Bytes, fixup: Fixup },
    /// Answer here.
    Answer(ResponseKind),
    /// Close the connection (said why in the gateway's log).
    Close(String),
}

/// Who asks, with the ACLs as they were when the request arrived.
#[derive(Clone)]
pub struct Authz {
    pub principal: String,
    pub host: String,
    acls: Arc<Vec<Acl>>,
    super_user: bool,
}

impl Authz {
    pub fn new(shared: &Shared, principal: String, host: String) -> Self {
        let super_user = shared.super_users.contains(&principal);
        Self { principal, host, acls: shared.acls.snapshot(), super_user }
    }
    fn who(&self) -> Subject<'_> {
        Subject { principal: &self.principal, host: &self.host }
    }
    pub fn can(&self, op: Op, rt: Rt, name: &str) -> bool {
        self.super_user || authorizer::authorize(&self.acls, &[], self.who(), op, rt, name)
    }
    pub(crate) fn cluster(&self, op: Op) -> bool {
        self.can(op, Rt::Cluster, CLUSTER)
    }
}

pub(crate) fn s(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

/// The usual shape of a partly refused request: nothing refused → forward; everything →
/// answer `empty` completed by `add`; else forward `encode`d and complete the answer with `add`.
fn partial(
    req: &Request,
    refused: bool,
    nothing_left: bool,
    encode: impl FnOnce(&mut BytesMut) -> anyhow::Result<()>,
    empty: ResponseKind,
    add: impl FnOnce(&mut ResponseKind) + Send + 'static,
) -> anyhow::Result<Plan> {
    if !refused {
        return Ok(Plan::Forward { fixup: None });
    }
    if nothing_left {
        let mut r = empty;
        add(&mut r);
        return Ok(Plan::Answer(r));
    }
    Ok(Plan::Rewrite { frame: req.with_body(encode)?, fixup: Box::new(add) })
}

pub fn plan(req: &Request, who: &Authz, shared: &Shared) -> anyhow::Result<Plan> {
    let v = req.version;
    let mut body = req.body();
    let decoded = RequestKind::decode(req.api_key, &mut body, v)?;
    #[cfg(feature = "failpoints")]
    if who.super_user
        && let Some((topic, n)) = crate::held::held()
        && let Some(plan) = crate::held::plan(&decoded, &topic, n)
    {
        return Ok(plan);
    }
    if who.super_user
        && !matches!(decoded, RequestKind::CreateAcls(_) | RequestKind::DescribeAcls(_) | RequestKind::DeleteAcls(_))
    {
        return Ok(Plan::Forward { fixup: None });
    }
    match decoded {
        RequestKind::Metadata(mut m) => {
            let explicit = m.topics.is_some();
            let mut refused: Vec<TopicName> = Vec::new();
            if let Some(topics) = &mut m.topics {
                topics.retain(|t| match &t.name {
                    Some(n) if !who.can(Op::Describe, Rt::Topic, n) => {
                        refused.push(n.clone());
                        false
                    }
                    _ => true,
                });
            }
            let authz = who.clone();
            let any_refused = !refused.is_empty();
            let fixup: Fixup = Box::new(move |k| {
                if let ResponseKind::Metadata(r) = k {
                    // Topics asked for by id, or all topics: what may not be described is
                    // refused (asked for) or left out (all topics), as Kafka does.
                    if explicit {
                        for t in r.topics.iter_mut() {
                            if !t.name.as_ref().is_some_and(|n| authz.can(Op::Describe, Rt::Topic, n)) {
                                let name = t.name.take();
                                *t = MetadataResponseTopic::default();
                                t.error_code = TOPIC_AUTHORIZATION_FAILED;
                                t.name = name;
                            }
                        }
                    } else {
                        r.topics.retain(|t| t.name.as_ref().is_some_and(|n| authz.can(Op::Describe, Rt::Topic, n)));
                    }
                    for n in refused {
                        let mut t = MetadataResponseTopic::default();
                        t.error_code = TOPIC_AUTHORIZATION_FAILED;
                        t.name = Some(n);
                        r.topics.push(t);
                    }
                }
            });
            if any_refused {
                m.allow_auto_topic_creation = false;
                Ok(Plan::Rewrite { frame: req.with_body(|b| m.encode(b, v))?, fixup })
            } else {
                Ok(Plan::Forward { fixup: Some(fixup) })
            }
        }
        RequestKind::Produce(mut p) => {
            if let Some(tid) = &p.transactional_id
                && !who.can(Op::Write, Rt::TransactionalId, tid)
            {
                let mut r = ProduceResponse::default();
                for t in &p.topic_data {
                    r.responses.push(produce_refusal(
                        &t.name,
                        t.partition_data.iter().map(|p| p.index),
                        TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                    ));
                }
                return Ok(if p.acks == 0 {
                    Plan::Close("a refused acks=0 produce".into())
                } else {
                    Plan::Answer(ResponseKind::Produce(r))
                });
            }
            let mut refused = Vec::new();
            p.topic_data.retain(|t| {
                let ok = who.can(Op::Write, Rt::Topic, &t.name);
                if !ok {
                    refused.push(produce_refusal(
                        &t.name,
                        t.partition_data.iter().map(|p| p.index),
                        TOPIC_AUTHORIZATION_FAILED,
                    ));
                }
                ok
            });
            if p.acks == 0 {
                // Kafka closes the connection: the client cannot be told otherwise.
                return Ok(if refused.is_empty() {
                    Plan::ForwardNoResponse
                } else {
                    Plan::Close("a refused acks=0 produce".into())
                });
            }
            partial(
                req,
                !refused.is_empty(),
                p.topic_data.is_empty(),
                |b| p.encode(b, v),
                ResponseKind::Produce(Default::default()),
                move |k| {
                    if let ResponseKind::Produce(r) = k {
                        r.responses.extend(refused);
                    }
                },
            )
        }
        RequestKind::Fetch(mut f) => {
            if f.replica_id.0 >= 0 || f.replica_state.replica_id.0 >= 0 {
                return Ok(Plan::Close("a follower fetch from a principal that is not a broker".into()));
            }
            let mut refused = Vec::new();
            f.topics.retain(|t| {
                let ok = who.can(Op::Read, Rt::Topic, &t.topic);
                if !ok {
                    let mut r = FetchableTopicResponse::default();
                    r.topic = t.topic.clone();
                    r.partitions = t
                        .partitions
                        .iter()
                        .map(|p| {
                            let mut d = PartitionData::default();
                            d.partition_index = p.partition;
                            d.error_code = TOPIC_AUTHORIZATION_FAILED;
                            d.high_watermark = -1;
                            d
                        })
                        .collect();
                    refused.push(r);
                }
                ok
            });
            partial(
                req,
                !refused.is_empty(),
                f.topics.is_empty(),
                |b| f.encode(b, v),
                ResponseKind::Fetch(Default::default()),
                move |k| {
                    if let ResponseKind::Fetch(r) = k {
                        r.responses.extend(refused);
                    }
                },
            )
        }
        RequestKind::ListOffsets(mut l) => {
            let mut refused = Vec::new();
            l.topics.retain(|t| {
                let ok = who.can(Op::Describe, Rt::Topic, &t.name);
                if !ok {
                    let mut r = ListOffsetsTopicResponse::default();
                    r.name = t.name.clone();
                    r.partitions = t
                        .partitions
                        .iter()
                        .map(|p| {
                            let mut x = ListOffsetsPartitionResponse::default();
                            x.partition_index = p.partition_index;
                            x.error_code = TOPIC_AUTHORIZATION_FAILED;
                            x
                        })
                        .collect();
                    refused.push(r);
                }
                ok
            });
            partial(
                req,
                !refused.is_empty(),
                l.topics.is_empty(),
                |b| l.encode(b, v),
                ResponseKind::ListOffsets(Default::default()),
                move |k| {
                    if let ResponseKind::ListOffsets(r) = k {
                        r.topics.extend(refused);
                    }
                },
            )
        }
        RequestKind::OffsetCommit(c) => groups::offset_commit(req, who, c),
        RequestKind::OffsetFetch(f) => groups::offset_fetch(req, who, f),
        RequestKind::FindCoordinator(f) => groups::find_coordinator(req, who, f),
        RequestKind::JoinGroup(j) => Ok(group_gate(who, &j.group_id, || {
            let mut r = JoinGroupResponse::default();
            r.error_code = GROUP_AUTHORIZATION_FAILED;
            r.generation_id = -1;
            ResponseKind::JoinGroup(r)
        })),
        RequestKind::SyncGroup(g) => Ok(group_gate(who, &g.group_id, || {
            let mut r = SyncGroupResponse::default();
            r.error_code = GROUP_AUTHORIZATION_FAILED;
            ResponseKind::SyncGroup(r)
        })),
        RequestKind::Heartbeat(h) => Ok(group_gate(who, &h.group_id, || {
            let mut r = HeartbeatResponse::default();
            r.error_code = GROUP_AUTHORIZATION_FAILED;
            ResponseKind::Heartbeat(r)
        })),
        RequestKind::LeaveGroup(l) => Ok(group_gate(who, &l.group_id, || {
            let mut r = LeaveGroupResponse::default();
            r.error_code = GROUP_AUTHORIZATION_FAILED;
            ResponseKind::LeaveGroup(r)
        })),
        RequestKind::DescribeGroups(d) => groups::describe_groups(req, who, d),
        RequestKind::ListGroups(_) if !who.cluster(Op::Describe) => {
            let authz = who.clone();
            Ok(Plan::Forward {
                fixup: Some(Box::new(move |k| {
                    if let ResponseKind::ListGroups(r) = k {
                        r.groups.retain(|g| authz.can(Op::Describe, Rt::Group, &g.group_id));
                    }
                })),
            })
        }
        RequestKind::ListGroups(_) => Ok(Plan::Forward { fixup: None }),
        RequestKind::DeleteGroups(d) => {
            Ok(all_or_close(d.groups_names.iter().all(|g| who.can(Op::Delete, Rt::Group, g)), "DeleteGroups"))
        }
        RequestKind::CreateTopics(c) => admin::create_topics(req, who, c),
        RequestKind::DeleteTopics(d) => admin::delete_topics(req, who, d),
        RequestKind::DescribeConfigs(d) => admin::describe_configs(req, who, d),
        RequestKind::IncrementalAlterConfigs(a) => Ok(all_or_close(
            a.resources.iter().all(|r| match r.resource_type {
                2 => who.can(Op::AlterConfigs, Rt::Topic, &r.resource_name),
                _ => who.cluster(Op::AlterConfigs),
            }),
            "IncrementalAlterConfigs",
        )),
        RequestKind::AlterConfigs(a) => Ok(all_or_close(
            a.resources.iter().all(|r| match r.resource_type {
                2 => who.can(Op::AlterConfigs, Rt::Topic, &r.resource_name),
                _ => who.cluster(Op::AlterConfigs),
            }),
            "AlterConfigs",
        )),
        RequestKind::CreatePartitions(c) => {
            Ok(all_or_close(c.topics.iter().all(|t| who.can(Op::Alter, Rt::Topic, &t.name)), "CreatePartitions"))
        }
        RequestKind::InitProducerId(i) => {
            let (ok, code) = match &i.transactional_id {
                Some(t) => (who.can(Op::Write, Rt::TransactionalId, t), TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
                None => (
                    who.cluster(Op::IdempotentWrite)
                        || authorizer::authorize_any(&who.acls, &[], who.who(), Op::Write, Rt::Topic),
                    CLUSTER_AUTHORIZATION_FAILED,
                ),
            };
            if ok {
                return Ok(Plan::Forward { fixup: None });
            }
            let mut r = InitProducerIdResponse::default();
            r.error_code = code;
            r.producer_id = ProducerId(-1);
            r.producer_epoch = -1;
            Ok(Plan::Answer(ResponseKind::InitProducerId(r)))
        }
        RequestKind::DescribeCluster(_) if who.cluster(Op::Describe) => Ok(Plan::Forward { fixup: None }),
        RequestKind::DescribeCluster(_) => {
            let mut r = DescribeClusterResponse::default();
            r.error_code = CLUSTER_AUTHORIZATION_FAILED;
            r.error_message = Some(s("not authorized to describe the cluster"));
            Ok(Plan::Answer(ResponseKind::DescribeCluster(r)))
        }
        RequestKind::CreateAcls(c) => Ok(Plan::Answer(ResponseKind::CreateAcls(acl_apis::create_acls(who, shared, c)))),
        RequestKind::DescribeAcls(d) => {
            Ok(Plan::Answer(ResponseKind::DescribeAcls(acl_apis::describe_acls(who, shared, d))))
        }
        RequestKind::DeleteAcls(d) => Ok(Plan::Answer(ResponseKind::DeleteAcls(acl_apis::delete_acls(who, shared, d)))),
        other => Ok(Plan::Close(format!(
            "{:?} is served to super users only by the sandbox gateway",
            std::mem::discriminant(&other)
        ))),
    }
}

fn produce_refusal(name: &TopicName, partitions: impl Iterator<Item = i32>, code: i16) -> TopicProduceResponse {
    let mut t = TopicProduceResponse::default();
    t.name = name.clone();
    t.partition_responses = partitions
        .map(|i| {
            let mut p = PartitionProduceResponse::default();
            p.index = i;
            p.error_code = code;
            p.base_offset = -1;
            p
        })
        .collect();
    t
}

fn group_gate(who: &Authz, group: &GroupId, refusal: impl FnOnce() -> ResponseKind) -> Plan {
    if who.can(Op::Read, Rt::Group, group) { Plan::Forward { fixup: None } } else { Plan::Answer(refusal()) }
}

fn all_or_close(ok: bool, api: &str) -> Plan {
    if ok {
        Plan::Forward { fixup: None }
    } else {
        Plan::Close(format!(
            "{api} with a resource the principal may not change (answered by closing, in this gateway)"
        ))
    }
}

/// The versions the gateway serves: what the broker offers, within what this gateway can read,
/// capped where newer versions name topics by id only (the gateway authorizes by name).
pub fn version_cap(key: ApiKey) -> Option<(i16, i16)> {
    use ApiKey::*;
    let range = key.valid_versions();
    let cap = match key {
        Produce | Fetch | Metadata => 12,
        OffsetCommit => 9,
        OffsetFetch => 7,
        FindCoordinator => 3,
        DeleteTopics => 5,
        // Transactions: super users only (others are disconnected); v4+ is broker-to-broker.
        AddPartitionsToTxn => 3,
        AddOffsetsToTxn | EndTxn | TxnOffsetCommit => range.max,
        ListOffsets
        | JoinGroup
        | Heartbeat
        | LeaveGroup
        | SyncGroup
        | DescribeGroups
        | ListGroups
        | SaslHandshake
        | ApiVersions
        | CreateTopics
        | InitProducerId
        | DescribeAcls
        | CreateAcls
        | DeleteAcls
        | DescribeConfigs
        | AlterConfigs
        | SaslAuthenticate
        | CreatePartitions
        | DeleteGroups
        | IncrementalAlterConfigs
        | DescribeCluster => range.max,
        _ => return None,
    };
    Some((range.min, range.max.min(cap)))
}
