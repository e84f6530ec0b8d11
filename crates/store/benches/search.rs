//! Catalog search over 10,000 generated products with 200,000 schema fields: p50 and p95 query
//! time of the FTS5 search (facets included), and the same matching done with `LIKE` scans.
//!
//! Run: `cargo bench -p meshdesk-store --bench search` (set `MESHDESK_BENCH_DB=FILE` to keep the
//! generated database for inspection).
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use std::time::{Duration, Instant};

use meshdesk_domain::{Classification, DataProduct, Envelope, EventBody, ProductId, TopicName, seed};
use meshdesk_store::{LogRecord, SearchQuery, Store};
use sqlx::Row;

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, as a
/// quick smoke run on a tenth of the data (its figures are not the benchmark's).
fn products_count() -> usize {
    if std::env::args().any(|a| a == "--bench") { 10_000 } else { 1_000 }
}
const FIELDS: usize = 20;
const VOCABULARY: usize = 2_000;
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ro", "su", "ta", "vi", "ze", "bu", "do", "fe", "gi", "ha", "ju", "pe", "qua", "sa", "to",
    "wa",
];

/// 2,000 made-up words of two or three syllables: a vocabulary where each word is in about 5%
/// of the products, as real catalogs go (a query matches some products, not all).
fn vocabulary() -> Vec<String> {
    let n = SYLLABLES.len();
    (0..VOCABULARY)
        .map(|i| {
            let (a, b, c) = (i % n, (i / n) % n, (i / (n * n)) % n);
            if i < n * n {
                format!("{}{}", SYLLABLES[a], SYLLABLES[b])
            } else {
                format!("{}{}{}", SYLLABLES[a], SYLLABLES[b], SYLLABLES[c + 1])
            }
        })
        .collect()
}

