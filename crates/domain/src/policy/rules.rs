//! Policies as data: a rule is a CEL condition over one kind of target (a product, an output
//! port, a schema, a schema field) that is true when the target complies, with a severity, a
//! message and an owner. The built-in policies are the default global set written in the same
//! form (`builtin.rs`); new rules are compiled and evaluated by the same engine, natively and in
//! wasm. The CEL interpreter is the `cel` crate; what a rule sees of the model is in `view.rs`.
//!
//! Rules come from outside (a governance event, an editor): they are bounded before parsing
//! (length, nesting), refused with a reason when they do not compile, and a rule that fails
//! while evaluating becomes a finding of its own instead of stopping the others.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::value::CowVal;
use cel::context::VariableResolver;
use cel::{Context, Program, Value};
use serde::{Deserialize, Serialize};

use super::view::{self, FieldView, PortView, SchemaView};
use super::{Finding, Severity};
use crate::model::DataProduct;

/// The longest condition or message a rule may have, in bytes.
pub const MAX_RULE_TEXT: usize = 2_000;
/// The deepest nesting of brackets a rule's expression may have (the parser recurses).
pub const MAX_NESTING: usize = 24;

/// What a rule is evaluated on, and the variables its expressions see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Once per product: `product`.
    Product,
    /// Once per output port: `product`, `port`.
    Port,
    /// Once per key or value schema of a port: `product`, `port`, `schema`.
    Schema,
    /// Once per field of a port's Avro schemas: `product`, `port`, `schema`, `field`.
    Field,
    /// Once per access request to a product, when it is sent: `product`, `request`.
    Request,
}

impl Target {
    /// The variables a rule on this target can use.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Target::Product => &["product"],
            Target::Port => &["product", "port"],
            Target::Schema => &["product", "port", "schema"],
            Target::Field => &["product", "port", "schema", "field"],
            Target::Request => &["product", "request"],
        }
    }
}

/// Whose rule it is: the organisation's (every product) or one domain's (its products only).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "domain", rename_all = "snake_case")]
pub enum Scope {
    /// The organisation's: applies to every product.
    Global,
    /// A domain's, by id: applies to its products only.
    Domain(String),
}

impl Scope {
    /// One text per scope, for a stored column or a form's value: `global`, or `domain:<id>`
    /// (a domain may be called `global`: its rules must not read back as the organisation's).
    pub fn key(&self) -> String {
        match self {
            Scope::Global => "global".into(),
            Scope::Domain(d) => format!("domain:{d}"),
        }
    }

    /// The scope of a [`Scope::key`]; anything else is no scope.
    pub fn from_key(key: &str) -> Option<Scope> {
        match key.strip_prefix("domain:") {
            Some(d) => Some(Scope::Domain(d.to_owned())),
            None => (key == "global").then_some(Scope::Global),
        }
    }
}

/// One rule, as written and as carried in governance events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Unique within its set: `bounds.restricted-partitions`.
    pub id: String,
    /// The policy its findings are reported under: `bounds`, or the rule's own id.
    pub policy: String,
    /// What the rule is checked on, and so which values it sees.
    pub target: Target,
    /// CEL, true when the target complies: `port.partitions <= 12`.
    pub condition: String,
    /// Whether a finding blocks publishing.
    pub severity: Severity,
    /// What a finding says: text with `{expression}` holes (CEL), `{{` and `}}` for braces.
    pub message: String,
    /// Where a finding points, a template like the message: absolute for a product rule
    /// (`product.title`), relative to the port otherwise (`partitions`, `fields.{field.path}`).
    pub at: String,
    /// Whose rule it is.
    pub owner: Scope,
}

/// Why a rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleError {
    /// The rule's id.
    pub rule: String,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule `{}`: {}", self.rule, self.reason)
    }
}

/// The variables of one evaluation: the product and, by target, its port, schema and field.
#[derive(Clone, Copy)]
struct Vars<'a> {
    product: &'a view::Value,
    port: Option<&'a view::Value>,
    schema: Option<&'a view::Value>,
    field: Option<&'a view::Value>,
    request: Option<&'a view::Value>,
}

impl VariableResolver for Vars<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let v = match variable {
            "product" => self.product,
            "port" => self.port?,
            "schema" => self.schema?,
            "field" => self.field?,
            "request" => self.request?,
            _ => return None,
        };
        Some(CowVal::Borrowed(v.as_ref()))
    }
}

