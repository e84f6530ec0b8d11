//! Live quality of a product: each port's metrics against the contract's SLA, and the
//! contract's record rules measured on the port's newest records.

use meshdesk_contract as c;
use meshdesk_domain::health::{self, HealthLevel, Observed};

use crate::{Meshdesk, ServiceError};

/// How many of a port's newest records the record rules are measured on.
const RULE_SAMPLE: usize = 200;
/// How long a measurement of the record rules is reused (the product page asks every 5 s).
const RULE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

impl Meshdesk {
    /// Live metrics of every port and the health badge they earn against the contract's SLA and
    /// its record rules (measured on the newest records).
    pub async fn product_health(&self, id: &str) -> Result<c::ProductHealth, ServiceError> {
        let p = self.published(id).await?.product;
        let mut ports = Vec::new();
        for port in &p.output_ports {
            let topic = port.topic.as_str();
            let mut ph = match self.topic_metrics(topic).await {
                Ok(m) => {
                    let seen = Observed {
                        newest_record_age_ms: m.newest_record_age_ms,
                        records_per_sec: m.records_per_sec,
                        consumer_lag: m.consumer_lag.iter().map(|g| (g.group.clone(), g.lag)).collect(),
                    };
                    let health = health::assess(&p.sla, &seen);
                    c::PortHealth {
                        topic: topic.to_owned(),
                        metrics: Some(m),
                        health,
                        error: None,
                        rules: vec![],
                        sampled: 0,
                    }
                }
                Err(e) => c::PortHealth {
                    topic: topic.to_owned(),
                    metrics: None,
                    health: c::Health {
                        level: HealthLevel::AtRisk,
                        reasons: vec![format!("the topic's metrics could not be read: {e}")],
                    },
                    error: Some(e.to_string()),
                    rules: vec![],
                    sampled: 0,
                },
            };
            if ph.error.is_none()
                && let Some((rules, sampled)) = self.rule_tallies(&p, port).await
            {
                if let Some(h) = meshdesk_domain::live_quality::quality_health(&rules) {
                    ph.health.level = ph.health.level.max(h.level);
                    ph.health.reasons.extend(h.reasons);
                }
                ph.rules = rules;
                ph.sampled = sampled;
            }
            ports.push(ph);
        }
        let level = ports.iter().map(|p| p.health.level).max().unwrap_or(HealthLevel::Healthy);
        Ok(c::ProductHealth { product: id.to_owned(), level, ports, freshness_sla_ms: p.sla.freshness_ms })
    }

    /// The contract's record rules on the port's newest records (at most [`RULE_SAMPLE`],
    /// decoded), measured again at most every [`RULE_EVERY`]; `None` without rules or records.
    async fn rule_tallies(
        &self,
        p: &meshdesk_domain::DataProduct,
        port: &meshdesk_domain::OutputPort,
    ) -> Option<(Vec<meshdesk_domain::live_quality::RuleTally>, u32)> {
        let schema = port.value_schema.as_ref()?;
        let rules = meshdesk_domain::live_quality::record_rules(p, schema);
        if rules.is_empty() {
            return None;
        }
        let key = format!("{}#{}", port.topic, rules.iter().map(|r| r.2.as_str()).collect::<Vec<_>>().join("|"));
        if let Some((at, tallies, n)) = self.rule_cache.lock().expect("rule_cache lock").get(&key).cloned()
            && at.elapsed() < RULE_EVERY
        {
            return Some((tallies, n));
        }
        let records = match self.sample_unmasked(port.topic.as_str(), RULE_SAMPLE).await {
            Ok(r) => r,
            Err(e) => {
                tracing::info!("record rules of {} not measured: {e}", port.topic);
                return None;
            }
        };
        let decoded: Vec<serde_json::Value> = records
            .into_iter()
            .filter_map(|r| match r.value {
                c::SampleValue::Decoded { json, .. } => Some(json),
                _ => None,
            })
            .collect();
        if decoded.is_empty() {
            return None;
        }
        let tallies = meshdesk_domain::live_quality::tally(&rules, &decoded);
        let n = decoded.len() as u32;
        self.rule_cache.lock().expect("rule_cache lock").insert(key, (std::time::Instant::now(), tallies.clone(), n));
        Some((tallies, n))
    }
}
