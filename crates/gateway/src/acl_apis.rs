//! The ACL APIs, answered by the gateway from its own ACLs: CreateAcls and DeleteAcls need
//! ALTER on the cluster, DescribeAcls DESCRIBE; each item gets its own error.

use kafka_protocol::messages::create_acls_response::AclCreationResult;
use kafka_protocol::messages::delete_acls_response::{DeleteAclsFilterResult, DeleteAclsMatchingAcl};
use kafka_protocol::messages::describe_acls_response::{AclDescription, DescribeAclsResource};
use kafka_protocol::messages::{
    CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest,
    DescribeAclsResponse,
};
use kafka_protocol::protocol::StrBytes;

use crate::Shared;
use crate::apis::{Authz, CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST, s};
use crate::authorizer::{Acl, AclFilter, Operation as Op, PatternFilter, PatternType, Permission, ResourceType as Rt};

fn acl_from_wire(
    rt: i8,
    name: &str,
    pattern: i8,
    principal: &str,
    host: &str,
    op: i8,
    perm: i8,
) -> Result<Acl, String> {
    Ok(Acl {
        resource_type: Rt::from_code(rt).ok_or_else(|| format!("resource type {rt} cannot be bound"))?,
        resource_name: name.to_owned(),
        pattern: PatternType::from_code(pattern).ok_or_else(|| format!("pattern type {pattern} cannot be bound"))?,
        principal: principal.to_owned(),
        host: host.to_owned(),
        operation: Op::from_code(op).ok_or_else(|| format!("operation {op} cannot be bound"))?,
        permission: Permission::from_code(perm).ok_or_else(|| format!("permission {perm} cannot be bound"))?,
    })
}

pub(crate) fn create_acls(who: &Authz, shared: &Shared, c: CreateAclsRequest) -> CreateAclsResponse {
    let mut r = CreateAclsResponse::default();
    let results: Vec<(i16, Option<String>)> = if !who.cluster(Op::Alter) {
        c.creations
            .iter()
            .map(|_| (CLUSTER_AUTHORIZATION_FAILED, Some("ALTER on the cluster is needed".into())))
            .collect()
    } else {
        let items = c
            .creations
            .iter()
            .map(|a| {
                acl_from_wire(
                    a.resource_type,
                    &a.resource_name,
                    a.resource_pattern_type,
                    &a.principal,
                    &a.host,
                    a.operation,
                    a.permission_type,
                )
            })
            .collect();
        shared
            .acls
            .create(items)
            .into_iter()
            .map(|r| r.map_or_else(|e| (INVALID_REQUEST, Some(e)), |_| (0, None)))
            .collect()
    };
    r.results = results
        .into_iter()
        .map(|(code, msg)| {
            let mut x = AclCreationResult::default();
            x.error_code = code;
            x.error_message = msg.map(StrBytes::from_string);
            x
        })
        .collect();
    r
}

fn filter_from_wire(
    rt: i8,
    name: Option<&StrBytes>,
    pattern: i8,
    principal: Option<&StrBytes>,
    host: Option<&StrBytes>,
    op: i8,
    perm: i8,
) -> Result<AclFilter, String> {
    Ok(AclFilter {
        resource_type: match rt {
            1 => None,
            c => Some(Rt::from_code(c).ok_or_else(|| format!("resource type {c} is not a filter"))?),
        },
        resource_name: name.map(|n| n.to_string()),
        pattern: match pattern {
            1 => PatternFilter::Any,
            2 => PatternFilter::Match,
            c => PatternFilter::Exactly(
                PatternType::from_code(c).ok_or_else(|| format!("pattern type {c} is not a filter"))?,
            ),
        },
        principal: principal.map(|p| p.to_string()),
        host: host.map(|h| h.to_string()),
        operation: match op {
            1 => None,
            c => Some(Op::from_code(c).ok_or_else(|| format!("operation {c} is not a filter"))?),
        },
        permission: match perm {
            1 => None,
            c => Some(Permission::from_code(c).ok_or_else(|| format!("permission {c} is not a filter"))?),
        },
    })
}

