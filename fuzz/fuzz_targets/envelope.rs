//! Any bytes read from the governance log: decoded into an envelope and its event, its
//! canonical form computed and its signature checked, or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshdesk_domain::Envelope;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::from_bytes(data) {
        let _ = env.decode();
        let _ = meshdesk_domain::trust::keys::canonical_bytes(&env);
        let _ = meshdesk_domain::trust::keys::verify(&env);
    }
});
