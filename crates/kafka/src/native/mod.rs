//! Safe wrappers over the librdkafka admin calls rdkafka 0.39 has no safe API for: ACLs,
//! IncrementalAlterConfigs, DescribeCluster and SCRAM users (`scram.rs`). Every C handle is owned by a [`Guard`] that frees
//! it, on every path. The blocking wait for the result runs on a blocking thread.

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::time::Duration;

use rdkafka::bindings as rd;
use rdkafka::error::RDKafkaErrorCode;

use crate::KafkaError;

mod scram;
pub(crate) use scram::upsert_scram_users;

/// Frees a C handle when dropped.
struct Guard<T> {
    ptr: *mut T,
    free: unsafe extern "C" fn(*mut T),
}

impl<T> Guard<T> {
    fn new(ptr: *mut T, free: unsafe extern "C" fn(*mut T)) -> Result<Self, KafkaError> {
        if ptr.is_null() {
            return Err(KafkaError::Refused("librdkafka could not allocate an admin object".into()));
        }
        Ok(Self { ptr, free })
    }
}

impl<T> Drop for Guard<T> {
    fn drop(&mut self) {
        // SAFETY: `ptr` is non-null (checked in `new`), was allocated by librdkafka for exactly
        // this destructor, and the guard is its only owner, so it is freed once.
        unsafe { (self.free)(self.ptr) }
    }
}

/// A raw client handle; the owner (an `AdminClient` kept alive by the caller) outlives every use.
#[derive(Clone, Copy)]
pub(crate) struct Rk(pub(crate) *mut rd::rd_kafka_t);
// SAFETY: librdkafka's handle is thread-safe (its API may be called from any thread), and the
// client owning it outlives the blocking task the handle is sent to.
unsafe impl Send for Rk {}

fn cstring(what: &str, s: &str) -> Result<CString, KafkaError> {
    CString::new(s).map_err(|_| KafkaError::Config(format!("{what} `{s}` contains a NUL byte")))
}

/// # Safety
/// `p` is null or points to a NUL-terminated string valid for the call.
unsafe fn string(p: *const c_char) -> String {
    // SAFETY: non-null, so NUL-terminated and valid (the caller's promise); copied at once.
    if p.is_null() { String::new() } else { unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned() }
}

fn code(err: rd::rd_kafka_resp_err_t) -> RDKafkaErrorCode {
    RDKafkaErrorCode::from(err)
}

/// Runs one admin request and waits for its result event (event-level errors mapped).
///
/// # Safety
/// `rk` is a live client handle, and `submit` passes librdkafka only pointers valid until it
/// returns (librdkafka copies what it keeps).
unsafe fn request(
    rk: Rk,
    op: rd::rd_kafka_admin_op_t,
    timeout: Duration,
    submit: impl FnOnce(*mut rd::rd_kafka_t, *const rd::rd_kafka_AdminOptions_t, *mut rd::rd_kafka_queue_t),
) -> Result<Guard<rd::rd_kafka_event_t>, KafkaError> {
    // SAFETY: `rk` is live (the caller's promise); the options, queue and event are owned by
    // guards that outlive every use here; `errstr` is a writable buffer of the length passed.
    unsafe {
        let options = Guard::new(rd::rd_kafka_AdminOptions_new(rk.0, op), rd::rd_kafka_AdminOptions_destroy)?;
        let mut errstr = [0 as c_char; 512];
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        rd::rd_kafka_AdminOptions_set_request_timeout(options.ptr, ms, errstr.as_mut_ptr(), errstr.len());
        let queue = Guard::new(rd::rd_kafka_queue_new(rk.0), rd::rd_kafka_queue_destroy)?;
        submit(rk.0, options.ptr, queue.ptr);
        let ev = rd::rd_kafka_queue_poll(queue.ptr, ms.saturating_add(2000));
        if ev.is_null() {
            return Err(KafkaError::Unreachable(format!("no answer within {} ms", ms)));
        }
        let ev = Guard::new(ev, rd::rd_kafka_event_destroy)?;
        let err = rd::rd_kafka_event_error(ev.ptr);
        if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            let msg = string(rd::rd_kafka_event_error_string(ev.ptr));
            return Err(map_code(code(err), msg));
        }
        Ok(ev)
    }
}

