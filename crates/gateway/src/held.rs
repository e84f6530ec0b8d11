//! **Test double, only in builds with the `failpoints` feature** (the integration tests; never a
//! release build): a transaction left open on a topic, as a broker shows it to `read_committed`
//! clients. The sandbox broker refuses transactional producers, so what readers must cope with
//! (a last stable offset below the high watermark, and no records at or beyond it) cannot be
//! provoked with it; this makes the gateway answer as a broker with an open transaction would.
//!
//! Set by a test with `fail::cfg("gateway-open-transaction", "return(TOPIC:N)")`: on `TOPIC`,
//! the last `N` records are held back. It applies to super users' requests only (the sandbox's
//! own logins), so the authorization rules are untouched.

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::*;
use kafka_protocol::records::{Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions};

use crate::apis::{Fixup, Plan};

/// The topic and the number of records held back, when a test set it.
pub fn held() -> Option<(String, i64)> {
    fail::fail_point!("gateway-open-transaction", |arg: Option<String>| {
        let arg = arg?;
        let (topic, n) = arg.rsplit_once(':')?;
        Some((topic.to_owned(), n.parse().ok()?))
    });
    None
}

/// The records below `lso`, re-encoded when a batch reaches past it (the sandbox broker keeps
/// several records in one batch, where a real broker keeps a transaction's records in batches
/// of their own); the bytes as they were when nothing reaches it or they cannot be read.
fn below(records: &Bytes, lso: i64) -> Bytes {
    let mut buf = records.clone();
    let Ok(sets) = RecordBatchDecoder::decode_all(&mut buf) else { return records.clone() };
    let all: Vec<Record> = sets.into_iter().flat_map(|s| s.records).collect();
    if all.iter().all(|r| r.offset < lso) {
        return records.clone();
    }
    let kept: Vec<Record> = all.into_iter().filter(|r| r.offset < lso).collect();
    let mut out = BytesMut::new();
    let options = RecordEncodeOptions { version: 2, compression: Compression::None };
    match RecordBatchEncoder::encode(&mut out, kept.iter(), &options) {
        Ok(()) => out.freeze(),
        Err(_) => Bytes::new(),
    }
}

/// How a super user's Fetch or ListOffsets is answered while a transaction is held open on
/// `topic`; `None` for other requests.
pub fn plan(decoded: &RequestKind, topic: &str, n: i64) -> Option<Plan> {
    let topic = topic.to_owned();
    let fixup: Fixup = match decoded {
        RequestKind::Fetch(f) if f.isolation_level == 1 => Box::new(move |k| {
            if let ResponseKind::Fetch(r) = k {
                for t in r.responses.iter_mut().filter(|t| t.topic.as_str() == topic) {
                    for p in &mut t.partitions {
                        let lso = (p.high_watermark - n).max(p.log_start_offset.max(0));
                        p.last_stable_offset = p.last_stable_offset.min(lso);
                        if let Some(records) = &p.records {
                            p.records = Some(below(records, lso));
                        }
                    }
                }
            }
        }),
        RequestKind::ListOffsets(l) if l.isolation_level == 1 => Box::new(move |k| {
            if let ResponseKind::ListOffsets(r) = k {
                for t in r.topics.iter_mut().filter(|t| t.name.as_str() == topic) {
                    for p in &mut t.partitions {
                        // The latest offset a read_committed client may see is the LSO.
                        if p.timestamp == -1 && p.offset >= 0 {
                            p.offset = (p.offset - n).max(0);
                        }
                    }
                }
            }
        }),
        _ => return None,
    };
    Some(Plan::Forward { fixup: Some(fixup) })
}