/// [`filter_from_wire`] on a DescribeAcls request or a DeleteAcls filter: two generated types
/// with the same seven fields and no common trait.
macro_rules! wire_filter {
    ($f:expr) => {
        filter_from_wire(
            $f.resource_type_filter,
            $f.resource_name_filter.as_ref(),
            $f.pattern_type_filter,
            $f.principal_filter.as_ref(),
            $f.host_filter.as_ref(),
            $f.operation,
            $f.permission_type,
        )
    };
}

pub(crate) fn describe_acls(who: &Authz, shared: &Shared, d: DescribeAclsRequest) -> DescribeAclsResponse {
    let mut r = DescribeAclsResponse::default();
    if !who.cluster(Op::Describe) {
        r.error_code = CLUSTER_AUTHORIZATION_FAILED;
        r.error_message = Some(s("DESCRIBE on the cluster is needed"));
        return r;
    }
    let filter = match wire_filter!(d) {
        Ok(f) => f,
        Err(e) => {
            r.error_code = INVALID_REQUEST;
            r.error_message = Some(StrBytes::from_string(e));
            return r;
        }
    };
    let mut found = shared.acls.describe(&filter);
    found.sort();
    for a in found {
        let same = r.resources.last().is_some_and(|x: &DescribeAclsResource| {
            x.resource_type == a.resource_type.code()
                && x.resource_name.as_str() == a.resource_name
                && x.pattern_type == a.pattern.code()
        });
        if !same {
            let mut x = DescribeAclsResource::default();
            x.resource_type = a.resource_type.code();
            x.resource_name = s(&a.resource_name);
            x.pattern_type = a.pattern.code();
            r.resources.push(x);
        }
        let mut d = AclDescription::default();
        d.principal = s(&a.principal);
        d.host = s(&a.host);
        d.operation = a.operation.code();
        d.permission_type = a.permission.code();
        r.resources.last_mut().expect("pushed above").acls.push(d);
    }
    r
}

pub(crate) fn delete_acls(who: &Authz, shared: &Shared, d: DeleteAclsRequest) -> DeleteAclsResponse {
    let mut r = DeleteAclsResponse::default();
    let fail = |code: i16, msg: &str| {
        let mut x = DeleteAclsFilterResult::default();
        x.error_code = code;
        x.error_message = Some(s(msg));
        x
    };
    if !who.cluster(Op::Alter) {
        r.filter_results =
            d.filters.iter().map(|_| fail(CLUSTER_AUTHORIZATION_FAILED, "ALTER on the cluster is needed")).collect();
        return r;
    }
    let parsed: Vec<Result<AclFilter, String>> = d.filters.iter().map(|f| wire_filter!(f)).collect();
    let valid: Vec<AclFilter> = parsed.iter().filter_map(|p| p.as_ref().ok().cloned()).collect();
    let mut deleted = match shared.acls.delete(&valid) {
        Ok(d) => d.into_iter(),
        Err(e) => {
            r.filter_results = d.filters.iter().map(|_| fail(-1, &e)).collect();
            return r;
        }
    };
    for p in parsed {
        r.filter_results.push(match p {
            Err(e) => fail(INVALID_REQUEST, &e),
            Ok(_) => {
                let mut x = DeleteAclsFilterResult::default();
                x.matching_acls = deleted
                    .next()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| {
                        let mut m = DeleteAclsMatchingAcl::default();
                        m.resource_type = a.resource_type.code();
                        m.resource_name = s(&a.resource_name);
                        m.pattern_type = a.pattern.code();
                        m.principal = s(&a.principal);
                        m.host = s(&a.host);
                        m.operation = a.operation.code();
                        m.permission_type = a.permission.code();
                        m
                    })
                    .collect();
                x
            }
        });
    }
    r
}