fn map_code(c: RDKafkaErrorCode, msg: String) -> KafkaError {
    match c {
        RDKafkaErrorCode::SecurityDisabled => KafkaError::SecurityDisabled(msg),
        RDKafkaErrorCode::OperationTimedOut
        | RDKafkaErrorCode::RequestTimedOut
        | RDKafkaErrorCode::BrokerTransportFailure
        | RDKafkaErrorCode::AllBrokersDown => KafkaError::Unreachable(format!("{c}: {msg}")),
        _ => KafkaError::Refused(format!("{c}: {msg}")),
    }
}

// ---------------------------------------------------------------------------------------------
// ACLs

macro_rules! c_enum {
    ($(#[$m:meta])* $name:ident => $c:ident { $($v:ident = $cv:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($v),+ }
        impl $name {
            fn to_c(self) -> rd::$c { match self { $($name::$v => rd::$c::$cv),+ } }
            fn from_c(c: rd::$c) -> Option<Self> { match c { $(rd::$c::$cv => Some($name::$v),)+ _ => None } }
        }
    };
}

c_enum!(
    /// The kind of resource an ACL is about.
    ResourceType => rd_kafka_ResourceType_t {
        Topic = RD_KAFKA_RESOURCE_TOPIC,
        Group = RD_KAFKA_RESOURCE_GROUP,
        Cluster = RD_KAFKA_RESOURCE_BROKER,
        TransactionalId = RD_KAFKA_RESOURCE_TRANSACTIONAL_ID,
    }
);
c_enum!(
    /// Whether an ACL names one resource exactly or every resource with a prefix.
    PatternType => rd_kafka_ResourcePatternType_t {
        Literal = RD_KAFKA_RESOURCE_PATTERN_LITERAL,
        Prefixed = RD_KAFKA_RESOURCE_PATTERN_PREFIXED,
    }
);
c_enum!(
    AclOperation => rd_kafka_AclOperation_t {
        All = RD_KAFKA_ACL_OPERATION_ALL,
        Read = RD_KAFKA_ACL_OPERATION_READ,
        Write = RD_KAFKA_ACL_OPERATION_WRITE,
        Create = RD_KAFKA_ACL_OPERATION_CREATE,
        Delete = RD_KAFKA_ACL_OPERATION_DELETE,
        Alter = RD_KAFKA_ACL_OPERATION_ALTER,
        Describe = RD_KAFKA_ACL_OPERATION_DESCRIBE,
        ClusterAction = RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION,
        DescribeConfigs = RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS,
        AlterConfigs = RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS,
        IdempotentWrite = RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE,
    }
);
c_enum!(
    AclPermission => rd_kafka_AclPermissionType_t {
        Allow = RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW,
        Deny = RD_KAFKA_ACL_PERMISSION_TYPE_DENY,
    }
);

/// One ACL binding, as Kafka stores it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct AclBinding {
    pub resource: ResourceType,
    pub name: String,
    pub pattern: PatternType,
    pub principal: String,
    pub host: String,
    pub operation: AclOperation,
    pub permission: AclPermission,
}

/// Which bindings to describe or delete; `None` matches any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclFilter {
    pub resource: Option<ResourceType>,
    pub name: Option<String>,
    pub pattern: Option<PatternType>,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: Option<AclOperation>,
    pub permission: Option<AclPermission>,
}

impl AclFilter {
    /// The filter that matches exactly `b`.
    pub fn exact(b: &AclBinding) -> Self {
        Self {
            resource: Some(b.resource),
            name: Some(b.name.clone()),
            pattern: Some(b.pattern),
            principal: Some(b.principal.clone()),
            host: Some(b.host.clone()),
            operation: Some(b.operation),
            permission: Some(b.permission),
        }
    }
}

/// What happened to one ACL request item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclOutcome<T> {
    Done(T),
    /// The cluster has no authorizer (SECURITY_DISABLED): ACLs mean nothing there.
    SecurityDisabled(String),
    Failed(String),
}

/// # Safety
/// `b` points to a binding owned by a result event that outlives the call.
unsafe fn binding_from_c(b: *const rd::rd_kafka_AclBinding_t) -> Option<AclBinding> {
    // SAFETY: the accessors read the live binding; its strings are copied at once.
    unsafe {
        Some(AclBinding {
            resource: ResourceType::from_c(rd::rd_kafka_AclBinding_restype(b))?,
            name: string(rd::rd_kafka_AclBinding_name(b)),
            pattern: PatternType::from_c(rd::rd_kafka_AclBinding_resource_pattern_type(b))?,
            principal: string(rd::rd_kafka_AclBinding_principal(b)),
            host: string(rd::rd_kafka_AclBinding_host(b)),
            operation: AclOperation::from_c(rd::rd_kafka_AclBinding_operation(b))?,
            permission: AclPermission::from_c(rd::rd_kafka_AclBinding_permission_type(b))?,
        })
    }
}

