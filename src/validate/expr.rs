//! The rule language: small, exact expressions over the data, for consistency rules.
//!
//! ```text
//! sum(villages.*.registered.households) == township.registered.households
//! policies.health.family_doctor.chronic_people <= policies.health.family_doctor.served_people
//! round(a.people / a.population * 100, 2) == a.rate_percent
//! count(villages[status == "十三五贫困村" and exit_year != null]) == township.poor_villages.thirteenth_plan
//! ```
//!
//! Numbers are `rust_decimal::Decimal` throughout: `+ - * /` are exact (division to 28
//! significant digits), and the only rounding is `round(x, dp)`, half-up. Paths name data as
//! templates do (`township.registered.people`); `*` takes every item of a list or every file
//! of a folder, `[condition]` keeps the items for which the condition holds (names inside
//! it are the item's fields). Every value a rule reads is remembered with its location, so
//! a failed rule can show each one.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

use crate::load::{Data, DataFile, Node, Value};

/// The deepest nesting an expression may have (parentheses, operators, paths in filters).
const MAX_DEPTH: usize = 48;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(Decimal),
    /// A text literal in double quotes.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`: a missing or empty value.
    Null,
    /// A path into the data.
    Path(Vec<Segment>),
    /// `-x`.
    Negate(Box<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// `a op b`.
    Binary(Op, Box<Expr>, Box<Expr>),
    /// `name(args)`: sum, count, min, max, abs, round.
    Call(String, Vec<Expr>),
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `.name`
    Key(String),
    /// `.*`: every item of a list, every entry of a mapping, every file of a folder.
    Every,
    /// `.0`: one item of a list.
    Index(usize),
    /// `[condition]`: the items for which it holds.
    Filter(Box<Expr>),
}

/// Binary operators, from loosest to tightest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl Op {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Or => "or",
            Op::And => "and",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
        }
    }

    fn is_comparison(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// A parse error: what is wrong and the character offset where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 0-based offset in characters.
    pub offset: usize,
    /// What is wrong (English; the caller words the Chinese message around it).
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(Decimal),
    Text(String),
    Name(String),
    Star,
    Dot,
    DotStar,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Op(Op),
    Not,
    End,
}

fn tokenize(source: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let err = |offset: usize, message: String| ParseError { offset, message };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let token = match c {
            '0'..='9' => {
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    // `1.x` is a path step, not a decimal point: stop before a dot not followed by a digit.
                    if chars[i] == '.' && !chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                        break;
                    }
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let number = Decimal::from_str_exact(&text).map_err(|_| {
                    err(
                        start,
                        format!("`{text}` is not a number huibao can hold exactly"),
                    )
                })?;
                tokens.push((Token::Number(number), start));
                continue;
            }
            '"' | '“' => {
                let close = if c == '"' { '"' } else { '”' };
                i += 1;
                let begin = i;
                while i < chars.len() && chars[i] != close {
                    i += 1;
                }
                if i == chars.len() {
                    return Err(err(start, "a text in quotes is not closed".to_string()));
                }
                let text: String = chars[begin..i].iter().collect();
                i += 1;
                tokens.push((Token::Text(text), start));
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let token = match word.as_str() {
                    "and" => Token::Op(Op::And),
                    "or" => Token::Op(Op::Or),
                    "not" => Token::Not,
                    _ => Token::Name(word),
                };
                tokens.push((token, start));
                continue;
            }
            _ if two == ".*" => {
                i += 2;
                tokens.push((Token::DotStar, start));
                continue;
            }
            _ if ["==", "!=", "<=", ">="].contains(&two.as_str()) => {
                i += 2;
                let op = match two.as_str() {
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "<=" => Op::Le,
                    _ => Op::Ge,
                };
                tokens.push((Token::Op(op), start));
                continue;
            }
            '.' => Token::Dot,
            '*' => Token::Star,
            '[' => Token::LBracket,
            ']' => Token::RBracket,
            '(' => Token::LParen,
            ')' => Token::RParen,
            ',' => Token::Comma,
            '<' => Token::Op(Op::Lt),
            '>' => Token::Op(Op::Gt),
            '+' => Token::Op(Op::Add),
            '-' => Token::Op(Op::Sub),
            '/' => Token::Op(Op::Div),
            '=' => return Err(err(start, "write `==` to compare".to_string())),
            other => return Err(err(start, format!("unexpected character `{other}`"))),
        };
        i += 1;
        tokens.push((token, start));
    }
    tokens.push((Token::End, chars.len()));
    Ok(tokens)
}

