//! Wide schema pairs for the compatibility benchmarks (the native one in the service crate and
//! the wasm one here include this file).
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

/// A record with `n` fields of mixed types (primitives, optionals, arrays, maps, enums, nested
/// records); `evolved` widens every int to long and adds one optional field.
pub fn avro(n: usize, evolved: bool) -> String {
    let mut fields = Vec::with_capacity(n + 1);
    for i in 0..n {
        let ty = match i % 8 {
            0 => {
                if evolved {
                    r#""long""#.to_owned()
                } else {
                    r#""int""#.to_owned()
                }
            }
            1 => r#""string""#.to_owned(),
            2 => r#""double""#.to_owned(),
            3 => r#"["null", "string"]"#.to_owned(),
            4 => r#"{"type": "array", "items": "string"}"#.to_owned(),
            5 => r#"{"type": "map", "values": "long"}"#.to_owned(),
            6 => format!(r#"{{"type": "enum", "name": "E{i}", "symbols": ["A", "B", "C"]}}"#),
            _ => format!(
                r#"{{"type": "record", "name": "N{i}", "fields": [{{"name": "x", "type": "int"}}, {{"name": "y", "type": "string"}}]}}"#
            ),
        };
        let default = if i % 8 == 3 { r#", "default": null"# } else { "" };
        fields.push(format!(r#"{{"name": "f{i}", "type": {ty}{default}, "doc": "Field number {i}."}}"#));
    }
    if evolved {
        fields.push(r#"{"name": "added", "type": ["null", "string"], "default": null}"#.to_owned());
    }
    format!(r#"{{"type": "record", "name": "Wide", "namespace": "bench", "fields": [{}]}}"#, fields.join(", "))
}