/// # Safety
/// `e` is null or an error owned by a result event that outlives the call.
unsafe fn item_error(e: *const rd::rd_kafka_error_t) -> Option<(RDKafkaErrorCode, String)> {
    if e.is_null() {
        return None;
    }
    // SAFETY: non-null and live (the caller's promise); its message is copied at once.
    unsafe {
        let c = code(rd::rd_kafka_error_code(e));
        if c == RDKafkaErrorCode::NoError { None } else { Some((c, string(rd::rd_kafka_error_string(e)))) }
    }
}

fn outcome<T>(err: Option<(RDKafkaErrorCode, String)>, ok: T) -> AclOutcome<T> {
    match err {
        None => AclOutcome::Done(ok),
        Some((RDKafkaErrorCode::SecurityDisabled, m)) => AclOutcome::SecurityDisabled(m),
        Some((c, m)) => AclOutcome::Failed(format!("{c}: {m}")),
    }
}

fn whole_request<T>(r: Result<Vec<AclOutcome<T>>, KafkaError>, n: usize) -> Result<Vec<AclOutcome<T>>, KafkaError> {
    match r {
        Err(KafkaError::SecurityDisabled(m)) => Ok((0..n).map(|_| AclOutcome::SecurityDisabled(m.clone())).collect()),
        other => other,
    }
}

pub(crate) fn create_acls(rk: Rk, acls: &[AclBinding], timeout: Duration) -> Result<Vec<AclOutcome<()>>, KafkaError> {
    let mut errstr = [0 as c_char; 512];
    let mut owned = Vec::with_capacity(acls.len());
    for a in acls {
        let (name, principal, host) =
            (cstring("resource name", &a.name)?, cstring("principal", &a.principal)?, cstring("host", &a.host)?);
        // SAFETY: the C strings live until the end of this iteration, and librdkafka copies
        // them; `errstr` is writable for the length passed.
        let p = unsafe {
            rd::rd_kafka_AclBinding_new(
                a.resource.to_c(),
                name.as_ptr(),
                a.pattern.to_c(),
                principal.as_ptr(),
                host.as_ptr(),
                a.operation.to_c(),
                a.permission.to_c(),
                errstr.as_mut_ptr(),
                errstr.len(),
            )
        };
        if p.is_null() {
            // SAFETY: librdkafka wrote a NUL-terminated message into `errstr`.
            return Err(KafkaError::Config(format!("invalid ACL {a:?}: {}", unsafe { string(errstr.as_ptr()) })));
        }
        owned.push(Guard::new(p, rd::rd_kafka_AclBinding_destroy)?);
    }
    let mut ptrs: Vec<*mut rd::rd_kafka_AclBinding_t> = owned.iter().map(|g| g.ptr).collect();
    // SAFETY: `rk` is live (the `Admin` that passed it waits for this call); the bindings are
    // owned by `owned` until after the request; the result's items live as long as `ev`.
    let r = unsafe {
        request(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEACLS, timeout, |rk, o, q| {
            rd::rd_kafka_CreateAcls(rk, ptrs.as_mut_ptr(), ptrs.len(), o, q)
        })
    }
    .map(|ev| unsafe {
        let res = rd::rd_kafka_event_CreateAcls_result(ev.ptr);
        let mut n = 0usize;
        let items = rd::rd_kafka_CreateAcls_result_acls(res, &mut n);
        (0..n).map(|i| outcome(item_error(rd::rd_kafka_acl_result_error(*items.add(i))), ())).collect()
    });
    whole_request(r, acls.len())
}

