//! A product port's health badge, derived from live metrics against the contract's SLA. Pure:
//! the backend computes it, tests pin every rule.

use serde::{Deserialize, Serialize};

use crate::model::Sla;
use crate::time::duration_words as human_ms;

/// How a port stands against its SLA, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthLevel {
    /// Within the SLA.
    Healthy,
    /// The topic has never held a record: nothing to judge yet (neither healthy nor breaching).
    NoData,
    /// Close to the freshness SLA, or a consumer group is behind by more than it.
    AtRisk,
    /// The newest record is older than the freshness SLA.
    Breaching,
}

impl HealthLevel {
    /// The level in words, for the badge.
    pub fn label(self) -> &'static str {
        match self {
            HealthLevel::Healthy => "healthy",
            HealthLevel::NoData => "no data yet",
            HealthLevel::AtRisk => "at risk",
            HealthLevel::Breaching => "breaching",
        }
    }
}

/// A verdict and the sentences that explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// The verdict.
    pub level: HealthLevel,
    /// Why, in sentences.
    pub reasons: Vec<String>,
}

/// What the backend measured on a port's topic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// Milliseconds since the newest record's timestamp; `None` when the topic is empty.
    pub newest_record_age_ms: Option<i64>,
    /// Records per second over the recent window; `None` until it is known.
    pub records_per_sec: Option<f64>,
    /// Each consumer group's total lag in records.
    pub consumer_lag: Vec<(String, i64)>,
}

/// The share of the freshness SLA after which a port is "at risk".
pub const AT_RISK_SHARE: f64 = 0.8;

/// The health of one port: "no data yet" while the topic has never held a record (a product just
/// published or seeded is not failing anyone yet, nor proven healthy); else freshness against the
/// SLA (breaching when the newest record is older than the SLA, at risk past [`AT_RISK_SHARE`] of
/// it), and consumers that are further behind than the freshness SLA at the current rate (at risk).
pub fn assess(sla: &Sla, seen: &Observed) -> Health {
    let mut level = HealthLevel::Healthy;
    let mut reasons = Vec::new();
    match (sla.freshness_ms, seen.newest_record_age_ms) {
        (Some(sla_ms), None) => {
            level = HealthLevel::NoData;
            reasons.push(format!("no record has arrived yet; the freshness SLA is {}", human_ms(sla_ms)));
        }
        (None, None) => {
            level = HealthLevel::NoData;
            reasons.push("no record has arrived yet, and no freshness SLA is set".to_owned());
        }
        (None, Some(_)) => reasons.push("no freshness SLA is set".to_owned()),
        (Some(sla_ms), Some(age)) if age > sla_ms => {
            level = HealthLevel::Breaching;
            reasons.push(format!(
                "the newest record is {} old, beyond the freshness SLA of {}",
                human_ms(age),
                human_ms(sla_ms)
            ));
        }
        (Some(sla_ms), Some(age)) if age as f64 > sla_ms as f64 * AT_RISK_SHARE => {
            level = HealthLevel::AtRisk;
            reasons.push(format!(
                "the newest record is {} old, close to the freshness SLA of {}",
                human_ms(age),
                human_ms(sla_ms)
            ));
        }
        (Some(sla_ms), Some(age)) => {
            reasons.push(format!("the newest record is {} old (SLA {})", human_ms(age), human_ms(sla_ms)))
        }
    }
    if let (Some(sla_ms), Some(rate)) = (sla.freshness_ms, seen.records_per_sec)
        && rate > 0.0
    {
        for (group, lag) in &seen.consumer_lag {
            let behind_ms = (*lag as f64 / rate * 1000.0) as i64;
            if behind_ms > sla_ms {
                level = level.max(HealthLevel::AtRisk);
                reasons.push(format!("consumer group {group} is {lag} records (about {}) behind", human_ms(behind_ms)));
            }
        }
    }
    Health { level, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sla(min: i64) -> Sla {
        Sla { freshness_ms: Some(min * 60_000), ..Default::default() }
    }
    fn age(ms: i64) -> Observed {
        Observed { newest_record_age_ms: Some(ms), ..Default::default() }
    }

    #[test]
    fn freshness_decides_the_badge() {
        assert_eq!(assess(&sla(5), &age(60_000)).level, HealthLevel::Healthy);
        assert_eq!(assess(&sla(5), &age(4 * 60_000 + 1)).level, HealthLevel::AtRisk);
        assert_eq!(assess(&sla(5), &age(5 * 60_000)).level, HealthLevel::AtRisk, "at the SLA: not yet beyond");
        let late = assess(&sla(5), &age(7 * 60_000));
        assert_eq!(late.level, HealthLevel::Breaching);
        assert_eq!(late.reasons, ["the newest record is 7 min old, beyond the freshness SLA of 5 min"]);
        let empty = assess(&sla(5), &Observed::default());
        assert_eq!(empty.level, HealthLevel::NoData, "an empty topic is not judged yet");
        assert!(empty.reasons[0].starts_with("no record has arrived yet"));
    }

    #[test]
    fn without_a_freshness_sla_a_port_with_data_is_healthy_and_says_why() {
        let h = assess(&Sla::default(), &age(1_000));
        assert_eq!(h, Health { level: HealthLevel::Healthy, reasons: vec!["no freshness SLA is set".into()] });
        let empty = assess(&Sla::default(), &Observed::default());
        assert_eq!(empty.level, HealthLevel::NoData, "no data is not proof of health");
    }

    #[test]
    fn a_port_with_no_data_yet_ranks_below_any_problem() {
        // The product's badge is its worst port's: an empty port hides neither a late nor a
        // lagging one, and a healthy port does not hide an empty one.
        assert!(HealthLevel::Healthy < HealthLevel::NoData);
        assert!(HealthLevel::NoData < HealthLevel::AtRisk);
    }

    #[test]
    fn consumers_further_behind_than_the_sla_put_the_port_at_risk() {
        let seen = Observed {
            newest_record_age_ms: Some(1_000),
            records_per_sec: Some(10.0),
            consumer_lag: vec![("sales.stock-check".into(), 6_000), ("ok".into(), 100)],
        };
        let h = assess(&sla(5), &seen);
        assert_eq!(h.level, HealthLevel::AtRisk);
        assert_eq!(h.reasons[1], "consumer group sales.stock-check is 6000 records (about 10 min) behind");
        assert_eq!(h.reasons.len(), 2, "the group that keeps up is not mentioned");
        // Lag never improves a breach.
        let stale = Observed { newest_record_age_ms: Some(600_000), ..seen };
        assert_eq!(assess(&sla(5), &stale).level, HealthLevel::Breaching);
    }
}