/// Parses a rule expression.
pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    match parser.peek() {
        Token::End => Ok(expr),
        _ => Err(parser.error("expected the end of the expression, an operator, or `)`")),
    }
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    position: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.position.min(self.tokens.len() - 1)].0
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.position < self.tokens.len() - 1 {
            self.position += 1;
        }
        token
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError {
            offset: self.tokens[self.position.min(self.tokens.len() - 1)].1,
            message: message.to_string(),
        }
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), ParseError> {
        if *self.peek() == token {
            self.advance();
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("the expression is nested too deeply"));
        }
        let result = self.binary(0);
        self.depth -= 1;
        result
    }

    /// Precedence climbing: or < and < comparison < + - < * /.
    fn binary(&mut self, level: usize) -> Result<Expr, ParseError> {
        const LEVELS: [&[Op]; 5] = [
            &[Op::Or],
            &[Op::And],
            &[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge],
            &[Op::Add, Op::Sub],
            &[Op::Mul, Op::Div],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            let op = match self.peek() {
                Token::Op(op) if LEVELS[level].contains(op) => *op,
                Token::Star if level == 4 => Op::Mul,
                _ => return Ok(left),
            };
            self.advance();
            let right = self.binary(level + 1)?;
            if op.is_comparison() && matches!(&left, Expr::Binary(o, ..) if o.is_comparison()) {
                return Err(self.error("comparisons cannot be chained: write `a <= b and b <= c`"));
            }
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Token::Op(Op::Sub) => {
                self.advance();
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error("the expression is nested too deeply"));
                }
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Negate(Box::new(inner)))
            }
            Token::Not => {
                self.advance();
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error("the expression is nested too deeply"));
                }
                let inner = self.binary(2)?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.advance() {
            Token::Number(n) => Ok(Expr::Number(n)),
            Token::Text(t) => Ok(Expr::Text(t)),
            Token::LParen => {
                let inner = self.expr()?;
                self.expect(Token::RParen, "`)`")?;
                Ok(inner)
            }
            Token::Name(name) => match name.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "null" => Ok(Expr::Null),
                _ if *self.peek() == Token::LParen => {
                    self.advance();
                    let mut args = Vec::new();
                    if *self.peek() != Token::RParen {
                        loop {
                            args.push(self.expr()?);
                            if *self.peek() == Token::Comma {
                                self.advance();
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect(Token::RParen, "`)` after the arguments")?;
                    check_call(&name, args.len()).map_err(|m| self.error(&m))?;
                    Ok(Expr::Call(name, args))
                }
                _ => self.path(name),
            },
            _ => {
                self.position = self.position.saturating_sub(1);
                Err(self.error("expected a number, a text in quotes, a data path, or `(`"))
            }
        }
    }

    fn path(&mut self, first: String) -> Result<Expr, ParseError> {
        let mut segments = vec![Segment::Key(first)];
        loop {
            match self.peek() {
                Token::DotStar => {
                    self.advance();
                    segments.push(Segment::Every);
                }
                Token::Dot => {
                    self.advance();
                    match self.advance() {
                        Token::Name(name) => segments.push(Segment::Key(name)),
                        Token::Number(n) if n.scale() == 0 && n >= Decimal::ZERO => {
                            let index = usize::try_from(n.mantissa())
                                .map_err(|_| self.error("index too large"))?;
                            segments.push(Segment::Index(index));
                        }
                        _ => {
                            self.position = self.position.saturating_sub(1);
                            return Err(
                                self.error("expected a field name, `*` or an index after `.`")
                            );
                        }
                    }
                }
                Token::LBracket => {
                    self.advance();
                    let condition = self.expr()?;
                    self.expect(Token::RBracket, "`]` to close the condition")?;
                    segments.push(Segment::Filter(Box::new(condition)));
                }
                _ => return Ok(Expr::Path(segments)),
            }
        }
    }
}

fn check_call(name: &str, args: usize) -> Result<(), String> {
    let wanted = match name {
        "sum" | "count" | "min" | "max" | "abs" => 1,
        "round" => 2,
        _ => {
            return Err(format!(
                "unknown function `{name}`: use sum, count, min, max, abs or round"
            ));
        }
    };
    if args == wanted {
        Ok(())
    } else {
        Err(format!("`{name}` takes {wanted} argument(s), found {args}"))
    }
}