fn filter_to_c(f: &AclFilter) -> Result<Guard<rd::rd_kafka_AclBindingFilter_t>, KafkaError> {
    let name = f.name.as_deref().map(|s| cstring("resource name", s)).transpose()?;
    let principal = f.principal.as_deref().map(|s| cstring("principal", s)).transpose()?;
    let host = f.host.as_deref().map(|s| cstring("host", s)).transpose()?;
    let mut errstr = [0 as c_char; 512];
    // SAFETY: each C string (or null, meaning "any") lives until the call returns, and
    // librdkafka copies them; `errstr` is writable for the length passed.
    let p = unsafe {
        rd::rd_kafka_AclBindingFilter_new(
            f.resource.map(ResourceType::to_c).unwrap_or(rd::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_ANY),
            name.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            f.pattern
                .map(PatternType::to_c)
                .unwrap_or(rd::rd_kafka_ResourcePatternType_t::RD_KAFKA_RESOURCE_PATTERN_ANY),
            principal.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            host.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            f.operation.map(AclOperation::to_c).unwrap_or(rd::rd_kafka_AclOperation_t::RD_KAFKA_ACL_OPERATION_ANY),
            f.permission
                .map(AclPermission::to_c)
                .unwrap_or(rd::rd_kafka_AclPermissionType_t::RD_KAFKA_ACL_PERMISSION_TYPE_ANY),
            errstr.as_mut_ptr(),
            errstr.len(),
        )
    };
    if p.is_null() {
        // SAFETY: librdkafka wrote a NUL-terminated message into `errstr`.
        return Err(KafkaError::Config(format!("invalid ACL filter {f:?}: {}", unsafe { string(errstr.as_ptr()) })));
    }
    // A filter is an AclBinding in librdkafka; it is freed the same way.
    Guard::new(p, rd::rd_kafka_AclBinding_destroy)
}

pub(crate) fn describe_acls(
    rk: Rk,
    filter: &AclFilter,
    timeout: Duration,
) -> Result<AclOutcome<Vec<AclBinding>>, KafkaError> {
    let f = filter_to_c(filter)?;
    // SAFETY: `rk` is live; the filter is owned by `f` until after the request; the result's
    // bindings live as long as `ev`.
    let r = unsafe {
        request(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeout, |rk, o, q| {
            rd::rd_kafka_DescribeAcls(rk, f.ptr, o, q)
        })
    };
    match r {
        Err(KafkaError::SecurityDisabled(m)) => Ok(AclOutcome::SecurityDisabled(m)),
        Err(e) => Err(e),
        // SAFETY: the result and its bindings belong to `ev`, which outlives this block.
        Ok(ev) => unsafe {
            let res = rd::rd_kafka_event_DescribeAcls_result(ev.ptr);
            let mut n = 0usize;
            let items = rd::rd_kafka_DescribeAcls_result_acls(res, &mut n);
            let mut out: Vec<AclBinding> = (0..n).filter_map(|i| binding_from_c(*items.add(i))).collect();
            out.sort();
            Ok(AclOutcome::Done(out))
        },
    }
}

pub(crate) fn delete_acls(
    rk: Rk,
    filters: &[AclFilter],
    timeout: Duration,
) -> Result<Vec<AclOutcome<Vec<AclBinding>>>, KafkaError> {
    let owned = filters.iter().map(filter_to_c).collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*mut rd::rd_kafka_AclBindingFilter_t> = owned.iter().map(|g| g.ptr).collect();
    // SAFETY: `rk` is live; the filters are owned by `owned` until after the request; the
    // responses and their bindings live as long as `ev`.
    let r = unsafe {
        request(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETEACLS, timeout, |rk, o, q| {
            rd::rd_kafka_DeleteAcls(rk, ptrs.as_mut_ptr(), ptrs.len(), o, q)
        })
    }
    .map(|ev| unsafe {
        let res = rd::rd_kafka_event_DeleteAcls_result(ev.ptr);
        let mut n = 0usize;
        let items = rd::rd_kafka_DeleteAcls_result_responses(res, &mut n);
        (0..n)
            .map(|i| {
                let item = *items.add(i);
                let mut m = 0usize;
                let matched = rd::rd_kafka_DeleteAcls_result_response_matching_acls(item, &mut m);
                let bindings = (0..m).filter_map(|j| binding_from_c(*matched.add(j))).collect();
                outcome(item_error(rd::rd_kafka_DeleteAcls_result_response_error(item)), bindings)
            })
            .collect()
    });
    whole_request(r, filters.len())
}

// ---------------------------------------------------------------------------------------------
// IncrementalAlterConfigs

/// One change to a config entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    Set(String, String),
    /// Back to the broker's default.
    Delete(String),
    /// Adds to a list-valued config (e.g. `cleanup.policy`).
    Append(String, String),
    Subtract(String, String),
}

