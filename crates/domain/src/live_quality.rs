//! The contract's record rules measured on live data: the same CEL expressions the registry
//! carries for Confluent's serializers (`export::registry_contract`), evaluated here on sampled
//! records (decoded to JSON), with pass and fail counts per rule, and what they mean for a port's
//! health.

use std::collections::HashMap;

use cel::common::types::{CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Program, Value as Cel};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::health::{Health, HealthLevel};
use crate::model::{DataProduct, SchemaRef};

/// How deep a record is turned into CEL values; deeper parts are left out (as null).
const MAX_DEPTH: usize = 64;

/// One record rule with what the sampled records made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTally {
    /// The rule's name.
    pub name: String,
    /// The expectation in words (`quantity >= 0`).
    pub doc: String,
    /// The rule's CEL expression.
    pub expr: String,
    /// Records that met it.
    pub passed: u32,
    /// Records that broke it.
    pub failed: u32,
    /// Records the rule could not be evaluated on (a field of another type), with the first reason.
    pub errors: u32,
    /// Why the first of those could not be evaluated.
    pub first_error: Option<String>,
}

/// The record rules of a product's schema, as the registry carries them: (name, doc, expr).
pub fn record_rules(p: &DataProduct, s: &SchemaRef) -> Vec<(String, String, String)> {
    let contract = crate::export::registry_contract(p, s, None);
    contract
        .rule_set
        .and_then(|r| r.get("domainRules").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            (s("name"), s("doc"), s("expr"))
        })
        .collect()
}

struct Message<'a>(&'a (dyn Val + 'static));

impl VariableResolver for Message<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        (variable == "message").then_some(CowVal::Borrowed(self.0))
    }
}

fn to_cel(v: &Value, depth: usize) -> Box<dyn Val + 'static> {
    if depth > MAX_DEPTH {
        return Box::new(CelNull);
    }
    match v {
        Value::Null => Box::new(CelNull),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => Box::new(CelString::from(s.clone())),
        Value::Array(items) => Box::new(CelList::from(items.iter().map(|x| to_cel(x, depth + 1)).collect::<Vec<_>>())),
        Value::Object(m) => {
            let entries: HashMap<CelMapKey<'static>, Box<dyn Val + 'static>> =
                m.iter().map(|(k, x)| (CelMapKey::from(k.clone()), to_cel(x, depth + 1))).collect();
            Box::new(CelMap::from(entries))
        }
    }
}

/// Each rule on each record: passed when the expression is `true`, failed when `false`, an
/// error otherwise (it did not compile, or the record does not have what it reads).
pub fn tally(rules: &[(String, String, String)], records: &[Value]) -> Vec<RuleTally> {
    let root: Context<'static, '_> = Context::default();
    let messages: Vec<Box<dyn Val + 'static>> = records.iter().map(|r| to_cel(r, 0)).collect();
    rules
        .iter()
        .map(|(name, doc, expr)| {
            let mut t = RuleTally {
                name: name.clone(),
                doc: doc.clone(),
                expr: expr.clone(),
                passed: 0,
                failed: 0,
                errors: 0,
                first_error: None,
            };
            let program = match Program::compile(expr) {
                Ok(p) => p,
                Err(e) => {
                    t.errors = records.len() as u32;
                    t.first_error = Some(format!("the rule is not valid CEL: {e}"));
                    return t;
                }
            };
            for m in &messages {
                let vars = Message(m.as_ref());
                let mut ctx = root.new_inner_scope();
                ctx.set_variable_resolver(&vars);
                match program.execute(&ctx) {
                    Ok(Cel::Bool(true)) => t.passed += 1,
                    Ok(Cel::Bool(false)) => t.failed += 1,
                    Ok(other) => {
                        t.errors += 1;
                        t.first_error.get_or_insert_with(|| format!("the rule gave {other:?}, not true or false"));
                    }
                    Err(e) => {
                        t.errors += 1;
                        t.first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            t
        })
        .collect()
}

/// What the tallies say about a port: at risk when sampled records break a rule (or a rule
/// cannot be evaluated on them); `None` when every rule held (or nothing was sampled).
pub fn quality_health(tallies: &[RuleTally]) -> Option<Health> {
    let mut reasons = Vec::new();
    for t in tallies {
        let seen = t.passed + t.failed + t.errors;
        if t.failed > 0 {
            reasons.push(format!("{} of {seen} sampled records break `{}`", t.failed, t.doc));
        }
        if t.errors > 0 {
            reasons.push(format!(
                "`{}` could not be checked on {} of {seen} sampled records: {}",
                t.doc,
                t.errors,
                t.first_error.clone().unwrap_or_default()
            ));
        }
    }
    (!reasons.is_empty()).then_some(Health { level: HealthLevel::AtRisk, reasons })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn stock_levels_rules_count_the_records_that_break_them() {
        // Verifies the record rules of Stock levels (the same CEL the registry carries) on decoded records: a negative quantity and a null productId are counted as failures, good records as passes, a record whose quantity is text as an error with the reason, and the port is at risk with the counts in words.
        let p = seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").unwrap();
        let rules = record_rules(&p, p.output_ports[0].value_schema.as_ref().unwrap());
        assert_eq!(rules.len(), 2, "{rules:?}");
        let records = vec![
            serde_json::json!({"productId": "A", "locationId": "W", "quantity": 3, "timestamp": 1}),
            serde_json::json!({"productId": "B", "locationId": "W", "quantity": -1, "timestamp": 1}),
            serde_json::json!({"productId": null, "locationId": "W", "quantity": 0, "timestamp": 1}),
            serde_json::json!({"productId": "C", "locationId": "W", "quantity": "many", "timestamp": 1}),
        ];
        let t = tally(&rules, &records);
        let q = t.iter().find(|x| x.expr == "message.quantity >= 0").unwrap();
        assert_eq!((q.passed, q.failed, q.errors), (2, 1, 1), "{q:?}");
        assert!(q.first_error.is_some());
        let n = t.iter().find(|x| x.expr == "message.productId != null").unwrap();
        assert_eq!((n.passed, n.failed, n.errors), (3, 1, 0), "{n:?}");
        let h = quality_health(&t).unwrap();
        assert_eq!(h.level, HealthLevel::AtRisk);
        assert!(h.reasons.iter().any(|r| r == "1 of 4 sampled records break `quantity >= 0`"), "{h:?}");
        let good = tally(&rules, &records[..1]);
        assert_eq!(quality_health(&good), None);
    }
}