/// A deterministic pseudo-random sequence (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn product(i: usize, template: &DataProduct, vocab: &[String], rng: &mut Lcg) -> DataProduct {
    let mut w = || vocab[rng.next(vocab.len())].clone();
    let mut p = template.clone();
    let domain = ["inventory", "sales", "customer"][i % 3];
    p.id = ProductId::parse(&format!("{domain}.{}-{i}", w())).unwrap();
    p.domain = p.id.domain();
    p.title = format!("{} {}", w(), w());
    p.description = format!("Events about {} and {} for the {} {} {}.", w(), w(), w(), w(), w());
    p.classification = [Classification::Public, Classification::Internal, Classification::Confidential][i % 3];
    p.tags = vec![w(), format!("tier-{}", i % 4)];
    let fields: Vec<String> = (0..FIELDS)
        .map(|f| {
            let (a, b) = (w(), w());
            let b = format!("{}{}", b[..1].to_uppercase(), &b[1..]);
            format!(r#"{{"name": "{a}{b}{f}", "type": "string", "doc": "The {} of the {} {}."}}"#, w(), w(), w())
        })
        .collect();
    let port = &mut p.output_ports[0];
    port.topic = TopicName::parse(&format!("{domain}.{}-{i}", w())).unwrap();
    let vs = port.value_schema.as_mut().unwrap();
    vs.schema = format!(r#"{{"type": "record", "name": "R{i}", "fields": [{}]}}"#, fields.join(", "));
    p
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = std::env::var_os("MESHDESK_BENCH_DB").map(std::path::PathBuf::from).unwrap_or(dir.path().join("bench.db"));
    let store = Store::open(&db).await?;
    let template = seed::products().remove(0);
    let vocab = vocabulary();
    let mut rng = Lcg(42);
    let t = Instant::now();
    let products = products_count();
    if products < 10_000 {
        println!("smoke run on {products} products (cargo bench runs the full 10,000)");
    }
    for chunk in (0..products).collect::<Vec<_>>().chunks(1000) {
        let records: Vec<LogRecord> = chunk
            .iter()
            .map(|&i| LogRecord {
                offset: i as i64,
                timestamp_ms: Some(0),
                envelope: Ok(Envelope::new(
                    format!("p{i}"),
                    "User:bench",
                    0,
                    &EventBody::ProductPublished(product(i, &template, &vocab, &mut rng)),
                )),
            })
            .collect();
        // Search is measured here, not trust: the generated products go in as unsigned legacy
        // events (the fold's trust checks are measured by the service's fold bench).
        let legacy =
            meshdesk_domain::trust::TrustRoot { accept_unsigned_before_offset: Some(i64::MAX), ..Default::default() };
        store.apply("bench", &legacy, &records).await?;
    }
    println!("indexed {products} products with {} fields in {:.1} s", products * FIELDS, t.elapsed().as_secs_f64());

    // 200 queries: whole words, three-letter prefixes (typing), word pairs, and words with a
    // domain filter.
    let mut qrng = Lcg(7);
    let queries: Vec<(String, Option<String>)> = (0..200)
        .map(|i| {
            let w = vocab[qrng.next(vocab.len())].clone();
            match i % 4 {
                0 => (w, None),
                1 => (w[..3].to_owned(), None),
                2 => (format!("{w} {}", vocab[qrng.next(vocab.len())]), None),
                _ => (w, Some(["inventory", "sales", "customer"][i % 3].to_owned())),
            }
        })
        .collect();
    let mut fts = Vec::new();
    let mut by_kind: [Vec<(Duration, i64)>; 4] = Default::default();
    let mut total_hits = 0i64;
    for (i, (q, domain)) in queries.iter().enumerate() {
        let t = Instant::now();
        let r = store
            .search(&SearchQuery { text: Some(q.clone()), domain: domain.clone(), limit: 50, ..Default::default() })
            .await?;
        fts.push(t.elapsed());
        by_kind[i % 4].push((t.elapsed(), r.total));
        total_hits += r.total;
        std::hint::black_box(r);
    }

    // The same matching with LIKE: every word somewhere in the indexed text; all matches, as
    // counts and facets need the whole set.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("bench.db").display())).await?;
    let mut like = Vec::new();
    for (q, _) in &queries {
        let words: Vec<String> = q.split_whitespace().map(|w| format!("%{}%", w.to_lowercase())).collect();
        let cond = words
            .iter()
            .map(|_| "lower(title || ' ' || description || ' ' || tags || ' ' || owners || ' ' || topics || ' ' || fields || ' ' || docs) LIKE ?")
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!("SELECT product_id FROM product_search WHERE {cond}");
        let t = Instant::now();
        let mut query = sqlx::query(&sql);
        for w in &words {
            query = query.bind(w);
        }
        let rows = query.fetch_all(&pool).await?;
        like.push(t.elapsed());
        std::hint::black_box(rows.iter().map(|r| r.get::<String, _>(0)).collect::<Vec<_>>());
    }
    let (f50, f95) = (pct(&mut fts, 0.5), pct(&mut fts, 0.95));
    let (l50, l95) = (pct(&mut like, 0.5), pct(&mut like, 0.95));
    println!(
        "search over {products} products / {} fields, 200 queries (FTS5, with facets and highlights):",
        products * FIELDS
    );
    println!(
        "  p50 {f50:?}, p95 {f95:?}  (target p95 under 10 ms); {} products match a query on average",
        total_hits / queries.len() as i64
    );
    for (name, v) in ["word", "3-letter prefix", "two words", "word + domain filter"].iter().zip(by_kind.iter_mut()) {
        let hits = v.iter().map(|x| x.1).sum::<i64>() / v.len() as i64;
        let mut d: Vec<Duration> = v.iter().map(|x| x.0).collect();
        println!("  {name:>20}: p50 {:?}, p95 {:?}, {hits} matches on average", pct(&mut d, 0.5), pct(&mut d, 0.95));
    }
    println!("the same matching with LIKE scans (no facets): p50 {l50:?}, p95 {l95:?}");
    println!("ratio at p50: LIKE / FTS5 = {:.1}x", l50.as_secs_f64() / f50.as_secs_f64());
    Ok(())
}
