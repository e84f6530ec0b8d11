//! AlterUserScramCredentials (KIP-554): users made through the admin API, as a cluster with SCRAM
//! keeps them (the sandbox's consumer logins are real SCRAM users).

use std::time::Duration;

use rdkafka::bindings as rd;

use super::{Guard, Rk, cstring, item_error, map_code, request, string};
use crate::KafkaError;

/// The iterations each credential is hashed with (Kafka's minimum is 4096).
pub(crate) const SCRAM_ITERATIONS: i32 = 8192;

/// Each user, with `Err` and the broker's reason where it was refused.
pub(crate) type UserOutcomes = Vec<(String, Result<(), KafkaError>)>;

/// Sets (creates or replaces) `user`'s SCRAM-SHA-256 and SCRAM-SHA-512 credentials to
/// `password`, each with a random salt. One result per user: `Err` with the broker's reason.
pub(crate) fn upsert_scram_users(
    rk: Rk,
    users: &[(String, String)],
    timeout: Duration,
) -> Result<UserOutcomes, KafkaError> {
    let mut out: UserOutcomes = users.iter().map(|(u, _)| (u.clone(), Ok(()))).collect();
    // One request per mechanism: Kafka refuses two alterations of one user in one request.
    for mechanism in [
        rd::rd_kafka_ScramMechanism_t::RD_KAFKA_SCRAM_MECHANISM_SHA_256,
        rd::rd_kafka_ScramMechanism_t::RD_KAFKA_SCRAM_MECHANISM_SHA_512,
    ] {
        for (user, outcome) in upsert_one_mechanism(rk, users, mechanism, timeout)? {
            if let (Err(e), Some(slot)) = (outcome, out.iter_mut().find(|(u, _)| *u == user))
                && slot.1.is_ok()
            {
                slot.1 = Err(e);
            }
        }
    }
    Ok(out)
}

fn upsert_one_mechanism(
    rk: Rk,
    users: &[(String, String)],
    mechanism: rd::rd_kafka_ScramMechanism_t,
    timeout: Duration,
) -> Result<UserOutcomes, KafkaError> {
    let mut owned = Vec::with_capacity(users.len());
    for (user, password) in users {
        let name = cstring("user name", user)?;
        // SAFETY: every pointer is valid for the call; a null salt asks librdkafka for a random
        // one; the returned alteration is owned by the guard.
        let p = unsafe {
            rd::rd_kafka_UserScramCredentialUpsertion_new(
                name.as_ptr(),
                mechanism,
                SCRAM_ITERATIONS,
                password.as_ptr(),
                password.len(),
                std::ptr::null(),
                0,
            )
        };
        owned.push(Guard::new(p, rd::rd_kafka_UserScramCredentialAlteration_destroy)?);
    }
    let mut ptrs: Vec<*mut rd::rd_kafka_UserScramCredentialAlteration_t> = owned.iter().map(|g| g.ptr).collect();
    // SAFETY: `rk` is live; the alterations are owned by `owned` until after the request.
    let ev = unsafe {
        request(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS, timeout, |rk, o, q| {
            rd::rd_kafka_AlterUserScramCredentials(rk, ptrs.as_mut_ptr(), ptrs.len(), o, q)
        })
    }?;
    let mut out: UserOutcomes = users.iter().map(|(u, _)| (u.clone(), Ok(()))).collect();
    // SAFETY: the result and its responses belong to `ev`, which outlives this block; their
    // strings are copied at once.
    unsafe {
        let res = rd::rd_kafka_event_AlterUserScramCredentials_result(ev.ptr);
        let mut n = 0usize;
        let items = rd::rd_kafka_AlterUserScramCredentials_result_responses(res, &mut n);
        for i in 0..n {
            let r = *items.add(i);
            let user = string(rd::rd_kafka_AlterUserScramCredentials_result_response_user(r));
            if let Some((c, m)) = item_error(rd::rd_kafka_AlterUserScramCredentials_result_response_error(r))
                && let Some(slot) = out.iter_mut().find(|(u, _)| *u == user)
            {
                slot.1 = Err(map_code(c, m));
            }
        }
    }
    Ok(out)
}
