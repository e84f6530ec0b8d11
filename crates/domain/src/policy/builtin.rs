//! The built-in policies as the default global rule set: the same form as any rule a platform
//! team or a domain writes, generated from the organisation's settings ([`Policies`]).

use super::rules::{Rule, Scope, Target};
use super::{DAY_MS, Policies, Severity};

fn rule(
    id: &str,
    policy: &str,
    target: Target,
    severity: Severity,
    condition: impl Into<String>,
    at: &str,
    message: impl Into<String>,
) -> Rule {
    Rule {
        id: id.into(),
        policy: policy.into(),
        target,
        condition: condition.into(),
        severity,
        message: message.into(),
        at: at.into(),
        owner: Scope::Global,
    }
}

impl Policies {
    /// The built-in policies with these settings, as rules (the default global set).
    #[allow(clippy::too_many_lines)] // a table: the built-in rules, one literal each
    pub fn rules(&self) -> Vec<Rule> {
        use Severity::{Error, Warning};
        use Target::{Field, Port, Product, Schema};
        let n = self.min_description_len;
        let min = self.min_compatibility;
        let mut out = vec![
            rule(
                "required-metadata.title",
                "required-metadata",
                Product,
                Error,
                r#"product.title != """#,
                "product.title",
                "give the product a title",
            ),
            rule(
                "required-metadata.description",
                "required-metadata",
                Product,
                Error,
                format!("size(product.description) >= {n}"),
                "product.description",
                format!("describe the product in at least {n} characters"),
            ),
            rule(
                "required-metadata.owners",
                "required-metadata",
                Product,
                Error,
                "size(product.owners) > 0",
                "product.owners",
                "name at least one owner",
            ),
            rule(
                "required-metadata.ports",
                "required-metadata",
                Product,
                Error,
                "size(product.ports) > 0",
                "ports",
                "a product needs at least one output port",
            ),
            rule("naming.legal", "naming", Port, Error, r#"port.topic_problem == """#, "topic", "{port.topic_problem}"),
            rule(
                "naming.domain",
                "naming",
                Port,
                Error,
                r#"port.topic_problem != "" || port.topic_domain == product.domain"#,
                "topic",
                "topic `{port.topic}` must start with the product's domain: `{product.domain}.`",
            ),
            rule(
                "naming.collision",
                "naming",
                Port,
                Error,
                r#"port.collides_with == """#,
                "topic",
                "`{port.topic}` collides with the existing topic `{port.collides_with}`: Kafka refuses two topics whose names differ only by `.` and `_` (their metric names would be the same)",
            ),
            rule(
                "naming.unique",
                "naming",
                Port,
                Error,
                "!port.duplicate",
                "topic",
                "`{port.topic}` is used by two ports",
            ),
            rule(
                "bounds.partitions",
                "bounds",
                Port,
                Error,
                "port.partitions >= 1",
                "partitions",
                "a topic needs at least 1 partition",
            ),
            rule(
                "bounds.replication",
                "bounds",
                Port,
                Error,
                "port.replication_factor >= 1",
                "replication_factor",
                "the replication factor is at least 1",
            ),
        ];
        for b in &self.bounds {
            let c = b.classification;
            out.push(rule(
                &format!("bounds.{c}-partitions"),
                "bounds",
                Port,
                Error,
                format!(r#"product.classification != "{c}" || port.partitions <= {}"#, b.max_partitions),
                "partitions",
                format!("{{port.partitions}} partitions exceed the {c} maximum of {}", b.max_partitions),
            ));
        }
        for b in &self.bounds {
            let c = b.classification;
            let Some(max) = b.max_retention_ms else { continue };
            // A compacted topic keeps the latest record per key: its retention is not a bound.
            out.push(rule(
                &format!("bounds.{c}-retention"),
                "bounds",
                Port,
                Error,
                format!(
                    r#"product.classification != "{c}" || port.compacted || (port.retention_ms >= 0 && port.retention_ms <= {max})"#
                ),
                "retention_ms",
                format!(
                    "{c} data is kept at most {} days; this port keeps it {{port.retention_ms < 0 ? 'forever' : string(port.retention_ms / {DAY_MS}) + ' days'}}",
                    max / DAY_MS
                ),
            ));
        }
        out.extend([
            rule(
                "bounds.retention",
                "bounds",
                Port,
                Error,
                "port.retention_ms > 0 || port.retention_ms == -1",
                "retention_ms",
                "retention is -1 (forever) or a positive number of ms",
            ),
            rule(
                "compatibility.minimum",
                "compatibility",
                Schema,
                Error,
                format!(r#"at_least(schema.compatibility, "{min}")"#),
                "{schema.which}.compatibility",
                format!("{{schema.compatibility}} is weaker than the required {min}"),
            ),
            rule(
                "valid-schema.parses",
                "valid-schema",
                Schema,
                Error,
                r#"schema.error == """#,
                "{schema.which}",
                "the schema is not valid {schema.format_name}: {schema.error}",
            ),
            rule(
                "fields-documented.field",
                "fields-documented",
                Field,
                Error,
                "field.documented",
                "fields.{field.path}",
                "describe the field `{field.path}`",
            ),
            rule(
                "pii.flagged",
                "pii",
                Field,
                Warning,
                "field.pii || field.parent_pii || !field.looks_like_pii",
                "fields.{field.path}",
                "`{field.path}` looks like personal data: flag it as PII in the contract, or say why not",
            ),
            rule(
                "pii.not-public",
                "pii",
                Field,
                Error,
                r#"!field.pii || field.parent_pii || product.classification != "public""#,
                "fields.{field.path}",
                "`{field.path}` is personal data and cannot be in a public product",
            ),
        ]);
        out
    }
}
