//! A small JSON parser that remembers where every value and key starts (line and column, both
//! from 1), so schema errors can point at the exact place in the text the owner typed.

use std::fmt;

/// A position in the text: line and column (in characters), both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Pos {
    /// The line, from 1.
    pub line: u32,
    /// The column in characters, from 1.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A JSON value whose parts remember where they start.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, with its text as written.
    Number(f64, String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Spanned>),
    /// An object's members, in the text's order.
    Object(Vec<(Spanned<String>, Spanned)>),
}

/// A value with where it starts in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T = Json> {
    /// Where the value starts.
    pub pos: Pos,
    /// The value.
    pub value: T,
}

impl Spanned {
    /// An object's member named `key`.
    pub fn get(&self, key: &str) -> Option<&Spanned> {
        match &self.value {
            Json::Object(members) => members.iter().find(|(k, _)| k.value == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// Where an object's key `key` starts.
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        match &self.value {
            Json::Object(members) => members.iter().find(|(k, _)| k.value == key).map(|(k, _)| k.pos),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
    /// Plain JSON, for defaults and comparisons.
    pub fn to_value(&self) -> serde_json::Value {
        match &self.value {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(_, text) => serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(a) => serde_json::Value::Array(a.iter().map(Spanned::to_value).collect()),
            Json::Object(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.value.clone(), v.to_value())).collect())
            }
        }
    }
    /// The kind of value, for messages: `a string`, `an object`, ...
    pub fn kind(&self) -> &'static str {
        match self.value {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(..) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// A syntax error with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where the error is.
    pub pos: Pos,
    /// What is wrong, for people.
    pub message: String,
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: u32,
    column: u32,
}

impl<'a> Parser<'a> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column }
    }
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, JsonError> {
        Err(JsonError { pos: self.pos(), message: message.into() })
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }
    fn expect_word(&mut self, word: &str, value: Json) -> Result<Json, JsonError> {
        let start = self.pos();
        for w in word.chars() {
            if self.peek() != Some(w) {
                return Err(JsonError { pos: start, message: format!("unexpected text; did you mean `{word}`?") });
            }
            self.bump();
        }
        Ok(value)
    }
    fn value(&mut self, depth: usize) -> Result<Spanned, JsonError> {
        if depth > 256 {
            return self.err("the schema is nested too deeply");
        }
        self.ws();
        let pos = self.pos();
        let value = match self.peek() {
            None => return self.err("the text ends where a value was expected"),
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => Json::String(self.string()?),
            Some('t') => self.expect_word("true", Json::Bool(true))?,
            Some('f') => self.expect_word("false", Json::Bool(false))?,
            Some('n') => self.expect_word("null", Json::Null)?,
            Some(c) if c == '-' || c.is_ascii_digit() => self.number()?,
            Some(c) => return self.err(format!("unexpected `{c}` where a value was expected")),
        };
        Ok(Spanned { pos, value })
    }
    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.bump();
        let mut members = Vec::new();
        self.ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Json::Object(members));
        }
        // Names seen so far: a hash set, so an object of n members costs O(n), not O(n²).
        let mut seen = std::collections::HashSet::new();
        loop {
            self.ws();
            let kpos = self.pos();
            if self.peek() != Some('"') {
                return match self.peek() {
                    Some('}') => self.err("a comma before `}` is not allowed in JSON"),
                    _ => self.err("expected a member name in double quotes"),
                };
            }
            let key = self.string()?;
            if !seen.insert(key.clone()) {
                return Err(JsonError { pos: kpos, message: format!("`{key}` appears twice in this object") });
            }
            self.ws();
            if self.peek() != Some(':') {
                return self.err(format!("expected `:` after \"{key}\""));
            }
            self.bump();
            let v = self.value(depth + 1)?;
            members.push((Spanned { pos: kpos, value: key }, v));
            self.ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(Json::Object(members));
                }
                None => return self.err("the object is not closed: `}` is missing"),
                Some(c) => return self.err(format!("expected `,` or `}}` after a member, found `{c}`")),
            }
        }
    }
    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.bump();
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            if self.peek() == Some(']') {
                return self.err("a comma before `]` is not allowed in JSON");
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(Json::Array(items));
                }
                None => return self.err("the array is not closed: `]` is missing"),
                Some(c) => return self.err(format!("expected `,` or `]` after an item, found `{c}`")),
            }
        }
    }
    fn string(&mut self) -> Result<String, JsonError> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return self.err("the string is not closed: `\"` is missing"),
                Some('"') => return Ok(s),
                Some('\n') => return self.err("a string cannot span lines: `\"` is missing"),
                Some('\\') => match self.bump() {
                    Some('"') => s.push('"'),
                    Some('\\') => s.push('\\'),
                    Some('/') => s.push('/'),
                    Some('b') => s.push('\u{8}'),
                    Some('f') => s.push('\u{c}'),
                    Some('n') => s.push('\n'),
                    Some('r') => s.push('\r'),
                    Some('t') => s.push('\t'),
                    Some('u') => {
                        let mut code = 0u32;
                        for _ in 0..4 {
                            match self.bump().and_then(|c| c.to_digit(16)) {
                                Some(d) => code = code * 16 + d,
                                None => return self.err("`\\u` needs four hex digits"),
                            }
                        }
                        s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    _ => return self.err("unknown escape in a string"),
                },
                Some(c) => s.push(c),
            }
        }
    }
    fn number(&mut self) -> Result<Json, JsonError> {
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E') {
                text.push(c);
                self.bump();
            } else {
                break;
            }
        }
        match text.parse::<f64>() {
            Ok(n) if serde_json::from_str::<serde_json::Value>(&text).is_ok() => Ok(Json::Number(n, text)),
            _ => self.err(format!("`{text}` is not a valid number")),
        }
    }
}

/// Parses `text` as one JSON value.
pub fn parse(text: &str) -> Result<Spanned, JsonError> {
    let mut p = Parser { chars: text.chars().peekable(), line: 1, column: 1 };
    let v = p.value(0)?;
    p.ws();
    match p.peek() {
        None => Ok(v),
        Some(c) => p.err(format!("unexpected `{c}` after the end of the schema")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_keys_keep_their_positions() {
        let v = parse("{\n  \"a\": [1, true],\n  \"b\": {\"c\": null}\n}").unwrap();
        assert_eq!(v.pos, Pos { line: 1, column: 1 });
        assert_eq!(v.key_pos("b"), Some(Pos { line: 3, column: 3 }));
        assert_eq!(v.get("b").unwrap().pos, Pos { line: 3, column: 8 });
        assert_eq!(v.to_value(), serde_json::json!({"a": [1, true], "b": {"c": null}}));
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let e = parse("{\"a\": 1,}").unwrap_err();
        assert_eq!(
            (e.pos, e.message.as_str()),
            (Pos { line: 1, column: 9 }, "a comma before `}` is not allowed in JSON")
        );
        let e = parse("{\n \"a\" 1}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, column: 6 });
        let e = parse("[1, 2").unwrap_err();
        assert!(e.message.contains("not closed"), "{e:?}");
        let e = parse("{\"a\": 1, \"a\": 2}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, column: 10 });
    }
}