pub(crate) fn alter_topic_configs(
    rk: Rk,
    topic: &str,
    changes: &[ConfigChange],
    timeout: Duration,
) -> Result<(), KafkaError> {
    use rd::rd_kafka_AlterConfigOpType_t as Op;
    let name = cstring("topic", topic)?;
    let res = Guard::new(
        // SAFETY: `name` is a C string that lives until the call returns; librdkafka copies it.
        unsafe { rd::rd_kafka_ConfigResource_new(rd::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_TOPIC, name.as_ptr()) },
        rd::rd_kafka_ConfigResource_destroy,
    )?;
    for ch in changes {
        let (op, key, value) = match ch {
            ConfigChange::Set(k, v) => (Op::RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, k, Some(v)),
            ConfigChange::Delete(k) => (Op::RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE, k, None),
            ConfigChange::Append(k, v) => (Op::RD_KAFKA_ALTER_CONFIG_OP_TYPE_APPEND, k, Some(v)),
            ConfigChange::Subtract(k, v) => (Op::RD_KAFKA_ALTER_CONFIG_OP_TYPE_SUBTRACT, k, Some(v)),
        };
        let key = cstring("config name", key)?;
        let value = value.map(|v| cstring("config value", v)).transpose()?;
        // SAFETY: `res` is live (its guard); the key and value C strings live until the call
        // returns, and librdkafka copies them.
        let err = unsafe {
            rd::rd_kafka_ConfigResource_add_incremental_config(
                res.ptr,
                key.as_ptr(),
                op,
                value.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            )
        };
        if !err.is_null() {
            let e = Guard::new(err, rd::rd_kafka_error_destroy)?;
            // SAFETY: `e` is a live error (its guard); its message is copied at once.
            return Err(KafkaError::Config(unsafe { string(rd::rd_kafka_error_string(e.ptr)) }));
        }
    }
    let mut ptrs = [res.ptr];
    // SAFETY: `rk` is live; the resource is owned by `res` until after the request.
    let ev = unsafe {
        request(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS, timeout, |rk, o, q| {
            rd::rd_kafka_IncrementalAlterConfigs(rk, ptrs.as_mut_ptr(), 1, o, q)
        })
    }?;
    // SAFETY: the result and its resources belong to `ev`, which outlives this block.
    unsafe {
        let result = rd::rd_kafka_event_IncrementalAlterConfigs_result(ev.ptr);
        let mut n = 0usize;
        let items = rd::rd_kafka_IncrementalAlterConfigs_result_resources(result, &mut n);
        for i in 0..n {
            let r = *items.add(i);
            let err = rd::rd_kafka_ConfigResource_error(r);
            if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                let msg = string(rd::rd_kafka_ConfigResource_error_string(r));
                return Err(map_code(code(err), format!("changing configs of {topic}: {msg}")));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// DescribeCluster

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerNode {
    pub id: i32,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDescription {
    pub cluster_id: String,
    pub controller: Option<i32>,
    pub brokers: Vec<BrokerNode>,
}

pub(crate) fn describe_cluster(rk: Rk, timeout: Duration) -> Result<ClusterDescription, KafkaError> {
    // SAFETY: `rk` is live; the request passes no pointer of ours.
    let ev = unsafe {
        request(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER, timeout, |rk, o, q| {
            rd::rd_kafka_DescribeCluster(rk, o, q)
        })
    }?;
    // SAFETY: the result, its nodes and controller belong to `ev`, which outlives this block;
    // their strings are copied at once.
    unsafe {
        let res = rd::rd_kafka_event_DescribeCluster_result(ev.ptr);
        let mut n = 0usize;
        let nodes = rd::rd_kafka_DescribeCluster_result_nodes(res, &mut n);
        let node = |p: *const rd::rd_kafka_Node_t| BrokerNode {
            id: rd::rd_kafka_Node_id(p),
            host: string(rd::rd_kafka_Node_host(p)),
            port: rd::rd_kafka_Node_port(p),
        };
        let controller = rd::rd_kafka_DescribeCluster_result_controller(res);
        let mut brokers: Vec<BrokerNode> = (0..n).map(|i| node(*nodes.add(i))).collect();
        brokers.sort_by_key(|b| b.id);
        Ok(ClusterDescription {
            cluster_id: string(rd::rd_kafka_DescribeCluster_result_cluster_id(res)),
            controller: if controller.is_null() { None } else { Some(rd::rd_kafka_Node_id(controller)) },
            brokers,
        })
    }
}
