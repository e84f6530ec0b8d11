//! Policy findings for people: where a finding points, in words.

/// Where a finding is, in words: `ports[0].fields.sku` → "Port 1, field sku".
pub fn place(at: &str) -> String {
    fn words(part: &str) -> String {
        match part {
            "value_schema" => "value schema".into(),
            "key_schema" => "key schema".into(),
            "value_schema.compatibility" | "key_schema.compatibility" => {
                format!("{} compatibility", if part.starts_with("value") { "value schema" } else { "key schema" })
            }
            "retention_ms" => "retention".into(),
            "replication_factor" => "replication factor".into(),
            "cleanup_policy" => "cleanup policy".into(),
            "topic" => "topic name".into(),
            p if p.starts_with("fields.") => format!("field {}", &p["fields.".len()..]),
            p => p.replace(['_', '.'], " "),
        }
    }
    if let Some(rest) = at.strip_prefix("ports[")
        && let Some((n, tail)) = rest.split_once(']')
        && let Ok(i) = n.parse::<usize>()
    {
        let tail = tail.trim_start_matches('.');
        return if tail.is_empty() { format!("Port {}", i + 1) } else { format!("Port {}, {}", i + 1, words(tail)) };
    }
    match at.strip_prefix("product.") {
        Some(field) => format!("Product {}", words(field)),
        None if at == "ports" => "Output ports".into(),
        None => words(at),
    }
}
