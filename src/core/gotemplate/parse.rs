//! Parses lexed segments into Go `text/template`'s tree: text, actions, `if`/`with`/`range`
//! (with `else`, `else if`, `else with`), `break`/`continue`, `define`/`template`/`block`.

use std::collections::BTreeMap;

use super::funcs;
use super::lex::{Segment, Tok, Token, lex};
use super::number::Number;

/// A parsed template and the named templates it defines.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The main template's nodes.
    pub root: Vec<Node>,
    /// `{{define "name"}}` and `{{block "name"}}` bodies.
    pub defines: BTreeMap<Vec<u8>, Vec<Node>>,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text.
    Text(Vec<u8>),
    /// `{{ pipeline }}`: printed unless it declares or assigns a variable.
    Action(Pipe),
    /// `{{if}}`.
    If(Branch),
    /// `{{with}}`.
    With(Branch),
    /// `{{range}}`.
    Range(Branch),
    /// `{{break}}`.
    Break,
    /// `{{continue}}`.
    Continue,
    /// `{{template "name" pipeline}}`.
    Template(Vec<u8>, Option<Pipe>, usize),
}

/// A control structure's pipeline, body and `else` body.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// The condition or the value ranged over.
    pub pipe: Pipe,
    /// The body.
    pub list: Vec<Node>,
    /// The `else` body (empty when there is none).
    pub otherwise: Vec<Node>,
}

/// A pipeline: optional variable declaration or assignment, then commands joined by `|`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipe {
    /// Variables declared (`:=`) or assigned (`=`), e.g. `$k, $v`.
    pub vars: Vec<String>,
    /// `=` rather than `:=`.
    pub assign: bool,
    /// The commands; each one's result is the last argument of the next.
    pub cmds: Vec<Vec<Arg>>,
    /// The line the pipeline is on (for errors).
    pub line: usize,
}

/// One operand of a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// `.`
    Dot,
    /// `nil`
    Nil,
    /// `true` / `false`
    Bool(bool),
    /// A number constant.
    Number(Number),
    /// A string constant.
    Str(Vec<u8>),
    /// `.a.b`: fields of dot.
    Field(Vec<String>),
    /// `$x.a.b`: a variable and fields of it.
    Var(String, Vec<String>),
    /// A function name.
    Func(String),
    /// `(pipeline).a.b`.
    Chain(Box<Pipe>, Vec<String>),
}

/// How a list ended.
enum Closing {
    /// End of input.
    Eof,
    /// `{{end}}`.
    End,
    /// `{{else ...}}` with the tokens after `else`, and the line.
    Else(Vec<Token>, usize),
}

/// Parses a template source; the error names the line and what is wrong.
pub fn parse(src: &str) -> Result<Template, String> {
    let segments = lex(src)?;
    let mut p = Parser {
        segments: segments.into_iter(),
        defines: BTreeMap::new(),
        range_depth: 0,
    };
    let (root, end) = p.list(true)?;
    match end {
        Closing::Eof => Ok(Template {
            root,
            defines: p.defines,
        }),
        Closing::End => Err("unexpected {{end}}".into()),
        Closing::Else(_, line) => Err(format!("line {line}: unexpected {{{{else}}}}")),
    }
}

struct Parser {
    segments: std::vec::IntoIter<Segment>,
    defines: BTreeMap<Vec<u8>, Vec<Node>>,
    range_depth: usize,
}

fn keyword(tokens: &[Token]) -> Option<&str> {
    match tokens.first().map(|t| &t.tok) {
        Some(Tok::Ident(k)) => Some(k.as_str()),
        _ => None,
    }
}

/// Go's `IsEmptyTree`: nothing but whitespace.
fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(t) => t.iter().all(u8::is_ascii_whitespace),
        _ => false,
    })
}

impl Parser {
    /// Go's rule for a second definition: an empty one never replaces, and only an empty one
    /// may be replaced.
    fn define(&mut self, name: Vec<u8>, body: Vec<Node>, line: usize) -> Result<(), String> {
        match self.defines.get(&name) {
            Some(old) if !is_empty_tree(old) => {
                if is_empty_tree(&body) {
                    Ok(())
                } else {
                    Err(format!("line {line}: multiple definition of a template"))
                }
            }
            _ => {
                self.defines.insert(name, body);
                Ok(())
            }
        }
    }