/// How a finding of a rule that failed while it ran begins (what follows is why).
pub fn evaluation_failed(rule_id: &str) -> String {
    format!("the rule `{rule_id}` could not be evaluated: ")
}

/// A text with CEL holes.
enum Piece {
    Text(String),
    Expr(Program),
}

struct Template(Vec<Piece>);

struct Compiled {
    rule: Rule,
    condition: Program,
    message: Template,
    at: Template,
}

/// Rules compiled once, evaluated against any number of products.
pub struct RuleSet {
    rules: Vec<Compiled>,
    root: Context<'static, 'static>,
    by_target: HashMap<Target, Vec<usize>>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.rules.iter().map(|c| &c.rule.id)).finish()
    }
}

fn refuse(rule: &Rule, reason: impl Into<String>) -> RuleError {
    RuleError { rule: rule.id.clone(), reason: reason.into() }
}

/// The macros that loop over a list or a map.
const COMPREHENSIONS: &[&str] = &["all", "exists", "exists_one", "map", "filter"];
/// How deep loops may nest, and how many a rule may have: each nesting multiplies the work by
/// a list's length, so a short text could otherwise ask for years of evaluation.
pub const MAX_LOOP_NESTING: usize = 2;
/// The most loops (comprehensions) a rule may have.
pub const MAX_LOOPS: usize = 8;

/// Bounds a CEL text before the parser sees it: its length, its bracket nesting and its loops
/// (comprehension macros: how deep they nest and how many), all counted outside string literals.
fn bounded(rule: &Rule, what: &str, text: &str) -> Result<(), RuleError> {
    if text.len() > MAX_RULE_TEXT {
        return Err(refuse(rule, format!("the {what} is longer than {MAX_RULE_TEXT} characters")));
    }
    // `stack` holds one entry per open bracket: whether it opened a loop.
    let (mut stack, mut deepest, mut loops, mut deepest_loop) = (Vec::<bool>::new(), 0usize, 0usize, 0usize);
    let (mut quote, mut word, mut after_dot) = (None::<char>, String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => {
                let is_loop = c == '(' && after_dot && COMPREHENSIONS.contains(&word.as_str());
                stack.push(is_loop);
                deepest = deepest.max(stack.len());
                if is_loop {
                    loops += 1;
                    deepest_loop = deepest_loop.max(stack.iter().filter(|l| **l).count());
                }
            }
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
        // The identifier just read, and whether a `.` came before it (a method call).
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if !c.is_whitespace() {
            after_dot = c == '.';
            word.clear();
        }
    }
    if deepest > MAX_NESTING {
        return Err(refuse(rule, format!("the {what} nests brackets deeper than {MAX_NESTING} levels")));
    }
    if deepest_loop > MAX_LOOP_NESTING {
        return Err(refuse(
            rule,
            format!("the {what} nests loops (all, exists, map, filter) deeper than {MAX_LOOP_NESTING}"),
        ));
    }
    if loops > MAX_LOOPS {
        return Err(refuse(rule, format!("the {what} has more than {MAX_LOOPS} loops (all, exists, map, filter)")));
    }
    Ok(())
}

fn compile_expr(rule: &Rule, what: &str, text: &str) -> Result<Program, RuleError> {
    bounded(rule, what, text)?;
    if text.trim().is_empty() {
        return Err(refuse(rule, format!("the {what} is empty")));
    }
    let program = Program::compile(text).map_err(|e| refuse(rule, format!("the {what} is not valid CEL: {e}")))?;
    let refs = program.references();
    let allowed = rule.target.variables();
    for v in ["product", "port", "schema", "field", "request"] {
        if refs.has_variable(v) && !allowed.contains(&v) {
            return Err(refuse(
                rule,
                format!("a rule on {} cannot use `{v}`; it sees {}", target_words(rule.target), allowed.join(", ")),
            ));
        }
    }
    Ok(program)
}

fn target_words(t: Target) -> &'static str {
    match t {
        Target::Product => "products",
        Target::Port => "output ports",
        Target::Schema => "schemas",
        Target::Field => "schema fields",
        Target::Request => "access requests",
    }
}