/// The data a rule reads: top-level names → files and folders.
#[derive(Debug, Default)]
pub struct DataIndex<'a> {
    entries: BTreeMap<&'a str, Entry<'a>>,
}

#[derive(Debug)]
enum Entry<'a> {
    File(&'a DataFile),
    Folder(BTreeMap<&'a str, Entry<'a>>),
}

impl<'a> DataIndex<'a> {
    /// Indexes `data` by its files' key paths.
    pub fn new(data: &'a Data) -> Self {
        let mut entries = BTreeMap::new();
        for file in &data.files {
            insert(&mut entries, &file.key_path, file);
        }
        DataIndex { entries }
    }
}

/// Puts `file` at `key_path`; a file and a folder of one name keep the first (validate
/// reports the clash).
fn insert<'a>(map: &mut BTreeMap<&'a str, Entry<'a>>, key_path: &'a [String], file: &'a DataFile) {
    match key_path {
        [] => {}
        [last] => {
            map.entry(last.as_str()).or_insert(Entry::File(file));
        }
        [folder, rest @ ..] => {
            let entry = map
                .entry(folder.as_str())
                .or_insert_with(|| Entry::Folder(BTreeMap::new()));
            if let Entry::Folder(inner) = entry {
                insert(inner, rest, file);
            }
        }
    }
}

/// A value a rule read, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading<'a> {
    /// The node read.
    pub node: &'a Node,
    /// Its file.
    pub file: &'a Path,
    /// The path it was reached by, e.g. `villages.hengxi.registered.households`.
    pub path: String,
    /// Whether it was read as one of many (by `sum`, `count`, `min`, `max`).
    pub in_aggregate: bool,
}

/// What evaluating gives.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    /// A number.
    Number(Decimal),
    /// Text.
    Text(String),
    /// A truth value.
    Bool(bool),
    /// Missing.
    Null,
    /// What a path found: zero, one or many places in the data.
    Found(Vec<Place<'a>>),
}

