//! Who reads a product, and how we know: a reader is **declared** (a derived product names the
//! product as an input, or a stream processor of another product reads it), **granted** (an
//! access grant in force, with its consumer-group prefix) or **observed** (a consumer group with
//! offsets committed on the product's topics). One reader can be all three; a declared
//! processor whose group is observed is **confirmed**. An observed group that nothing declares
//! or grants reads a restricted product unseen: it is flagged.

use serde::{Deserialize, Serialize};

/// A reader of a product, with where the knowledge comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    /// What to call it: a product's title, a processor's kind and name, a principal, a group.
    pub label: String,
    /// The product it belongs to (a derived product, or the product of a processor), if any.
    pub product: Option<String>,
    /// The consumer group it reads with, when known.
    pub group: Option<String>,
    /// A product declares it as an input port.
    pub declared: bool,
    /// An access grant in force names it.
    pub granted: bool,
    /// The cluster shows it reading (committed offsets).
    pub observed: bool,
    /// Observed reading a restricted product with nothing declaring or granting it.
    pub flagged: bool,
}

impl Reader {
    /// Declared and seen reading.
    pub fn confirmed(&self) -> bool {
        self.declared && self.observed
    }

    /// A word for the edge: `confirmed`, `declared`, `granted`, `observed` or `unknown reader`.
    pub fn provenance(&self) -> &'static str {
        match (self.flagged, self.confirmed(), self.declared, self.granted, self.observed) {
            (true, ..) => "unknown reader",
            (_, true, ..) => "confirmed",
            (_, _, true, ..) => "declared",
            (_, _, _, true, _) => "granted",
            _ => "observed",
        }
    }
}

/// A grant in force on the product: who, and the consumer-group prefix it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantReader {
    /// The consumer principal.
    pub principal: String,
    /// The consumer groups it may use start with this.
    pub group_prefix: String,
}

/// The readers of a product from what is declared (each with its group when it has one), the
/// grants in force and the groups observed on its topics.
pub fn readers(
    declared: &[Reader],
    grants: &[GrantReader],
    observed_groups: &[String],
    restricted: bool,
) -> Vec<Reader> {
    let mut out: Vec<Reader> = declared.iter().cloned().map(|r| Reader { declared: true, ..r }).collect();
    for g in grants {
        out.push(Reader {
            label: g.principal.clone(),
            product: None,
            group: Some(format!("{}*", g.group_prefix)),
            declared: false,
            granted: true,
            observed: false,
            flagged: false,
        });
    }
    for group in observed_groups {
        let declared = out.iter_mut().find(|r| r.declared && r.group.as_deref() == Some(group.as_str()));
        if let Some(r) = declared {
            r.observed = true;
            continue;
        }
        let granted = out.iter_mut().find(|r| {
            r.granted && r.group.as_deref().and_then(|p| p.strip_suffix('*')).is_some_and(|p| group.starts_with(p))
        });
        if let Some(r) = granted {
            r.observed = true;
            continue;
        }
        out.push(Reader {
            label: group.clone(),
            product: None,
            group: Some(group.clone()),
            declared: false,
            granted: false,
            observed: true,
            flagged: restricted,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processor(group: &str) -> Reader {
        Reader {
            label: format!("Kafka Streams {group}"),
            product: Some("sales.enriched-orders".into()),
            group: Some(group.into()),
            declared: true,
            granted: false,
            observed: false,
            flagged: false,
        }
    }

    #[test]
    fn observation_confirms_declared_and_granted_readers_and_flags_unknown_ones() {
        // Verifies a declared processor whose group commits offsets is confirmed, one that does not stays declared, a group under a grant's prefix is granted and observed, and an undeclared group is observed: flagged only on a restricted product.
        let grants = [GrantReader { principal: "User:sam".into(), group_prefix: "sales.".into() }];
        let observed = ["stock-enricher".to_owned(), "sales.dashboard".to_owned(), "mystery".to_owned()];
        let r = readers(&[processor("stock-enricher"), processor("idle")], &grants, &observed, false);
        let by = |l: &str| r.iter().find(|x| x.label.ends_with(l)).unwrap();
        assert_eq!(by("stock-enricher").provenance(), "confirmed");
        assert_eq!(by("idle").provenance(), "declared");
        let sam = by("User:sam");
        assert!(sam.granted && sam.observed);
        assert_eq!(by("mystery").provenance(), "observed");
        let r = readers(&[], &[], &observed, true);
        assert!(r.iter().all(|x| x.flagged && x.provenance() == "unknown reader"));
    }
}
