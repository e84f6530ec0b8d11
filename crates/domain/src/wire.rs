//! The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the payload.

/// The magic byte that starts every record in the Confluent wire format.
pub const MAGIC: u8 = 0;

/// A record value in the wire format: the header for `schema_id`, then `payload`.
pub fn encode(schema_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(MAGIC);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits a record into its schema id and payload, or `None` if it is not in wire format
/// (the caller shows such a record raw rather than dropping it).
pub fn decode(bytes: &[u8]) -> Option<(u32, &[u8])> {
    match bytes {
        [MAGIC, a, b, c, d, rest @ ..] => Some((u32::from_be_bytes([*a, *b, *c, *d]), rest)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_magic_byte_and_big_endian_id() {
        assert_eq!(encode(0x0102_0304, b"hi"), vec![0, 1, 2, 3, 4, b'h', b'i']);
        assert_eq!(decode(&encode(42, b"payload")), Some((42, &b"payload"[..])));
        assert_eq!(decode(&encode(7, b"")), Some((7, &b""[..])));
    }

    #[test]
    fn records_not_in_wire_format_are_recognised() {
        assert_eq!(decode(b"{\"plain\":\"json\"}"), None);
        assert_eq!(decode(&[0, 0, 0]), None);
        assert_eq!(decode(&[]), None);
    }
}
