//! Valid Avro schemas a hostile owner can publish, every field documented (so they pass the
//! policies and are indexed, the most work a fold does for a product): deep, wide, recursive, named types reused at
//! every level, huge enums and unions. Shared by the fold's tests and the hostile-fold benchmark
//! (`benches/hostile_fold.rs` includes this file).

/// A record nested `depth` levels deep whose every level uses the level below twice (once defined,
/// once by name): 2^(depth+1) field paths in a schema of a few KiB.
pub fn nested_reuse(depth: usize) -> String {
    reuse(depth, 2)
}

/// `depth` levels, each with `width` fields of the level below (the first defines it, the others
/// name it): width^depth field paths.
pub fn reuse(depth: usize, width: usize) -> String {
    let mut t = r#"{"type":"record","name":"L0","fields":[{"name":"x","type":"int","doc":"d"}]}"#.to_owned();
    for level in 1..=depth {
        let below = format!("L{}", level - 1);
        let mut fields = vec![format!(r#"{{"name":"f0","type":{t},"doc":"d"}}"#)];
        for i in 1..width.max(1) {
            fields.push(format!(r#"{{"name":"f{i}","type":"{below}","doc":"d"}}"#));
        }
        t = format!(r#"{{"type":"record","name":"L{level}","fields":[{}]}}"#, fields.join(","));
    }
    t
}

/// One record with `n` fields.
pub fn wide(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!(r#"{{"name":"f{i}","type":"int","doc":"field {i}"}}"#)).collect();
    format!(r#"{{"type":"record","name":"Wide","fields":[{}]}}"#, fields.join(","))
}

/// `n` records that each refer to the next and the first (mutual recursion).
pub fn recursive(n: usize) -> String {
    let n = n.max(1);
    let mut t = format!(
        r#"{{"type":"record","name":"R{}","fields":[{{"name":"back","type":["null","R0"],"doc":"d"}}]}}"#,
        n - 1
    );
    for i in (0..n - 1).rev() {
        t = format!(
            r#"{{"type":"record","name":"R{i}","fields":[{{"name":"v","type":"int","doc":"d"}},{{"name":"next","type":["null",{t}],"doc":"d"}},{{"name":"self","type":["null","R{i}"],"doc":"d"}}]}}"#
        );
    }
    t
}

/// A record with one enum field of `n` symbols.
pub fn big_enum(n: usize) -> String {
    let symbols: Vec<String> = (0..n).map(|i| format!(r#""S{i}""#)).collect();
    format!(
        r#"{{"type":"record","name":"E","fields":[{{"name":"e","type":{{"type":"enum","name":"Big","symbols":[{}]}},"doc":"d"}}]}}"#,
        symbols.join(",")
    )
}

/// A record with one field, a union of `n` records of two fields each.
pub fn big_union(n: usize) -> String {
    let branches: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"type":"record","name":"B{i}","fields":[{{"name":"a","type":"int","doc":"d"}},{{"name":"b","type":"string","doc":"d"}}]}}"#))
        .collect();
    format!(
        r#"{{"type":"record","name":"U","fields":[{{"name":"u","type":["null",{}],"doc":"d"}}]}}"#,
        branches.join(",")
    )
}

/// Arrays and maps nested `depth` levels around a record that reuses itself.
pub fn deep_containers(depth: usize) -> String {
    let mut t = r#"{"type":"record","name":"Leaf","fields":[{"name":"x","type":"int","doc":"d"}]}"#.to_owned();
    for level in 0..depth {
        t = if level % 2 == 0 {
            format!(r#"{{"type":"array","items":{t}}}"#)
        } else {
            format!(r#"{{"type":"map","values":{t}}}"#)
        };
    }
    format!(
        r#"{{"type":"record","name":"Outer","fields":[{{"name":"deep","type":{t},"doc":"d"}},{{"name":"again","type":"Leaf","doc":"d"}}]}}"#
    )
}

/// One of each kind, at sizes that stay under a governance event's limit.
pub fn all_kinds() -> Vec<String> {
    vec![
        nested_reuse(40),
        reuse(12, 6),
        wide(10_000),
        recursive(200),
        big_enum(20_000),
        big_union(2_000),
        deep_containers(120),
    ]
}

/// A small deterministic generator (xorshift), so every run draws the same shapes.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// A random hostile shape within a governance event's size.
pub fn random(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => reuse(1 + rng.below(60) as usize, 2 + rng.below(3) as usize),
        1 => wide(1 + rng.below(20_000) as usize),
        2 => recursive(1 + rng.below(400) as usize),
        3 => big_enum(1 + rng.below(30_000) as usize),
        4 => big_union(1 + rng.below(3_000) as usize),
        _ => deep_containers(1 + rng.below(120) as usize),
    }
}