    fn list(&mut self, top: bool) -> Result<(Vec<Node>, Closing), String> {
        let mut nodes = Vec::new();
        while let Some(seg) = self.segments.next() {
            let (tokens, line) = match seg {
                Segment::Text(t) => {
                    nodes.push(Node::Text(t));
                    continue;
                }
                Segment::Action(tokens, line) => (tokens, line),
            };
            let rest = tokens.get(1..).unwrap_or_default().to_vec();
            match keyword(&tokens) {
                Some("end") => {
                    if !rest.is_empty() {
                        return Err(format!("line {line}: unexpected tokens after end"));
                    }
                    return Ok((nodes, Closing::End));
                }
                Some("else") => return Ok((nodes, Closing::Else(rest, line))),
                Some("if") => nodes.push(Node::If(self.branch(&rest, line, "if")?)),
                Some("with") => nodes.push(Node::With(self.branch(&rest, line, "with")?)),
                Some("range") => {
                    self.range_depth += 1;
                    let b = self.branch(&rest, line, "range");
                    self.range_depth -= 1;
                    nodes.push(Node::Range(b?));
                }
                Some(k @ ("break" | "continue")) => {
                    if self.range_depth == 0 {
                        return Err(format!("line {line}: {{{{{k}}}}} outside {{{{range}}}}"));
                    }
                    if !rest.is_empty() {
                        return Err(format!("line {line}: unexpected tokens after {k}"));
                    }
                    nodes.push(if k == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    });
                }
                Some("define") => {
                    if !top {
                        return Err(format!("line {line}: define inside a control structure"));
                    }
                    let name = match rest.as_slice() {
                        [
                            Token {
                                tok: Tok::Str(n), ..
                            },
                        ] => n.clone(),
                        _ => return Err(format!("line {line}: define needs one quoted name")),
                    };
                    let (body, end) = self.list(false)?;
                    if !matches!(end, Closing::End) {
                        return Err(format!("line {line}: define without end"));
                    }
                    self.define(name, body, line)?;
                }
                Some(k @ ("template" | "block")) => {
                    let Some(Token {
                        tok: Tok::Str(name),
                        ..
                    }) = rest.first()
                    else {
                        return Err(format!("line {line}: {k} needs a quoted name"));
                    };
                    let pipe = if rest.len() > 1 {
                        Some(pipe(&rest[1..], line, false)?)
                    } else {
                        None
                    };
                    if k == "block" {
                        let (body, end) = self.list(false)?;
                        if !matches!(end, Closing::End) {
                            return Err(format!("line {line}: block without end"));
                        }
                        self.define(name.clone(), body, line)?;
                    }
                    nodes.push(Node::Template(name.clone(), pipe, line));
                }
                Some("nil") if rest.is_empty() => {
                    return Err(format!("line {line}: nil is not a command"));
                }
                _ => nodes.push(Node::Action(pipe(&tokens, line, false)?)),
            }
        }
        Ok((nodes, Closing::Eof))
    }

    /// `if`/`with`/`range`: the pipeline, the body, and the else chain up to the shared `end`.
    fn branch(&mut self, tokens: &[Token], line: usize, kind: &str) -> Result<Branch, String> {
        let pipe = pipe(tokens, line, kind == "range")?;
        let (list, end) = self.list(false)?;
        let otherwise = match end {
            Closing::End => Vec::new(),
            Closing::Eof => return Err(format!("line {line}: {kind} without end")),
            Closing::Else(rest, else_line) if rest.is_empty() => {
                let (otherwise, end) = self.list(false)?;
                if !matches!(end, Closing::End) {
                    return Err(format!("line {else_line}: else without end"));
                }
                otherwise
            }
            Closing::Else(rest, else_line) => match (kind, keyword(&rest)) {
                ("if", Some("if")) => vec![Node::If(self.branch(&rest[1..], else_line, "if")?)],
                ("with", Some("with")) => {
                    vec![Node::With(self.branch(&rest[1..], else_line, "with")?)]
                }
                _ => return Err(format!("line {else_line}: unexpected tokens after else")),
            },
        };
        Ok(Branch {
            pipe,
            list,
            otherwise,
        })
    }
}