/// Splits `text` into literal text and `{expression}` holes; `{{` and `}}` are braces.
fn template(rule: &Rule, what: &str, text: &str) -> Result<Template, RuleError> {
    if text.len() > MAX_RULE_TEXT {
        return Err(refuse(rule, format!("the {what} is longer than {MAX_RULE_TEXT} characters")));
    }
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                literal.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                literal.push('}');
                i += 2;
            }
            '}' => {
                return Err(refuse(rule, format!("the {what} has a `}}` without its `{{` (write `}}}}` for a brace)")));
            }
            '{' => {
                // The hole ends at the matching brace, outside string literals.
                let (mut depth, mut quote, mut j) = (1usize, None::<char>, i + 1);
                while j < chars.len() && depth > 0 {
                    match (quote, chars[j]) {
                        (Some(_), '\\') => j += 1,
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, c @ ('"' | '\'')) => quote = Some(c),
                        (None, '{') => depth += 1,
                        (None, '}') => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                }
                if depth > 0 {
                    return Err(refuse(rule, format!("the {what} has a `{{` that is never closed")));
                }
                let expr: String = chars[i + 1..j - 1].iter().collect();
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Expr(compile_expr(rule, what, &expr)?));
                i = j;
            }
            c => {
                literal.push(c);
                i += 1;
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(Template(pieces))
}

/// A CEL value as a finding's text shows it.
fn words(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::List(items) => format!("[{}]", items.iter().map(words).collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}"),
    }
}

impl Template {
    fn render(&self, ctx: &Context) -> Result<String, cel::ExecutionError> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Expr(p) => out.push_str(&words(&p.execute(ctx)?)),
            }
        }
        Ok(out)
    }
}

/// `at_least(level, min)`: whether a compatibility level guarantees at least what `min` does.
fn at_least(level: Arc<String>, min: Arc<String>) -> bool {
    match (level.parse(), min.parse()) {
        (Ok(level), Ok(min)) => super::level_at_least(level, min),
        _ => false,
    }
}

/// `looks_like_pii(name)`: whether a field name hints at personal data.
fn looks_like_pii(name: Arc<String>) -> bool {
    crate::model::looks_like_pii(&name)
}

impl RuleSet {
    /// Compiles every rule; the first that cannot be used is refused with its reason.
    pub fn compile(rules: Vec<Rule>) -> Result<RuleSet, RuleError> {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut by_target: HashMap<Target, Vec<usize>> = HashMap::new();
        for rule in rules {
            if rule.id.trim().is_empty() || rule.id.len() > 100 {
                return Err(refuse(&rule, "a rule needs an id of 1 to 100 characters"));
            }
            if compiled.iter().any(|c: &Compiled| c.rule.id == rule.id) {
                return Err(refuse(&rule, "two rules have this id"));
            }
            let condition = compile_expr(&rule, "condition", &rule.condition)?;
            let message = template(&rule, "message", &rule.message)?;
            let at = template(&rule, "location", &rule.at)?;
            by_target.entry(rule.target).or_default().push(compiled.len());
            compiled.push(Compiled { rule, condition, message, at });
        }
        let mut root = Context::default();
        // Neither name is a standard CEL function: adding them cannot fail.
        let _ = root.add_function("at_least", at_least);
        let _ = root.add_function("looks_like_pii", looks_like_pii);
        Ok(RuleSet { rules: compiled, root, by_target })
    }

