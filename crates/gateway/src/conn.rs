//! One client connection: SASL/PLAIN first, then every request checked (`apis::plan`) and
//! forwarded to the broker on a connection of its own, answers returned in request order.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::Bytes;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, RequestKind, ResponseKind, SaslAuthenticateResponse, SaslHandshakeResponse};
use kafka_protocol::protocol::StrBytes;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::Shared;
use crate::apis::{self, Authz, Fixup, Plan};
use crate::scram::{Exchange, Mechanism};
use crate::users::parse_plain;
use crate::wire::{self, Request, read_frame, response_frame};

const UNSUPPORTED_SASL_MECHANISM: i16 = 33;
const ILLEGAL_SASL_STATE: i16 = 34;
const SASL_AUTHENTICATION_FAILED: i16 = 58;

/// What the writer sends next, in request order.
enum Slot {
    /// An answer made here.
    Local(Bytes),
    /// The broker's next answer, for this request, changed by `fixup` if any.
    Upstream { api_key: ApiKey, version: i16, fixup: Option<Fixup> },
    /// Send what came before, then close.
    Close,
}

enum Auth {
    /// Before the SASL handshake.
    Start,
    /// Handshake v1 done for PLAIN: a SaslAuthenticate request follows.
    Handshaken,
    /// Handshake v1 done for SCRAM: the client-first message follows.
    Scram(Mechanism),
    /// SCRAM server-first sent: the client-final message follows.
    ScramSent(Box<Exchange>, String),
    /// Handshake v0: the next frame is the bare PLAIN message.
    Raw,
    Done(String),
}

