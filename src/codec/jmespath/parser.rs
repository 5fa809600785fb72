//! Tokens to a tree: a top-down operator precedence (Pratt) parser with jmespath.py 1.0.1's binding powers
//! and its exact nud/led rules, quirks included (a function's arguments need no commas between them,
//! `[:1 2]` keeps the last number of a slice part), so that what it accepts and the tree's shape are the same.

use super::ast::{Cmp, Node};
use super::lexer::{Tok, Token, tokenize};
use super::{JmesError, MAX_DEPTH};

/// Parses a whole expression.
pub(crate) fn parse(expr: &str) -> Result<Node, JmesError> {
    let tokens = tokenize(expr)?;
    let mut p = Parser {
        tokens,
        i: 0,
        expr,
        depth: 0,
    };
    let node = p.expression(0)?;
    if p.current() != &Tok::Eof {
        let t = p.token(0).text.clone();
        return Err(p.error_at(0, &format!("Unexpected token: {t}")));
    }
    if depth(&node, 0) > MAX_DEPTH {
        return Err(p.too_deep());
    }
    Ok(node)
}

/// The depth of a tree, counted up to a little past the limit (the parser's own nesting bound keeps the
/// recursion here short).
fn depth(node: &Node, at: usize) -> usize {
    if at > MAX_DEPTH {
        return at;
    }
    let children: Vec<&Node> = match node {
        Node::Identity
        | Node::Current
        | Node::Field(_)
        | Node::Index(_)
        | Node::Slice(..)
        | Node::Literal(_) => {
            vec![]
        }
        Node::Subexpression(v)
        | Node::IndexExpression(v)
        | Node::MultiSelectList(v)
        | Node::Function(_, v) => v.iter().collect(),
        Node::MultiSelectHash(pairs) => pairs.iter().map(|(_, n)| n).collect(),
        Node::Projection(a, b)
        | Node::ValueProjection(a, b)
        | Node::Comparator(_, a, b)
        | Node::Or(a, b)
        | Node::And(a, b)
        | Node::Pipe(a, b) => vec![a, b],
        Node::FilterProjection(a, b, c) => vec![a, b, c],
        Node::Flatten(a) | Node::Not(a) | Node::Expref(a) => vec![a],
    };
    children
        .into_iter()
        .map(|c| depth(c, at + 1))
        .max()
        .unwrap_or(at + 1)
}

