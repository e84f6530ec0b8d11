//! A bounded walk over one Avro binary datum (the payload of a record), before any decoder
//! allocates for it: a record read from a topic is hostile input. The walk allocates nothing,
//! and refuses a datum that claims more items than `Limits::max_items` in all (an array of a
//! billion nulls costs no bytes, so bytes alone bound nothing), nests deeper than
//! `Limits::max_depth`, or runs past its end. Only then is it handed to a decoder.

use super::avro::{AvroSchema, AvroType, NamedKind};

/// How much of a record a datum check walks before refusing it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Array items, map entries, record fields and scalars, in all.
    pub max_items: u64,
    /// Nesting of arrays, maps, unions and records.
    pub max_depth: usize,
}

/// What sampling allows per record.
pub const SAMPLE_LIMITS: Limits = Limits { max_items: 100_000, max_depth: 64 };

/// Why a datum is refused, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatumError {
    /// More values than [`Limits::max_items`].
    #[error("the record holds more than {0} values")]
    TooManyValues(u64),
    /// The bytes end before the schema says.
    #[error("the record ends {0} byte(s) early")]
    EndsEarly(u64),
    /// The bytes end inside a variable-length number.
    #[error("the record ends inside a number")]
    EndsInNumber,
    /// A variable-length number longer than 64 bits.
    #[error("a number longer than 64 bits")]
    NumberTooLong,
    /// A negative length for bytes, a string or a block.
    #[error("a negative length ({0})")]
    NegativeLength(i64),
    /// Nested deeper than [`Limits::max_depth`].
    #[error("the record nests deeper than {0} levels")]
    TooDeep(usize),
    /// A union index outside the union.
    #[error("union branch {0} does not exist")]
    NoSuchBranch(i64),
    /// A named type reference that does not resolve.
    #[error("a schema reference that does not resolve")]
    Unresolved,
    /// An enum index outside the symbols.
    #[error("enum index {0} is not a symbol")]
    NoSuchSymbol(i64),
}

struct Walk<'a> {
    schema: &'a AvroSchema,
    bytes: &'a [u8],
    pos: usize,
    items: u64,
    limits: Limits,
}

/// Checks that `bytes` is one datum of `schema` within `limits`; `Ok(n)` is the bytes it took.
pub fn check_datum(schema: &AvroSchema, bytes: &[u8], limits: Limits) -> Result<usize, DatumError> {
    let mut w = Walk { schema, bytes, pos: 0, items: 0, limits };
    w.value(&schema.root, 0)?;
    Ok(w.pos)
}