pub async fn serve(client: TcpStream, peer: SocketAddr, shared: Arc<Shared>) -> anyhow::Result<()> {
    client.set_nodelay(true)?;
    let upstream = TcpStream::connect(shared.upstream).await.context("connecting to the broker")?;
    upstream.set_nodelay(true)?;
    let (mut client_r, client_w) = client.into_split();
    let (upstream_r, mut upstream_w) = upstream.into_split();
    let (tx, rx) = mpsc::channel::<Slot>(512);
    let writer = tokio::spawn(write_answers(rx, client_w, upstream_r));
    let host = peer.ip().to_string();
    let mut auth = Auth::Start;

    let result: anyhow::Result<()> = async {
        while let Some(frame) = read_frame(&mut client_r).await? {
            if let Auth::Raw = auth {
                // SaslHandshake v0: a bare token, answered with a bare (empty) frame.
                match check_plain(&shared, &frame) {
                    Ok(principal) => {
                        auth = Auth::Done(principal);
                        send(&tx, Slot::Local(Bytes::from_static(&[0, 0, 0, 0]))).await?;
                        continue;
                    }
                    Err(e) => {
                        send(&tx, Slot::Close).await?;
                        bail!("authentication failed: {e}");
                    }
                }
            }
            let req = Request::parse(frame)?;
            let local = |body: ResponseKind| response_frame(req.api_key, req.version, req.correlation_id, &body);
            match (req.api_key, &auth) {
                (ApiKey::ApiVersions, _) => {
                    upstream_w.write_all(&req.to_send()).await?;
                    send(
                        &tx,
                        Slot::Upstream {
                            api_key: req.api_key,
                            version: req.version,
                            fixup: Some(Box::new(api_versions)),
                        },
                    )
                    .await?;
                }
                (ApiKey::SaslHandshake, Auth::Start) => {
                    let mut body = req.body();
                    let RequestKind::SaslHandshake(h) = RequestKind::decode(req.api_key, &mut body, req.version)?
                    else {
                        unreachable!("decoded as its key")
                    };
                    let mut r = SaslHandshakeResponse::default();
                    r.mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"].map(StrBytes::from_static_str).to_vec();
                    let scram = Mechanism::from_name(h.mechanism.as_str());
                    let known = h.mechanism.as_str() == "PLAIN" || scram.is_some();
                    if !known || (scram.is_some() && req.version == 0) {
                        r.error_code = UNSUPPORTED_SASL_MECHANISM;
                        send(&tx, Slot::Local(local(ResponseKind::SaslHandshake(r))?)).await?;
                        continue;
                    }
                    auth = match (scram, req.version) {
                        (Some(m), _) => Auth::Scram(m),
                        (None, 0) => Auth::Raw,
                        (None, _) => Auth::Handshaken,
                    };
                    send(&tx, Slot::Local(local(ResponseKind::SaslHandshake(r))?)).await?;
                }
                (ApiKey::SaslAuthenticate, Auth::Handshaken | Auth::Scram(_) | Auth::ScramSent(..)) => {
                    let mut body = req.body();
                    let RequestKind::SaslAuthenticate(a) = RequestKind::decode(req.api_key, &mut body, req.version)?
                    else {
                        unreachable!("decoded as its key")
                    };
                    let mut r = SaslAuthenticateResponse::default();
                    let step = match std::mem::replace(&mut auth, Auth::Start) {
                        Auth::Handshaken => check_plain(&shared, &a.auth_bytes).map(|p| (Auth::Done(p), Bytes::new())),
                        Auth::Scram(m) => scram_first(&shared, m, &a.auth_bytes).map(|(x, user)| {
                            let first = Bytes::copy_from_slice(x.server_first().as_bytes());
                            (Auth::ScramSent(Box::new(x), user), first)
                        }),
                        Auth::ScramSent(x, user) => x
                            .finish(&a.auth_bytes)
                            .map(|fin| (Auth::Done(format!("User:{user}")), Bytes::from(fin.into_bytes())))
                            .map_err(str::to_owned),
                        _ => unreachable!("matched above"),
                    };
                    match step {
                        Ok((next, reply)) => {
                            auth = next;
                            r.auth_bytes = reply;
                            send(&tx, Slot::Local(local(ResponseKind::SaslAuthenticate(r))?)).await?;
                        }
                        Err(e) => {
                            r.error_code = SASL_AUTHENTICATION_FAILED;
                            r.error_message = Some(StrBytes::from_string(format!("Authentication failed: {e}")));
                            send(&tx, Slot::Local(local(ResponseKind::SaslAuthenticate(r))?)).await?;
                            send(&tx, Slot::Close).await?;
                            bail!("authentication failed: {e}");
                        }
                    }
                }
                (ApiKey::SaslHandshake | ApiKey::SaslAuthenticate, _) => {
                    let mut r = SaslAuthenticateResponse::default();
                    r.error_code = ILLEGAL_SASL_STATE;
                    if req.api_key == ApiKey::SaslHandshake {
                        let mut h = SaslHandshakeResponse::default();
                        h.error_code = ILLEGAL_SASL_STATE;
                        send(&tx, Slot::Local(local(ResponseKind::SaslHandshake(h))?)).await?;
                    } else {
                        send(&tx, Slot::Local(local(ResponseKind::SaslAuthenticate(r))?)).await?;
                    }
                    send(&tx, Slot::Close).await?;
                    bail!("a SASL request out of order");
                }
                (key, Auth::Done(principal)) => {
                    if apis::version_cap(key).is_none_or(|(lo, hi)| req.version < lo || req.version > hi) {
                        send(&tx, Slot::Close).await?;
                        bail!("{key:?} v{} is not served by the gateway", req.version);
                    }
                    let authz = Authz::new(&shared, principal.clone(), host.clone());
                    let plan = apis::plan(&req, &authz, &shared).unwrap_or_else(|e| Plan::Close(format!("{e:#}")));
                    match plan {
                        Plan::Forward { fixup } => {
                            upstream_w.write_all(&req.to_send()).await?;
                            send(&tx, Slot::Upstream { api_key: key, version: req.version, fixup }).await?;
                        }
                        Plan::ForwardNoResponse => upstream_w.write_all(&req.to_send()).await?,
                        Plan::Rewrite { frame, fixup } => {
                            upstream_w.write_all(&frame).await?;
                            send(&tx, Slot::Upstream { api_key: key, version: req.version, fixup: Some(fixup) })
                                .await?;
                        }
                        Plan::Answer(body) => send(&tx, Slot::Local(local(body)?)).await?,
                        Plan::Close(why) => {
                            send(&tx, Slot::Close).await?;
                            bail!("closed for {principal}: {why}");
                        }
                    }
                }
                (key, _) => {
                    send(&tx, Slot::Close).await?;
                    bail!("{key:?} before authentication");
                }
            }
        }
        Ok(())
    }
    .await;
    drop(tx);
    let _ = writer.await;
    result
}

