//! SASL/SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677, as Kafka uses them: no channel
//! binding), the server side. Users' SCRAM credentials are derived when their password is set
//! (`users.rs`), so the password itself is never stored.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

/// Kafka's minimum (and the common default) iteration count.
pub const ITERATIONS: u32 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Sha256,
    Sha512,
}

impl Mechanism {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "SCRAM-SHA-256" => Some(Self::Sha256),
            "SCRAM-SHA-512" => Some(Self::Sha512),
            _ => None,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => {
                let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            Self::Sha512 => {
                let mut m = Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn salted(self, password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            Self::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut out);
                out.to_vec()
            }
            Self::Sha512 => {
                let mut out = [0u8; 64];
                pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), salt, iterations, &mut out);
                out.to_vec()
            }
        }
    }
}

/// What the server keeps for one user and mechanism (base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub salt: String,
    pub iterations: u32,
    pub stored_key: String,
    pub server_key: String,
}

impl Credential {
    pub fn derive(m: Mechanism, password: &str, salt: &[u8]) -> Self {
        let salted = m.salted(password, salt, ITERATIONS);
        let client_key = m.hmac(&salted, b"Client Key");
        Credential {
            salt: B64.encode(salt),
            iterations: ITERATIONS,
            stored_key: B64.encode(m.hash(&client_key)),
            server_key: B64.encode(m.hmac(&salted, b"Server Key")),
        }
    }
}

/// The user name a client-first message names (`n=`), unescaped (`=2C` `,`, `=3D` `=`).
pub fn client_first_user(message: &[u8]) -> Result<(String, String, String), &'static str> {
    let text = std::str::from_utf8(message).map_err(|_| "the SCRAM message is not UTF-8")?;
    // gs2-header: "n,," or "y,," (no channel binding), optionally "n,a=authzid,".
    let rest = text.strip_prefix("n,").or_else(|| text.strip_prefix("y,")).ok_or("channel binding is not supported")?;
    let (authz, bare) = rest.split_once(',').ok_or("a malformed SCRAM client-first message")?;
    let mut user = None;
    let mut nonce = None;
    for attr in bare.split(',') {
        if let Some(v) = attr.strip_prefix("n=") {
            user = Some(v.replace("=2C", ",").replace("=3D", "="));
        } else if let Some(v) = attr.strip_prefix("r=") {
            nonce = Some(v.to_owned());
        } else if attr.starts_with("m=") {
            return Err("SCRAM extensions are not supported");
        }
    }
    let user = user.filter(|u| !u.is_empty()).ok_or("the SCRAM message names no user")?;
    if let Some(a) = authz.strip_prefix("a=")
        && a != user
    {
        return Err("an authorization identity other than the user is not supported");
    }
    let nonce = nonce.filter(|n| !n.is_empty()).ok_or("the SCRAM message has no nonce")?;
    Ok((user, nonce, bare.to_owned()))
}

/// One exchange after the client-first message: the server-first message to send, then the
/// check of the client-final message.
pub struct Exchange {
    mechanism: Mechanism,
    credential: Credential,
    client_first_bare: String,
    server_first: String,
    nonce: String,
}

impl Exchange {
    pub fn start(mechanism: Mechanism, credential: Credential, client_nonce: &str, client_first_bare: String) -> Self {
        let mut b = [0u8; 18];
        getrandom::getrandom(&mut b).unwrap_or_default();
        let nonce = format!("{client_nonce}{}", B64.encode(b));
        let server_first = format!("r={nonce},s={},i={}", credential.salt, credential.iterations);
        Self { mechanism, credential, client_first_bare, server_first, nonce }
    }

    pub fn server_first(&self) -> &str {
        &self.server_first
    }

    /// Checks the client's proof; the server-final message when it holds.
    pub fn finish(&self, client_final: &[u8]) -> Result<String, &'static str> {
        let text = std::str::from_utf8(client_final).map_err(|_| "the SCRAM message is not UTF-8")?;
        let (without_proof, proof) = text.rsplit_once(",p=").ok_or("the SCRAM client-final message has no proof")?;
        let mut nonce_ok = false;
        let mut binding_ok = false;
        for attr in without_proof.split(',') {
            if let Some(v) = attr.strip_prefix("r=") {
                nonce_ok = v == self.nonce;
            } else if let Some(v) = attr.strip_prefix("c=") {
                binding_ok = v == "biws" || v == "eSws";
            }
        }
        if !nonce_ok || !binding_ok {
            return Err("the SCRAM client-final message does not continue this exchange");
        }
        let m = self.mechanism;
        let auth_message = format!("{},{},{}", self.client_first_bare, self.server_first, without_proof);
        let stored_key = B64.decode(&self.credential.stored_key).map_err(|_| "a damaged stored key")?;
        let server_key = B64.decode(&self.credential.server_key).map_err(|_| "a damaged stored key")?;
        let proof = B64.decode(proof).map_err(|_| "the proof is not base64")?;
        let signature = m.hmac(&stored_key, auth_message.as_bytes());
        if proof.len() != signature.len() {
            return Err("wrong password");
        }
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(a, b)| a ^ b).collect();
        use subtle::ConstantTimeEq;
        if !bool::from(m.hash(&client_key).ct_eq(&stored_key)) {
            return Err("wrong password");
        }
        Ok(format!("v={}", B64.encode(m.hmac(&server_key, auth_message.as_bytes()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7677_example_exchange_verifies() {
        // Verifies the server side against RFC 7677's SCRAM-SHA-256 example (user "user", password "pencil"): the client's proof is accepted and the server signature is the RFC's.
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let mut cred = Credential::derive(Mechanism::Sha256, "pencil", &salt);
        cred.iterations = 4096;
        let (user, nonce, bare) = client_first_user(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO").unwrap();
        assert_eq!((user.as_str(), nonce.as_str()), ("user", "rOprNGfwEbeRWgbNEkqO"));
        let mut x = Exchange::start(Mechanism::Sha256, cred, &nonce, bare);
        // The RFC's server nonce, to reproduce its messages.
        x.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".into();
        x.server_first = format!("r={},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", x.nonce);
        let final_msg = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        assert_eq!(x.finish(final_msg.as_bytes()).unwrap(), "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        let wrong = final_msg.replace("p=dHz", "p=eHz");
        assert_eq!(x.finish(wrong.as_bytes()), Err("wrong password"));
        assert!(client_first_user(b"p=tls-unique,,n=user,r=x").is_err(), "channel binding refused");
        assert!(client_first_user(b"n,a=admin,n=user,r=x").is_err(), "no impersonation");
    }
}