impl Walk<'_> {
    fn count(&mut self, n: u64) -> Result<(), DatumError> {
        self.items = self.items.saturating_add(n);
        if self.items > self.limits.max_items {
            return Err(DatumError::TooManyValues(self.limits.max_items));
        }
        Ok(())
    }

    fn take(&mut self, n: u64) -> Result<(), DatumError> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(DatumError::EndsEarly(n - left));
        }
        self.pos += n as usize;
        Ok(())
    }

    /// A zig-zag varint (at most 10 bytes).
    fn long(&mut self) -> Result<i64, DatumError> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.bytes.get(self.pos) else { return Err(DatumError::EndsInNumber) };
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(DatumError::NumberTooLong);
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(((v >> 1) as i64) ^ -((v & 1) as i64));
            }
        }
        Err(DatumError::NumberTooLong)
    }

    fn length(&mut self) -> Result<u64, DatumError> {
        let n = self.long()?;
        u64::try_from(n).map_err(|_| DatumError::NegativeLength(n))
    }

    fn value(&mut self, t: &AvroType, depth: usize) -> Result<(), DatumError> {
        if depth > self.limits.max_depth {
            return Err(DatumError::TooDeep(self.limits.max_depth));
        }
        self.count(1)?;
        match t {
            AvroType::Null => Ok(()),
            AvroType::Boolean => self.take(1),
            AvroType::Int | AvroType::Long => self.long().map(|_| ()),
            AvroType::Float => self.take(4),
            AvroType::Double => self.take(8),
            AvroType::Bytes | AvroType::String => {
                let n = self.length()?;
                self.take(n)
            }
            AvroType::Logical(inner, _) => self.value(inner, depth),
            AvroType::Array(items) => self.blocks(|w| w.value(items, depth + 1)),
            AvroType::Map(values) => self.blocks(|w| {
                let n = w.length()?;
                w.take(n)?;
                w.value(values, depth + 1)
            }),
            AvroType::Union(branches) => {
                let i = self.long()?;
                let b = usize::try_from(i).ok().and_then(|i| branches.get(i)).ok_or(DatumError::NoSuchBranch(i))?;
                self.value(b, depth + 1)
            }
            AvroType::Named(i) => {
                let named = self.schema.named.get(*i).ok_or(DatumError::Unresolved)?;
                match &named.kind {
                    NamedKind::Record { fields } => {
                        for f in fields {
                            self.value(&f.ty, depth + 1)?;
                        }
                        Ok(())
                    }
                    NamedKind::Enum { symbols, .. } => {
                        let i = self.long()?;
                        if usize::try_from(i).is_ok_and(|i| i < symbols.len()) {
                            Ok(())
                        } else {
                            Err(DatumError::NoSuchSymbol(i))
                        }
                    }
                    NamedKind::Fixed { size } => self.take(*size),
                }
            }
        }
    }

    /// Array and map blocks: a count (negative: followed by the block's size), then items,
    /// until a count of 0.
    fn blocks(&mut self, mut item: impl FnMut(&mut Self) -> Result<(), DatumError>) -> Result<(), DatumError> {
        loop {
            let n = self.long()?;
            if n == 0 {
                return Ok(());
            }
            if n < 0 {
                self.length()?;
            }
            let count = n.unsigned_abs();
            // Each item is counted before it is walked, so a huge claim fails fast.
            if self.items.saturating_add(count) > self.limits.max_items {
                return Err(DatumError::TooManyValues(self.limits.max_items));
            }
            for _ in 0..count {
                item(self)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zigzag(n: i64) -> Vec<u8> {
        let mut v = ((n << 1) ^ (n >> 63)) as u64;
        let mut out = vec![];
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    #[test]
    fn hostile_datums_are_refused_before_any_allocation() {
        // Verifies the bounded walk: a valid record passes with its length; an array claiming 500 million nulls, one claim per block repeated, a string longer than the record, a bad union branch or enum index, a truncated number and deep nesting are each refused with a reason.
        let schema = AvroSchema::parse(
            r#"{"type":"record","name":"R","fields":[
                {"name":"id","type":"string"},{"name":"n","type":["null","long"]},
                {"name":"tags","type":{"type":"array","items":"string"}},
                {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B"]}}]}"#,
        )
        .unwrap();
        let mut ok = zigzag(3);
        ok.extend(b"abc");
        ok.extend(zigzag(1));
        ok.extend(zigzag(42));
        ok.extend(zigzag(1));
        ok.extend(zigzag(1));
        ok.extend(b"x");
        ok.extend(zigzag(0));
        ok.extend(zigzag(1));
        assert_eq!(check_datum(&schema, &ok, SAMPLE_LIMITS), Ok(ok.len()));

        let nulls = AvroSchema::parse(r#"{"type":"array","items":"null"}"#).unwrap();
        let mut bomb = zigzag(500_000_000);
        bomb.extend(zigzag(0));
        assert!(check_datum(&nulls, &bomb, SAMPLE_LIMITS).unwrap_err().to_string().contains("more than 100000 values"));
        let blocks: Vec<u8> = std::iter::repeat_n(zigzag(90_000), 3).flatten().chain(zigzag(0)).collect();
        assert!(check_datum(&nulls, &blocks, SAMPLE_LIMITS).unwrap_err().to_string().contains("more than"));

        let s = AvroSchema::parse(r#""string""#).unwrap();
        let mut long_string = zigzag(1 << 40);
        long_string.extend(b"abc");
        assert!(check_datum(&s, &long_string, SAMPLE_LIMITS).unwrap_err().to_string().contains("ends"));
        let u = AvroSchema::parse(r#"["null","long"]"#).unwrap();
        assert!(check_datum(&u, &zigzag(7), SAMPLE_LIMITS).unwrap_err().to_string().contains("branch 7"));
        assert!(check_datum(&u, &[0x82], SAMPLE_LIMITS).unwrap_err().to_string().contains("inside a number"));
        let e = AvroSchema::parse(r#"{"type":"enum","name":"E","symbols":["A"]}"#).unwrap();
        assert!(check_datum(&e, &zigzag(5), SAMPLE_LIMITS).unwrap_err().to_string().contains("enum index 5"));
        let deep = AvroSchema::parse(r#"{"type":"array","items":{"type":"array","items":"null"}}"#).unwrap();
        let tight = Limits { max_items: 1_000, max_depth: 1 };
        let mut nested = zigzag(1);
        nested.extend(zigzag(1));
        nested.extend(zigzag(0));
        nested.extend(zigzag(0));
        assert!(check_datum(&deep, &nested, tight).unwrap_err().to_string().contains("deeper"));
    }
}
