//! Kafka framing: size-prefixed frames, request headers, and encoding a response for a request.

use anyhow::{Context, bail};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Decodable, Encodable};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The largest frame the gateway accepts (Kafka's `socket.request.max.bytes` is 100 MiB).
pub const MAX_FRAME: usize = 100 * 1024 * 1024;

/// Reads one frame (without its size prefix); `None` at a clean end of stream.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> anyhow::Result<Option<Bytes>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let n = i32::from_be_bytes(len);
    if n < 0 || n as usize > MAX_FRAME {
        bail!("a frame of {n} bytes is refused (at most {MAX_FRAME})");
    }
    let mut buf = BytesMut::zeroed(n as usize);
    r.read_exact(&mut buf).await.context("reading a frame")?;
    Ok(Some(buf.freeze()))
}

/// A request: its header, the header's encoded length, and the whole frame.
pub struct Request {
    pub api_key: ApiKey,
    pub version: i16,
    pub correlation_id: i32,
    pub header_len: usize,
    pub frame: Bytes,
}

impl Request {
    pub fn parse(frame: Bytes) -> anyhow::Result<Self> {
        if frame.len() < 8 {
            bail!("a request shorter than its header");
        }
        let key = i16::from_be_bytes([frame[0], frame[1]]);
        let version = i16::from_be_bytes([frame[2], frame[3]]);
        let api_key = ApiKey::try_from(key).map_err(|_| anyhow::anyhow!("unknown API key {key}"))?;
        let header_version = api_key.request_header_version(version);
        let mut buf = frame.clone();
        let header = RequestHeader::decode(&mut buf, header_version.max(1))
            .with_context(|| format!("decoding the header of {api_key:?} v{version}"))?;
        let header_len = frame.len() - buf.remaining();
        Ok(Self { api_key, version, correlation_id: header.correlation_id, header_len, frame })
    }

    pub fn body(&self) -> Bytes {
        self.frame.slice(self.header_len..)
    }

    /// The same header with another body, as a frame to send.
    pub fn with_body(&self, encode: impl FnOnce(&mut BytesMut) -> anyhow::Result<()>) -> anyhow::Result<Bytes> {
        let mut out = BytesMut::with_capacity(self.frame.len() + 4);
        out.put_i32(0);
        out.put_slice(&self.frame[..self.header_len]);
        encode(&mut out)?;
        let n = (out.len() - 4) as i32;
        out[..4].copy_from_slice(&n.to_be_bytes());
        Ok(out.freeze())
    }

    /// The original frame with its size prefix.
    pub fn to_send(&self) -> Bytes {
        framed(&self.frame)
    }
}

/// A frame (read without its size prefix) with its size prefix again, to send on as it came.
pub fn framed(frame: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(frame.len() + 4);
    out.put_i32(frame.len() as i32);
    out.put_slice(frame);
    out.freeze()
}

/// Encodes `body` as the response to a request (`api_key` at `version`), with its size prefix.
pub fn response_frame(
    api_key: ApiKey,
    version: i16,
    correlation_id: i32,
    body: &ResponseKind,
) -> anyhow::Result<Bytes> {
    let mut out = BytesMut::with_capacity(64);
    out.put_i32(0);
    let mut header = ResponseHeader::default();
    header.correlation_id = correlation_id;
    header.encode(&mut out, api_key.response_header_version(version))?;
    body.encode(&mut out, version)?;
    let n = (out.len() - 4) as i32;
    out[..4].copy_from_slice(&n.to_be_bytes());
    Ok(out.freeze())
}

/// Decodes a response frame (without size prefix) to a request; the correlation id and body.
pub fn decode_response(api_key: ApiKey, version: i16, frame: Bytes) -> anyhow::Result<(i32, ResponseKind)> {
    let mut buf = frame;
    let header = ResponseHeader::decode(&mut buf, api_key.response_header_version(version))?;
    let body = ResponseKind::decode(api_key, &mut buf, version)?;
    Ok((header.correlation_id, body))
}