async fn send(tx: &mpsc::Sender<Slot>, slot: Slot) -> anyhow::Result<()> {
    tx.send(slot).await.map_err(|_| anyhow::anyhow!("the client connection is closing"))
}

/// The SCRAM client-first message: the exchange to continue and the user it names.
fn scram_first(shared: &Shared, m: Mechanism, message: &[u8]) -> Result<(Exchange, String), String> {
    let (user, nonce, bare) = crate::scram::client_first_user(message).map_err(str::to_owned)?;
    let credential = shared.users.scram(&user, m).ok_or_else(|| "unknown user or wrong password".to_owned())?;
    Ok((Exchange::start(m, credential, &nonce, bare), user))
}

fn check_plain(shared: &Shared, token: &[u8]) -> Result<String, String> {
    let (user, password) = parse_plain(token).map_err(str::to_owned)?;
    if shared.users.check(&user, &password) {
        Ok(format!("User:{user}"))
    } else {
        Err("unknown user or wrong password".into())
    }
}

/// The broker's API versions, narrowed to what the gateway serves, with the SASL APIs the
/// gateway answers itself.
fn api_versions(k: &mut ResponseKind) {
    let ResponseKind::ApiVersions(r) = k else { return };
    if r.error_code != 0 {
        return;
    }
    let mut keys: Vec<ApiVersion> = r
        .api_keys
        .iter()
        .filter_map(|a| {
            let key = ApiKey::try_from(a.api_key).ok()?;
            let (lo, hi) = apis::version_cap(key)?;
            let (lo, hi) = (lo.max(a.min_version), hi.min(a.max_version));
            (lo <= hi).then(|| {
                let mut x = a.clone();
                x.min_version = lo;
                x.max_version = hi;
                x
            })
        })
        .collect();
    for key in
        [ApiKey::SaslHandshake, ApiKey::SaslAuthenticate, ApiKey::DescribeAcls, ApiKey::CreateAcls, ApiKey::DeleteAcls]
    {
        keys.retain(|a| a.api_key != key as i16);
        let (lo, hi) = apis::version_cap(key).expect("served");
        let mut x = ApiVersion::default();
        x.api_key = key as i16;
        x.min_version = lo;
        x.max_version = hi;
        keys.push(x);
    }
    keys.sort_by_key(|a| a.api_key);
    r.api_keys = keys;
}

async fn write_answers(
    mut rx: mpsc::Receiver<Slot>,
    mut client: tokio::net::tcp::OwnedWriteHalf,
    mut upstream: tokio::net::tcp::OwnedReadHalf,
) -> anyhow::Result<()> {
    while let Some(slot) = rx.recv().await {
        match slot {
            Slot::Local(bytes) => client.write_all(&bytes).await?,
            Slot::Close => {
                client.shutdown().await?;
                return Ok(());
            }
            Slot::Upstream { api_key, version, fixup } => {
                let frame = read_frame(&mut upstream).await?.context("the broker closed the connection")?;
                match fixup {
                    None => client.write_all(&wire::framed(&frame)).await?,
                    Some(fixup) => {
                        let bytes = match wire::decode_response(api_key, version, frame.clone()) {
                            Ok((corr, mut body)) => {
                                fixup(&mut body);
                                response_frame(api_key, version, corr, &body)?
                            }
                            Err(e) => {
                                // An answer the gateway cannot read (an error answer in another
                                // version, as ApiVersions gives): passed on as it is.
                                tracing::debug!("passing on an unreadable {api_key:?} answer: {e:#}");
                                wire::framed(&frame)
                            }
                        };
                        client.write_all(&bytes).await?;
                    }
                }
            }
        }
    }
    Ok(())
}