/// A place in the data a path reached: a node, or a folder of files.
#[derive(Clone, Debug)]
pub enum Place<'a> {
    /// A value in a file.
    Node(Reading<'a>),
    /// A whole file (as a record).
    File(&'a DataFile),
}

/// Evaluation of expressions against the data, remembering every value read.
pub struct Evaluator<'a, 'i> {
    index: &'i DataIndex<'a>,
    /// Variables bound by `each` rules: name → record.
    pub vars: Vec<(String, Place<'a>)>,
    /// Every scalar value read so far.
    pub readings: Vec<Reading<'a>>,
    /// How many filter conditions (`[…]`) are being evaluated: values read there only
    /// select items, like the parts of a sum.
    filter_depth: usize,
}

/// Why an expression could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, in Chinese.
    pub zh: String,
    /// What went wrong, in English.
    pub en: String,
}

fn eval_error(zh: impl Into<String>, en: impl Into<String>) -> EvalError {
    EvalError {
        zh: zh.into(),
        en: en.into(),
    }
}

impl<'a, 'i> Evaluator<'a, 'i> {
    /// An evaluator over `index`.
    pub fn new(index: &'i DataIndex<'a>) -> Self {
        Evaluator {
            index,
            vars: Vec::new(),
            readings: Vec::new(),
            filter_depth: 0,
        }
    }

    /// Evaluates `expr`; a path that finds one scalar gives that scalar.
    pub fn eval(&mut self, expr: &Expr) -> Result<Val<'a>, EvalError> {
        self.eval_in(expr, None)
    }

    /// The places a path expression reaches (for `each`); other expressions reach none.
    pub fn places(&mut self, expr: &Expr) -> Result<Vec<Place<'a>>, EvalError> {
        match expr {
            Expr::Path(segments) => self.resolve(segments, None),
            _ => Ok(Vec::new()),
        }
    }

    fn eval_in(&mut self, expr: &Expr, item: Option<&Place<'a>>) -> Result<Val<'a>, EvalError> {
        Ok(match expr {
            Expr::Number(n) => Val::Number(*n),
            Expr::Text(t) => Val::Text(t.clone()),
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Null => Val::Null,
            Expr::Path(segments) => {
                let places = self.resolve(segments, item)?;
                self.collapse(places)?
            }
            Expr::Negate(inner) => {
                let n = self.number(inner, item)?;
                Val::Number(-n)
            }
            Expr::Not(inner) => Val::Bool(!self.truth(inner, item)?),
            Expr::Binary(op, left, right) => self.binary(*op, left, right, item)?,
            Expr::Call(name, args) => self.call(name, args, item)?,
        })
    }

    fn truth(&mut self, expr: &Expr, item: Option<&Place<'a>>) -> Result<bool, EvalError> {
        match self.eval_in(expr, item)? {
            Val::Bool(b) => Ok(b),
            other => Err(eval_error(
                format!(
                    "这里需要真假值（比较的结果），得到的是{}",
                    describe_zh(&other)
                ),
                format!(
                    "expected a truth value (the result of a comparison), found {}",
                    describe_en(&other)
                ),
            )),
        }
    }

    fn number(&mut self, expr: &Expr, item: Option<&Place<'a>>) -> Result<Decimal, EvalError> {
        match self.eval_in(expr, item)? {
            Val::Number(n) => Ok(n),
            other => Err(eval_error(
                format!("这里需要数字，得到的是{}", describe_zh(&other)),
                format!("expected a number, found {}", describe_en(&other)),
            )),
        }
    }

    fn binary(
        &mut self,
        op: Op,
        left: &Expr,
        right: &Expr,
        item: Option<&Place<'a>>,
    ) -> Result<Val<'a>, EvalError> {
        match op {
            Op::And => Ok(Val::Bool(
                self.truth(left, item)? && self.truth(right, item)?,
            )),
            Op::Or => Ok(Val::Bool(
                self.truth(left, item)? || self.truth(right, item)?,
            )),
            Op::Add | Op::Sub | Op::Mul | Op::Div => {
                let a = self.number(left, item)?;
                let b = self.number(right, item)?;
                let overflow = || eval_error("计算结果超出范围", "the result is out of range");
                let n = match op {
                    Op::Add => a.checked_add(b).ok_or_else(overflow)?,
                    Op::Sub => a.checked_sub(b).ok_or_else(overflow)?,
                    Op::Mul => a.checked_mul(b).ok_or_else(overflow)?,
                    _ => {
                        if b.is_zero() {
                            return Err(eval_error("除数为零", "division by zero"));
                        }
                        a.checked_div(b).ok_or_else(overflow)?
                    }
                };
                Ok(Val::Number(n))
            }
            _ => {
                let a = self.eval_in(left, item)?;
                let b = self.eval_in(right, item)?;
                compare(op, &a, &b).map(Val::Bool)
            }
        }
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        item: Option<&Place<'a>>,
    ) -> Result<Val<'a>, EvalError> {
        match name {
            "round" => {
                let x = self.number(&args[0], item)?;
                let dp = match &args[1] {
                    Expr::Number(n)
                        if n.scale() == 0 && *n >= Decimal::ZERO && *n <= Decimal::from(20) =>
                    {
                        u32::try_from(n.mantissa()).unwrap_or(0)
                    }
                    _ => {
                        return Err(eval_error(
                            "round 的第二个参数要写 0 到 20 的整数",
                            "round's second argument must be a whole number from 0 to 20",
                        ));
                    }
                };
                let r = crate::figure::round_half_up(x, dp);
                if r.scale() != dp {
                    return Err(eval_error(
                        format!("{x} 位数太多，无法保留 {dp} 位小数"),
                        format!("{x} has too many digits to keep {dp} decimal places"),
                    ));
                }
                Ok(Val::Number(r))
            }
            "abs" => Ok(Val::Number(self.number(&args[0], item)?.abs())),
            _ => {
                let places = match &args[0] {
                    Expr::Path(segments) => self.resolve(segments, item)?,
                    _ => {
                        return Err(eval_error(
                            format!("{name} 的参数要是数据路径"),
                            format!("the argument of {name} must be a data path"),
                        ));
                    }
                };
                if name == "count" {
                    let present = places
                        .iter()
                        .filter(|p| !matches!(p, Place::Node(r) if r.node.value == Value::Null))
                        .count();
                    for place in &places {
                        match place {
                            Place::Node(r) => self.readings.push(Reading {
                                in_aggregate: true,
                                ..r.clone()
                            }),
                            // A file counted as a whole: it was read too (it may be the new one).
                            Place::File(f) => self.readings.push(Reading {
                                node: &f.root,
                                file: &f.path,
                                path: f.key_path.join("."),
                                in_aggregate: true,
                            }),
                        }
                    }
                    return Ok(Val::Number(Decimal::from(present)));
                }
                let mut numbers = Vec::with_capacity(places.len());
                for place in places {
                    match place {
                        Place::Node(reading) => match &reading.node.value {
                            Value::Number(n) => {
                                numbers.push(*n);
                                self.readings.push(Reading {
                                    in_aggregate: true,
                                    ..reading
                                });
                            }
                            Value::Null => {}
                            _ => {
                                // Remembered, so that a value already reported as unreadable
                                // skips the rule instead of failing it twice.
                                let path = reading.path.clone();
                                self.readings.push(Reading {
                                    in_aggregate: true,
                                    ..reading
                                });
                                let reading_path = path;
                                return Err(eval_error(
                                    format!("{name}：{reading_path} 不是数字"),
                                    format!("{name}: {reading_path} is not a number"),
                                ));
                            }
                        },
                        Place::File(file) => {
                            return Err(eval_error(
                                format!(
                                    "{name}：{} 是整个文件，不是数字；在路径后面写上字段名",
                                    file.path.display()
                                ),
                                format!(
                                    "{name}: {} is a whole file, not a number; add a field name to the path",
                                    file.path.display()
                                ),
                            ));
                        }
                    }
                }
                let result = match name {
                    "sum" => numbers
                        .iter()
                        .try_fold(Decimal::ZERO, |acc, n| acc.checked_add(*n))
                        .ok_or_else(|| eval_error("合计超出范围", "the sum is out of range"))?,
                    "min" => numbers
                        .iter()
                        .copied()
                        .min()
                        .ok_or_else(|| eval_error("min：没有数字", "min: no numbers"))?,
                    _ => numbers
                        .iter()
                        .copied()
                        .max()
                        .ok_or_else(|| eval_error("max：没有数字", "max: no numbers"))?,
                };
                Ok(Val::Number(result))
            }
        }
    }

    /// One place gives its scalar; several stay a list.
    fn collapse(&mut self, places: Vec<Place<'a>>) -> Result<Val<'a>, EvalError> {
        if places.len() != 1 {
            return Ok(Val::Found(places));
        }
        match &places[0] {
            Place::Node(reading) => {
                let value = match &reading.node.value {
                    Value::Number(n) => Val::Number(*n),
                    Value::String(s) => Val::Text(s.clone()),
                    Value::Bool(b) => Val::Bool(*b),
                    Value::Null => Val::Null,
                    Value::List(_) | Value::Map(_) => return Ok(Val::Found(places)),
                };
                self.readings.push(Reading {
                    in_aggregate: reading.in_aggregate || self.filter_depth > 0,
                    ..reading.clone()
                });
                Ok(value)
            }
            Place::File(_) => Ok(Val::Found(places)),
        }
    }

    /// Follows a path from the data root, a bound variable, or (inside a filter) the item.
    fn resolve(
        &mut self,
        segments: &[Segment],
        item: Option<&Place<'a>>,
    ) -> Result<Vec<Place<'a>>, EvalError> {
        let Some(Segment::Key(first)) = segments.first() else {
            return Ok(Vec::new());
        };
        let mut current: Vec<Place<'a>>;
        let rest;
        if let Some(item) = item.filter(|item| child(item, first).is_some()) {
            current = child(item, first).into_iter().collect();
            rest = &segments[1..];
        } else if let Some((_, place)) = self.vars.iter().rev().find(|(name, _)| name == first) {
            current = vec![place.clone()];
            rest = &segments[1..];
        } else {
            // From the data root: folders are walked here, files then continue as nodes.
            let mut entry = match self.index.entries.get(first.as_str()) {
                Some(entry) => entry,
                None if item.is_some() => return Ok(Vec::new()),
                None => {
                    return Err(eval_error(
                        format!("数据里没有「{first}」"),
                        format!("there is no `{first}` in the data"),
                    ));
                }
            };
            let mut consumed = 1;
            current = loop {
                match entry {
                    Entry::File(file) => break vec![Place::File(file)],
                    Entry::Folder(files) => match segments.get(consumed) {
                        Some(Segment::Key(name)) => {
                            consumed += 1;
                            match files.get(name.as_str()) {
                                Some(next) => entry = next,
                                None => return Ok(Vec::new()),
                            }
                        }
                        Some(Segment::Every) | Some(Segment::Filter(_)) | None => {
                            let all: Vec<Place<'a>> = files
                                .values()
                                .filter_map(|e| match e {
                                    Entry::File(f) => Some(Place::File(f)),
                                    Entry::Folder(_) => None,
                                })
                                .collect();
                            if matches!(segments.get(consumed), Some(Segment::Every)) {
                                consumed += 1;
                            }
                            break all;
                        }
                        Some(Segment::Index(_)) => return Ok(Vec::new()),
                    },
                }
            };
            rest = &segments[consumed..];
        }
        for segment in rest {
            let mut next = Vec::new();
            for place in &current {
                match segment {
                    Segment::Key(name) => next.extend(child(place, name)),
                    Segment::Index(i) => next.extend(children(place).into_iter().nth(*i)),
                    Segment::Every => next.extend(children(place)),
                    Segment::Filter(condition) => {
                        let candidates = if matches!(place, Place::File(_)) || is_map(place) {
                            vec![place.clone()]
                        } else {
                            children(place)
                        };
                        for candidate in candidates {
                            self.filter_depth += 1;
                            let keep = self.truth(condition, Some(&candidate));
                            self.filter_depth -= 1;
                            if keep? {
                                next.push(candidate);
                            }
                        }
                    }
                }
            }
            current = next;
        }
        Ok(current)
    }
}

