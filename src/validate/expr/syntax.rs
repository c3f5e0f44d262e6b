//! Reading a rule's text: tokens, then a precedence-climbing parser.

use rust_decimal::Decimal;

use super::{Builtin, Expr, Op, ParseError, Segment};
use crate::diagnostics::Text;

/// The deepest nesting an expression may have (parentheses, operators, paths in filters).
const MAX_DEPTH: usize = 48;

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
    let err = |offset: usize, message: Text| ParseError { offset, message };
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
                        Text::new(
                            format!("「{text}」不是 huibao 能精确表示的数"),
                            format!("`{text}` is not a number huibao can hold exactly"),
                        ),
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
                    return Err(err(
                        start,
                        Text::new("引号没有闭合", "a text in quotes is not closed"),
                    ));
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
            '=' => {
                return Err(err(
                    start,
                    Text::new("比较相等要写 ==（两个半角等号）", "write `==` to compare"),
                ));
            }
            other => {
                return Err(err(
                    start,
                    Text::new(
                        format!("这里不能有「{other}」"),
                        format!("unexpected character `{other}`"),
                    ),
                ));
            }
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
        _ => Err(parser.error(
            "这里应是表达式的末尾、运算符或「)」",
            "expected the end of the expression, an operator, or `)`",
        )),
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

    fn error(&self, zh: impl Into<String>, en: impl Into<String>) -> ParseError {
        self.error_at(self.position, zh, en)
    }

    /// An error at token `at` (a call's name).
    fn error_at(&self, at: usize, zh: impl Into<String>, en: impl Into<String>) -> ParseError {
        ParseError {
            offset: self.tokens[at.min(self.tokens.len() - 1)].1,
            message: Text::new(zh, en),
        }
    }

    /// `token` next, or an error saying it was expected (`what`, in both languages).
    fn expect(&mut self, token: Token, what: (&str, &str)) -> Result<(), ParseError> {
        if *self.peek() == token {
            self.advance();
            Ok(())
        } else {
            Err(self.error(
                format!("这里应是{}", what.0),
                format!("expected {}", what.1),
            ))
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("表达式嵌套太深", "the expression is nested too deeply"));
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
                return Err(self.error(
                    "比较不能连写：写成 a <= b and b <= c",
                    "comparisons cannot be chained: write `a <= b and b <= c`",
                ));
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
                    return Err(self.error("表达式嵌套太深", "the expression is nested too deeply"));
                }
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Negate(Box::new(inner)))
            }
            Token::Not => {
                self.advance();
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error("表达式嵌套太深", "the expression is nested too deeply"));
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
                self.expect(Token::RParen, ("「)」", "`)`"))?;
                Ok(inner)
            }
            Token::Name(name) => match name.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "null" => Ok(Expr::Null),
                _ if *self.peek() == Token::LParen => {
                    // A call's mistakes are said at its name (`summ`), not where its
                    // arguments end.
                    let at_name = self.position - 1;
                    let Some(builtin) = Builtin::named(&name) else {
                        let said = unknown_function(&name);
                        return Err(self.error_at(at_name, said.zh, said.en));
                    };
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
                    self.expect(Token::RParen, ("参数后的「)」", "`)` after the arguments"))?;
                    let wanted = builtin.arity();
                    if args.len() != wanted {
                        return Err(self.error_at(
                            at_name,
                            format!("「{name}」要 {wanted} 个参数，这里有 {} 个", args.len()),
                            format!("`{name}` takes {wanted} argument(s), found {}", args.len()),
                        ));
                    }
                    Ok(Expr::Call(builtin, args))
                }
                _ => self.path(name),
            },
            _ => {
                self.position = self.position.saturating_sub(1);
                Err(self.error(
                    "这里应是数字、引号里的文字、数据路径或「(」",
                    "expected a number, a text in quotes, a data path, or `(`",
                ))
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
                                .map_err(|_| self.error("序号太大", "index too large"))?;
                            segments.push(Segment::Index(index));
                        }
                        _ => {
                            self.position = self.position.saturating_sub(1);
                            return Err(self.error(
                                "「.」后面应是字段名、* 或序号",
                                "expected a field name, `*` or an index after `.`",
                            ));
                        }
                    }
                }
                Token::LBracket => {
                    self.advance();
                    let condition = self.expr()?;
                    self.expect(
                        Token::RBracket,
                        ("条件末尾的「]」", "`]` to close the condition"),
                    )?;
                    segments.push(Segment::Filter(Box::new(condition)));
                }
                _ => return Ok(Expr::Path(segments)),
            }
        }
    }
}

/// That the rules have no function `name`: the closest of theirs (`summ`: `sum`) and the list.
fn unknown_function(name: &str) -> Text {
    let functions = Builtin::ALL.map(Builtin::name);
    let lower = name.to_lowercase();
    let near = crate::suggest::did_you_mean(&lower, functions.into_iter());
    let (zh_near, en_near) = match near {
        Some(near) => (
            format!("，是不是「{near}」？"),
            format!("; did you mean `{near}`?"),
        ),
        None => ("。".to_string(), ".".to_string()),
    };
    let (all, last) = functions.split_at(functions.len() - 1);
    Text::new(
        format!("没有函数「{name}」{zh_near}可用 {}", functions.join("、")),
        format!(
            "unknown function `{name}`{en_near} Use {} or {}",
            all.join(", "),
            last.join("")
        ),
    )
}