    /// The rules in the set.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|c| &c.rule)
    }

    /// How many rules the set has.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the set has no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    fn of(&self, t: Target) -> &[usize] {
        self.by_target.get(&t).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every finding of these rules on `p`. `existing_topics` are the cluster's topics (for
    /// collisions). Rules of another domain's scope are skipped.
    pub fn check(&self, p: &DataProduct, existing_topics: &[String]) -> Vec<Finding> {
        let mut out = Vec::new();
        let applies = |c: &Compiled| match &c.rule.owner {
            Scope::Global => true,
            Scope::Domain(d) => d == p.domain.as_str(),
        };
        let fields = !self.of(Target::Field).is_empty();
        let ports: Vec<PortView> =
            (0..p.output_ports.len()).map(|i| view::port(p, i, existing_topics, fields)).collect();
        let product = view::product(p, &ports);
        let run = |target: Target, vars: &Vars, prefix: &str, out: &mut Vec<Finding>| {
            // The variables are looked up by name, borrowed: no copy per rule or per scope.
            let root: &Context<'static, '_> = &self.root;
            let mut ctx = root.new_inner_scope();
            ctx.set_variable_resolver(vars);
            for &i in self.of(target) {
                let c = &self.rules[i];
                if applies(c) {
                    self.evaluate(c, &ctx, prefix, out);
                }
            }
        };
        run(
            Target::Product,
            &Vars { product: &product, port: None, schema: None, field: None, request: None },
            "",
            &mut out,
        );
        for (i, port) in ports.iter().enumerate() {
            let prefix = format!("ports[{i}].");
            let vars = Vars { product: &product, port: Some(&port.value), schema: None, field: None, request: None };
            run(Target::Port, &vars, &prefix, &mut out);
            for SchemaView { value: schema, fields } in &port.schemas {
                let vars = Vars { schema: Some(schema), ..vars };
                run(Target::Schema, &vars, &prefix, &mut out);
                for FieldView { value: field } in fields {
                    run(Target::Field, &Vars { field: Some(field), ..vars }, &prefix, &mut out);
                }
            }
        }
        out
    }

    /// The findings of the rules on access requests on `r`, a request to `p` (rules of another
    /// domain's scope skipped). Where a finding points is relative to the request (`days`).
    pub fn check_request(&self, p: &DataProduct, r: &crate::access::AccessRequest) -> Vec<Finding> {
        let mut out = Vec::new();
        let rules = self.of(Target::Request);
        if rules.is_empty() {
            return out;
        }
        let ports: Vec<PortView> = (0..p.output_ports.len()).map(|i| view::port(p, i, &[], false)).collect();
        let product = view::product(p, &ports);
        let request = view::request(r);
        let vars = Vars { product: &product, port: None, schema: None, field: None, request: Some(&request) };
        let root: &Context<'static, '_> = &self.root;
        let mut ctx = root.new_inner_scope();
        ctx.set_variable_resolver(&vars);
        for &i in rules {
            let c = &self.rules[i];
            let applies = match &c.rule.owner {
                Scope::Global => true,
                Scope::Domain(d) => d == p.domain.as_str(),
            };
            if applies {
                self.evaluate(c, &ctx, "request.", &mut out);
            }
        }
        out
    }

    /// The findings of these rules on every product of a catalog, in its order: natively on
    /// every core (the rules are compiled once and shared), in wasm one after the other.
    pub fn check_catalog(&self, products: &[DataProduct]) -> Vec<Vec<Finding>> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
            if threads > 1 && products.len() >= 64 {
                let chunk = products.len().div_ceil(threads);
                return std::thread::scope(|s| {
                    let parts: Vec<_> = products
                        .chunks(chunk)
                        .map(|part| s.spawn(move || part.iter().map(|p| self.check(p, &[])).collect::<Vec<_>>()))
                        .collect();
                    // A panic in a rule's evaluation is the interpreter's bug: it is not hidden.
                    parts.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
                });
            }
        }
        products.iter().map(|p| self.check(p, &[])).collect()
    }

    fn evaluate(&self, c: &Compiled, ctx: &Context, prefix: &str, out: &mut Vec<Finding>) {
        let verdict = c.condition.execute(ctx);
        if matches!(verdict, Ok(Value::Bool(true))) {
            return;
        }
        // Only a finding needs its place and words.
        let at = match c.at.render(ctx) {
            Ok(at) => format!("{prefix}{at}"),
            Err(_) => prefix.trim_end_matches('.').to_owned(),
        };
        let failed = |why: String| Finding {
            policy: c.rule.policy.clone(),
            severity: Severity::Error,
            at: at.clone(),
            message: format!("{}{why}", evaluation_failed(&c.rule.id)),
        };
        out.push(match verdict {
            Ok(Value::Bool(_)) => match c.message.render(ctx) {
                Ok(message) => {
                    Finding { policy: c.rule.policy.clone(), severity: c.rule.severity, at: at.clone(), message }
                }
                Err(why) => failed(why.to_string()),
            },
            Ok(other) => failed(format!("its condition gave {} instead of true or false", words(&other))),
            Err(e) => failed(e.to_string()),
        });
    }
}