fn is_map(place: &Place<'_>) -> bool {
    matches!(place, Place::Node(r) if matches!(r.node.value, Value::Map(_)))
}

fn node_of<'a>(place: &Place<'a>) -> (&'a Node, &'a Path, String) {
    match place {
        Place::Node(r) => (r.node, r.file, r.path.clone()),
        Place::File(f) => (&f.root, f.path.as_path(), f.key_path.join(".")),
    }
}

fn child<'a>(place: &Place<'a>, name: &str) -> Option<Place<'a>> {
    let (node, file, path) = node_of(place);
    node.get(name).map(|node| {
        Place::Node(Reading {
            node,
            file,
            path: format!("{path}.{name}"),
            in_aggregate: false,
        })
    })
}

fn children<'a>(place: &Place<'a>) -> Vec<Place<'a>> {
    let (node, file, path) = node_of(place);
    match &node.value {
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, node)| {
                Place::Node(Reading {
                    node,
                    file,
                    path: format!("{path}.{i}"),
                    in_aggregate: false,
                })
            })
            .collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, node)| {
                Place::Node(Reading {
                    node,
                    file,
                    path: format!("{path}.{}", k.name),
                    in_aggregate: false,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn compare(op: Op, a: &Val<'_>, b: &Val<'_>) -> Result<bool, EvalError> {
    use std::cmp::Ordering;
    let ordering = match (a, b) {
        (Val::Number(x), Val::Number(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Null, Val::Null) => Some(Ordering::Equal),
        (Val::Found(p), Val::Null) | (Val::Null, Val::Found(p)) if p.is_empty() => {
            Some(Ordering::Equal)
        }
        _ => None,
    };
    match (op, ordering) {
        (Op::Eq, Some(o)) => Ok(o == Ordering::Equal),
        (Op::Ne, Some(o)) => Ok(o != Ordering::Equal),
        (Op::Eq, None) => Ok(false),
        (Op::Ne, None) => Ok(true),
        (_, Some(o)) if matches!((a, b), (Val::Number(_), Val::Number(_))) => Ok(match op {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }),
        _ => Err(eval_error(
            format!("无法比较{}和{}", describe_zh(a), describe_zh(b)),
            format!("cannot compare {} with {}", describe_en(a), describe_en(b)),
        )),
    }
}

/// A short description of a value, in Chinese.
pub fn describe_zh(v: &Val<'_>) -> String {
    match v {
        Val::Number(n) => format!("数字 {n}"),
        Val::Text(t) => format!("文本「{t}」"),
        Val::Bool(b) => format!("真假值 {b}"),
        Val::Null => "空值".to_string(),
        Val::Found(p) if p.is_empty() => "不存在的值".to_string(),
        Val::Found(p) => format!("{} 个值（路径选中了多个值，可用 sum 或 count）", p.len()),
    }
}

/// A short description of a value, in English.
pub fn describe_en(v: &Val<'_>) -> String {
    match v {
        Val::Number(n) => format!("the number {n}"),
        Val::Text(t) => format!("the text `{t}`"),
        Val::Bool(b) => format!("the truth value {b}"),
        Val::Null => "null".to_string(),
        Val::Found(p) if p.is_empty() => "a value that does not exist".to_string(),
        Val::Found(p) => format!(
            "{} values (the path selects several: use sum or count)",
            p.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_file;
    use std::path::PathBuf;

    fn data(files: &[(&str, &str)]) -> (tempfile::TempDir, Data) {
        let dir = tempfile::tempdir().unwrap();
        let mut loaded = Vec::new();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, text).unwrap();
            loaded.push(load_file(dir.path(), &PathBuf::from(path)).unwrap());
        }
        (dir, Data { files: loaded })
    }

    #[derive(Debug, PartialEq)]
    enum Simple {
        Number(Decimal),
        Bool(bool),
        Text(String),
    }

    fn eval(data: &Data, source: &str) -> Simple {
        let index = DataIndex::new(data);
        let mut evaluator = Evaluator::new(&index);
        let expr = parse(source).unwrap();
        match evaluator.eval(&expr).unwrap() {
            Val::Number(n) => Simple::Number(n),
            Val::Bool(b) => Simple::Bool(b),
            Val::Text(t) => Simple::Text(t),
            other => Simple::Text(describe_en(&other)),
        }
    }

    fn sample() -> (tempfile::TempDir, Data) {
        data(&[
            (
                "data/township.yaml",
                "registered:\n  households: 210\nexits:\n  - people: 0.1\n  - people: 0.2\n",
            ),
            (
                "data/villages/a.yaml",
                "name: 甲村\nstatus: 十三五贫困村\nexit_year: 2018\nregistered:\n  households: 200\n",
            ),
            (
                "data/villages/b.yaml",
                "name: 乙村\nstatus: 非贫困村\nregistered:\n  households: 10\n",
            ),
        ])
    }

    #[test]
    fn sums_counts_and_filters() {
        let (_dir, d) = sample();
        assert_eq!(
            eval(
                &d,
                "sum(villages.*.registered.households) == township.registered.households"
            ),
            Simple::Bool(true)
        );
        assert_eq!(
            eval(&d, "sum(township.exits.*.people)"),
            Simple::Number(Decimal::new(3, 1))
        );
        assert_eq!(
            eval(
                &d,
                "count(villages[status == \"十三五贫困村\" and exit_year != null])"
            ),
            Simple::Number(Decimal::ONE)
        );
        assert_eq!(eval(&d, "villages.b.name"), Simple::Text("乙村".into()));
        assert_eq!(
            eval(&d, "round(200 / 210 * 100, 2)"),
            Simple::Number(Decimal::new(9524, 2))
        );
        assert_eq!(eval(&d, "round(0.125, 2) == 0.13"), Simple::Bool(true));
        assert_eq!(eval(&d, "1 + 2 * 3 - -1"), Simple::Number(Decimal::from(8)));
        assert_eq!(eval(&d, "not (1 > 2) and 2 >= 2"), Simple::Bool(true));
    }

    #[test]
    fn readings_remember_every_value_and_where() {
        let (_dir, d) = sample();
        let index = DataIndex::new(&d);
        let mut evaluator = Evaluator::new(&index);
        evaluator
            .eval(
                &parse("sum(villages.*.registered.households) == township.registered.households")
                    .unwrap(),
            )
            .unwrap();
        let paths: Vec<_> = evaluator
            .readings
            .iter()
            .map(|r| (r.path.as_str(), r.node.line))
            .collect();
        assert_eq!(
            paths,
            [
                ("villages.a.registered.households", 5),
                ("villages.b.registered.households", 4),
                ("township.registered.households", 2)
            ]
        );
    }

    #[test]
    fn parse_errors_point_at_the_problem() {
        assert_eq!(parse("a = b").unwrap_err().offset, 2);
        assert_eq!(
            parse("sum(a, b)").unwrap_err().message,
            "`sum` takes 1 argument(s), found 2"
        );
        assert!(parse("a < b < c").is_err());
        assert!(parse("frob(a)").is_err());
        assert!(parse("(((((a").is_err());
        assert!(parse(&"(".repeat(500)).is_err());
        assert!(parse(&"-".repeat(500)).is_err());
        assert!(parse("\"open").is_err());
    }
}