/// Parses a pipeline, with its optional declaration (two variables only for `range`).
fn pipe(tokens: &[Token], line: usize, range: bool) -> Result<Pipe, String> {
    let mut vars = Vec::new();
    let mut assign = false;
    let mut rest = tokens;
    let var = |t: &Token| match &t.tok {
        Tok::Var(v) => Some(v.clone()),
        _ => None,
    };
    let decl_at = |i: usize| {
        tokens.get(i).and_then(|t| match t.tok {
            Tok::Declare => Some(false),
            Tok::Assign => Some(true),
            _ => None,
        })
    };
    if let Some(v) = tokens.first().and_then(var) {
        if let Some(a) = decl_at(1) {
            vars.push(v);
            assign = a;
            rest = &tokens[2..];
        } else if matches!(tokens.get(1).map(|t| &t.tok), Some(Tok::Comma)) {
            let second = tokens.get(2).and_then(var);
            match (second, decl_at(3)) {
                (Some(w), Some(a)) if range => {
                    vars = vec![v, w];
                    assign = a;
                    rest = &tokens[4..];
                }
                _ => return Err(format!("line {line}: too many declarations in command")),
            }
        }
    }
    let mut cmds = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        if rest[i].tok == Tok::Pipe {
            if current.is_empty() {
                return Err(format!("line {line}: missing command before |"));
            }
            cmds.push(std::mem::take(&mut current));
            i += 1;
            continue;
        }
        current.push(operand(rest, &mut i, line)?);
    }
    if current.is_empty() {
        // Go accepts a pipeline that ends in `|` (`{{ .a | }}`), but not an empty one.
        if cmds.is_empty() {
            return Err(format!("line {line}: missing value for command"));
        }
    } else {
        cmds.push(current);
    }
    for cmd in &cmds[1..] {
        // Go's `checkPipeline`: only constants and dot cannot take the piped value.
        if matches!(
            cmd[0],
            Arg::Dot | Arg::Nil | Arg::Bool(_) | Arg::Number(_) | Arg::Str(_)
        ) {
            return Err(format!("line {line}: non-function in a pipeline stage"));
        }
    }
    Ok(Pipe {
        vars,
        assign,
        cmds,
        line,
    })
}

/// Field links written right after an operand (no space): `.a.b`.
fn chain(tokens: &[Token], i: &mut usize) -> Vec<String> {
    let mut fields = Vec::new();
    while let Some(Token {
        tok: Tok::Field(f),
        spaced: false,
    }) = tokens.get(*i)
    {
        fields.push(f.clone());
        *i += 1;
    }
    fields
}

fn operand(tokens: &[Token], i: &mut usize, line: usize) -> Result<Arg, String> {
    let tok = tokens[*i].tok.clone();
    *i += 1;
    Ok(match tok {
        Tok::Dot => {
            if matches!(
                tokens.get(*i),
                Some(Token {
                    tok: Tok::Field(_),
                    spaced: false
                })
            ) {
                return Err(format!("line {line}: unexpected . after term"));
            }
            Arg::Dot
        }
        Tok::Field(f) => {
            let mut fields = vec![f];
            fields.extend(chain(tokens, i));
            Arg::Field(fields)
        }
        Tok::Var(v) => Arg::Var(v, chain(tokens, i)),
        Tok::Str(s) => Arg::Str(s),
        Tok::Number(n) => Arg::Number(n),
        Tok::Ident(name) => match name.as_str() {
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "nil" => Arg::Nil,
            "if" | "else" | "end" | "range" | "with" | "define" | "template" | "block"
            | "break" | "continue" => {
                return Err(format!(
                    "line {line}: unexpected keyword {name:?} in operand"
                ));
            }
            _ => {
                funcs::check_name(&name).map_err(|e| format!("line {line}: {e}"))?;
                Arg::Func(name)
            }
        },
        Tok::Open => {
            let start = *i;
            let mut depth = 1;
            while *i < tokens.len() {
                match tokens[*i].tok {
                    Tok::Open => depth += 1,
                    Tok::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                *i += 1;
            }
            if depth != 0 {
                return Err(format!("line {line}: unclosed left paren"));
            }
            let inner = pipe(&tokens[start..*i], line, false)?;
            *i += 1;
            Arg::Chain(Box::new(inner), chain(tokens, i))
        }
        Tok::Close => return Err(format!("line {line}: unexpected right paren")),
        Tok::Pipe | Tok::Comma | Tok::Declare | Tok::Assign => {
            return Err(format!("line {line}: unexpected punctuation in operand"));
        }
    })
}