/// How strongly a token binds to the expression on its left (jmespath.py's `BINDING_POWER`).
fn binding_power(t: &Tok) -> u8 {
    match t {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Eq | Tok::Ne | Tok::Lt | Tok::Lte | Tok::Gt | Tok::Gte => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

/// Tokens binding below this end a projection: its right side stops before a pipe, `||`, `&&`, a
/// comparison or a flatten.
const PROJECTION_STOP: u8 = 10;

struct Parser<'e> {
    tokens: Vec<Token>,
    i: usize,
    expr: &'e str,
    /// Nesting so far (recursion plus nodes wrapped at one level), bounded so that no input exhausts the stack.
    depth: usize,
}

impl Parser<'_> {
    fn token(&self, ahead: usize) -> &Token {
        // The list always ends with Eof, and the parser never moves past it.
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[(self.i + ahead).min(last)]
    }

    fn current(&self) -> &Tok {
        &self.token(0).tok
    }

    fn is(&self, ahead: usize, kind: &Tok) -> bool {
        std::mem::discriminant(&self.token(ahead).tok) == std::mem::discriminant(kind)
    }

    fn advance(&mut self) {
        if self.i + 1 < self.tokens.len() {
            self.i += 1;
        }
    }

    fn too_deep(&self) -> JmesError {
        JmesError::syntax(format!(
            "Invalid jmespath expression: nested more than {MAX_DEPTH} levels deep, for expression:\n\"{}\"",
            self.expr
        ))
    }

    fn nest(&mut self) -> Result<(), JmesError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    /// A parse error naming the token `ahead` of the current one.
    fn error_at(&self, ahead: usize, reason: &str) -> JmesError {
        let t = self.token(ahead);
        self.error_for(t, reason)
    }

    fn error_for(&self, t: &Token, reason: &str) -> JmesError {
        JmesError::parse(self.expr, t.start, &t.text, t.tok.name(), reason)
    }

    /// A missing token: the expression is incomplete at its end, else the token found is wrong.
    fn expected(&self, what: &str) -> JmesError {
        let t = self.token(0);
        if t.tok == Tok::Eof {
            return JmesError::incomplete(self.expr);
        }
        self.error_for(t, &format!("Expecting: {what}, got: {}", t.tok.name()))
    }

    fn expect(&mut self, kind: &Tok) -> Result<(), JmesError> {
        if self.is(0, kind) {
            self.advance();
            Ok(())
        } else {
            Err(self.expected(kind.name()))
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Node, JmesError> {
        self.nest()?;
        let entry = self.depth;
        let result = self.expression_at(rbp);
        self.depth = entry - 1;
        result
    }

    fn expression_at(&mut self, rbp: u8) -> Result<Node, JmesError> {
        let start = self.i;
        self.advance();
        let mut left = self.nud(start)?;
        while rbp < binding_power(self.current()) {
            // Appending to a chain adds no depth; wrapping the left side in a new node does.
            let appends = match (&left, self.current()) {
                (Node::Subexpression(_), Tok::Dot) => !self.is(1, &Tok::Star),
                (Node::IndexExpression(_), Tok::LBracket) => {
                    self.is(1, &Tok::Number(0)) || self.is(1, &Tok::Colon)
                }
                _ => false,
            };
            if !appends {
                self.nest()?;
            }
            let at = self.i;
            self.advance();
            left = self.led(at, left)?;
        }
        Ok(left)
    }

    /// A token at the start of an expression. Like `led`, only a dispatch, so that the frames each level of
    /// nesting stacks up stay small.
    fn nud(&mut self, at: usize) -> Result<Node, JmesError> {
        match &self.tokens[at].tok {
            Tok::Literal(v) => Ok(Node::Literal(v.clone())),
            Tok::Unquoted(name) => Ok(Node::Field(name.clone())),
            Tok::Quoted(name) => {
                let field = Node::Field(name.clone());
                self.quoted_field(field)
            }
            Tok::Star => self.nud_star(),
            Tok::Filter => self.filter(Node::Identity),
            Tok::LBrace => self.multi_select_hash(),
            Tok::LParen => self.parenthesized(),
            Tok::Flatten => self.flatten(Node::Identity),
            Tok::Not => {
                let inner = self.expression(binding_power(&Tok::Not))?;
                Ok(Node::Not(Box::new(inner)))
            }
            Tok::LBracket => self.nud_lbracket(),
            Tok::Current => Ok(Node::Current),
            Tok::Expref => {
                let inner = self.expression(0)?;
                Ok(Node::Expref(Box::new(inner)))
            }
            Tok::Eof => Err(JmesError::incomplete(self.expr)),
            _ => Err(self.error_for(&self.tokens[at], "invalid token")),
        }
    }

    fn quoted_field(&self, field: Node) -> Result<Node, JmesError> {
        if self.is(0, &Tok::LParen) {
            let t = self.token(0);
            // jmespath.py reports this one at column 0.
            let reason = "Quoted identifier not allowed for function names.";
            return Err(JmesError::parse(self.expr, 0, &t.text, t.tok.name(), reason));
        }
        Ok(field)
    }

    fn nud_star(&mut self) -> Result<Node, JmesError> {
        let right = if self.is(0, &Tok::RBracket) {
            Node::Identity
        } else {
            self.projection_rhs(binding_power(&Tok::Star))?
        };
        Ok(Node::ValueProjection(Box::new(Node::Identity), Box::new(right)))
    }

    fn parenthesized(&mut self) -> Result<Node, JmesError> {
        let inner = self.expression(0)?;
        self.expect(&Tok::RParen)?;
        Ok(inner)
    }

    fn flatten(&mut self, left: Node) -> Result<Node, JmesError> {
        let right = self.projection_rhs(binding_power(&Tok::Flatten))?;
        Ok(Node::Projection(
            Box::new(Node::Flatten(Box::new(left))),
            Box::new(right),
        ))
    }

    fn nud_lbracket(&mut self) -> Result<Node, JmesError> {
        if self.is(0, &Tok::Number(0)) || self.is(0, &Tok::Colon) {
            let right = self.index_expression()?;
            self.project_if_slice(Node::Identity, right)
        } else if self.is(0, &Tok::Star) && self.is(1, &Tok::RBracket) {
            self.advance();
            self.advance();
            let right = self.projection_rhs(binding_power(&Tok::Star))?;
            Ok(Node::Projection(Box::new(Node::Identity), Box::new(right)))
        } else {
            self.multi_select_list()
        }
    }

    /// A token that continues the expression `left`.
    fn led(&mut self, at: usize, left: Node) -> Result<Node, JmesError> {
        let (op, bp) = match &self.tokens[at].tok {
            Tok::Eq => (Cmp::Eq, 5),
            Tok::Ne => (Cmp::Ne, 5),
            Tok::Lt => (Cmp::Lt, 5),
            Tok::Lte => (Cmp::Lte, 5),
            Tok::Gt => (Cmp::Gt, 5),
            Tok::Gte => (Cmp::Gte, 5),
            Tok::Dot => return self.led_dot(left),
            Tok::Pipe => return self.binary(left, 1, Node::Pipe),
            Tok::Or => return self.binary(left, 2, Node::Or),
            Tok::And => return self.binary(left, 3, Node::And),
            Tok::LParen => return self.function(at, left),
            Tok::Filter => return self.filter(left),
            Tok::Flatten => return self.flatten(left),
            Tok::LBracket => return self.led_lbracket(left),
            _ => return Err(self.error_for(&self.tokens[at], "invalid token")),
        };
        let right = self.expression(bp)?;
        Ok(Node::Comparator(op, Box::new(left), Box::new(right)))
    }

    fn binary(
        &mut self,
        left: Node,
        bp: u8,
        node: fn(Box<Node>, Box<Node>) -> Node,
    ) -> Result<Node, JmesError> {
        let right = self.expression(bp)?;
        Ok(node(Box::new(left), Box::new(right)))
    }

    fn led_dot(&mut self, left: Node) -> Result<Node, JmesError> {
        if self.is(0, &Tok::Star) {
            self.advance();
            let right = self.projection_rhs(binding_power(&Tok::Dot))?;
            return Ok(Node::ValueProjection(Box::new(left), Box::new(right)));
        }
        let right = self.dot_rhs(binding_power(&Tok::Dot))?;
        Ok(match left {
            Node::Subexpression(mut chain) => {
                chain.push(right);
                Node::Subexpression(chain)
            }
            other => Node::Subexpression(vec![other, right]),
        })
    }

    fn led_lbracket(&mut self, left: Node) -> Result<Node, JmesError> {
        if self.is(0, &Tok::Number(0)) || self.is(0, &Tok::Colon) {
            let right = self.index_expression()?;
            return match left {
                // jmespath.py appends to an index chain, so a slice there does not project.
                Node::IndexExpression(mut chain) => {
                    chain.push(right);
                    Ok(Node::IndexExpression(chain))
                }
                other => self.project_if_slice(other, right),
            };
        }
        self.expect(&Tok::Star)?;
        self.expect(&Tok::RBracket)?;
        let right = self.projection_rhs(binding_power(&Tok::Star))?;
        Ok(Node::Projection(Box::new(left), Box::new(right)))
    }

    fn function(&mut self, lparen: usize, left: Node) -> Result<Node, JmesError> {
        let Node::Field(name) = left else {
            let t = &self.tokens[lparen.saturating_sub(1)];
            return Err(self.error_for(t, &format!("Invalid function name '{}'", t.text)));
        };
        let mut args = Vec::new();
        while !self.is(0, &Tok::RParen) {
            let arg = self.expression(0)?;
            if self.is(0, &Tok::Comma) {
                self.advance();
            }
            args.push(arg);
        }
        self.expect(&Tok::RParen)?;
        Ok(Node::Function(name, args))
    }

    fn filter(&mut self, left: Node) -> Result<Node, JmesError> {
        let condition = self.expression(0)?;
        self.expect(&Tok::RBracket)?;
        let right = if self.is(0, &Tok::Flatten) {
            Node::Identity
        } else {
            self.projection_rhs(binding_power(&Tok::Filter))?
        };
        Ok(Node::FilterProjection(
            Box::new(left),
            Box::new(right),
            Box::new(condition),
        ))
    }

    /// `[n]` or a slice, after the `[`.
    fn index_expression(&mut self) -> Result<Node, JmesError> {
        if self.is(0, &Tok::Colon) || self.is(1, &Tok::Colon) {
            return self.slice();
        }
        let Tok::Number(n) = *self.current() else {
            return Err(self.error_at(0, "syntax error"));
        };
        self.advance();
        self.expect(&Tok::RBracket)?;
        Ok(Node::Index(n))
    }

    fn slice(&mut self) -> Result<Node, JmesError> {
        let mut parts = [None; 3];
        let mut index = 0;
        while !self.is(0, &Tok::RBracket) {
            match *self.current() {
                Tok::Colon => {
                    index += 1;
                    if index == 3 {
                        return Err(self.error_at(0, "syntax error"));
                    }
                    self.advance();
                }
                Tok::Number(n) => {
                    parts[index] = Some(n);
                    self.advance();
                }
                _ => return Err(self.error_at(0, "syntax error")),
            }
        }
        self.expect(&Tok::RBracket)?;
        Ok(Node::Slice(parts[0], parts[1], parts[2]))
    }

    fn project_if_slice(&mut self, left: Node, right: Node) -> Result<Node, JmesError> {
        let is_slice = matches!(right, Node::Slice(..));
        let index = Node::IndexExpression(vec![left, right]);
        if !is_slice {
            return Ok(index);
        }
        self.nest()?;
        let rhs = self.projection_rhs(binding_power(&Tok::Star))?;
        Ok(Node::Projection(Box::new(index), Box::new(rhs)))
    }

    fn multi_select_list(&mut self) -> Result<Node, JmesError> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            if self.is(0, &Tok::RBracket) {
                break;
            }
            self.expect(&Tok::Comma)?;
        }
        self.expect(&Tok::RBracket)?;
        Ok(Node::MultiSelectList(items))
    }

    fn multi_select_hash(&mut self) -> Result<Node, JmesError> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.current() {
                Tok::Quoted(k) | Tok::Unquoted(k) => k.clone(),
                _ => return Err(self.expected("['quoted_identifier', 'unquoted_identifier']")),
            };
            self.advance();
            self.expect(&Tok::Colon)?;
            let value = self.expression(0)?;
            pairs.push((key, value));
            // As jmespath.py: after a value, a comma or the closing brace, or else simply the next key.
            if self.is(0, &Tok::Comma) {
                self.advance();
            } else if self.is(0, &Tok::RBrace) {
                self.advance();
                break;
            }
        }
        Ok(Node::MultiSelectHash(pairs))
    }

    /// What follows a projection: nothing (a token that stops it), `[..]`, `[?..]` or `.rhs`.
    fn projection_rhs(&mut self, rbp: u8) -> Result<Node, JmesError> {
        let cur = self.current();
        if binding_power(cur) < PROJECTION_STOP {
            Ok(Node::Identity)
        } else if matches!(cur, Tok::LBracket | Tok::Filter) {
            self.expression(rbp)
        } else if matches!(cur, Tok::Dot) {
            self.advance();
            self.dot_rhs(rbp)
        } else {
            Err(self.error_at(0, "syntax error"))
        }
    }

    /// What may follow a `.`: an identifier, `*`, a multi-select list or hash (a function is an identifier
    /// followed by its arguments).
    fn dot_rhs(&mut self, rbp: u8) -> Result<Node, JmesError> {
        match self.current() {
            Tok::Quoted(_) | Tok::Unquoted(_) | Tok::Star => self.expression(rbp),
            Tok::LBracket => {
                self.advance();
                self.multi_select_list()
            }
            Tok::LBrace => {
                self.advance();
                self.multi_select_hash()
            }
            other => {
                let got = other.name();
                Err(self.error_at(
                    0,
                    &format!(
                        "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: {got}"
                    ),
                ))
            }
        }
    }
}
