//! Executes a parsed template over the data, with Go's semantics and `missingkey=error` (ESO's
//! option), within fuel and output limits.

use std::collections::BTreeMap;

use super::call::{self, Param, Signature};
use super::funcs::{self, semver_obj};
use super::parse::{Arg, Branch, Node, Pipe, Template};
use super::value::Value;

/// Upper bound on template work (nodes executed, range iterations), so a template cannot spin.
const FUEL: u64 = 1_000_000;
/// Upper bound on the rendered bytes (a Secret holds at most 1 MiB).
const MAX_OUTPUT: usize = 4 * 1024 * 1024;
/// Upper bound on nested `{{template}}` calls.
const MAX_DEPTH: usize = 64;

/// How a list of nodes finished.
enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'a> {
    template: &'a Template,
    /// `missingkey=error` (ESO's templates) or Go's default (a missing key is `<no value>`).
    missing_key_error: bool,
    out: Vec<u8>,
    vars: Vec<(String, Value)>,
    fuel: u64,
    depth: usize,
}

/// Renders `template` with `data` as dot (and `$`). Errors name the line and the problem, never
/// a value.
pub fn execute(template: &Template, data: Value) -> Result<Vec<u8>, String> {
    execute_with(template, data, true)
}

/// [`execute`] with the `missingkey` option: `true` is `missingkey=error`.
pub fn execute_with(
    template: &Template,
    data: Value,
    missing_key_error: bool,
) -> Result<Vec<u8>, String> {
    let mut state = State {
        template,
        missing_key_error,
        out: Vec::new(),
        vars: vec![("$".into(), data.clone())],
        fuel: FUEL,
        depth: 0,
    };
    state.list(&template.root, &data)?;
    Ok(state.out)
}

impl State<'_> {
    fn burn(&mut self) -> Result<(), String> {
        self.fuel = self
            .fuel
            .checked_sub(1)
            .ok_or("the template does too much work (loop limit reached)")?;
        if self.out.len() > MAX_OUTPUT {
            return Err(format!("the template renders more than {MAX_OUTPUT} bytes"));
        }
        Ok(())
    }

    fn list(&mut self, nodes: &[Node], dot: &Value) -> Result<Flow, String> {
        let mark = self.vars.len();
        let flow = self.nodes(nodes, dot);
        self.vars.truncate(mark);
        flow
    }

    fn nodes(&mut self, nodes: &[Node], dot: &Value) -> Result<Flow, String> {
        for node in nodes {
            self.burn()?;
            match node {
                Node::Text(t) => self.out.extend_from_slice(t),
                Node::Action(pipe) => {
                    let v = self.pipe(pipe, dot)?;
                    if pipe.vars.is_empty() {
                        super::fmt::print_to(&v, &mut self.out);
                    }
                }
                Node::If(b) => {
                    let flow = self.conditional(b, dot, false)?;
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::With(b) => {
                    let flow = self.conditional(b, dot, true)?;
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::Range(b) => self.range(b, dot)?,
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
                Node::Template(name, pipe, line) => {
                    let body = self.template.defines.get(name).ok_or_else(|| {
                        format!(
                            "line {line}: no such template {:?}",
                            String::from_utf8_lossy(name)
                        )
                    })?;
                    let value = match pipe {
                        Some(p) => self.pipe(p, dot)?,
                        None => Value::Nil,
                    };
                    if self.depth >= MAX_DEPTH {
                        return Err(format!("line {line}: templates nested too deeply"));
                    }
                    self.depth += 1;
                    let saved =
                        std::mem::replace(&mut self.vars, vec![("$".into(), value.clone())]);
                    let result = self.list(body, &value);
                    self.vars = saved;
                    self.depth -= 1;
                    result?;
                }
            }
        }
        Ok(Flow::Normal)
    }

    fn conditional(&mut self, b: &Branch, dot: &Value, with: bool) -> Result<Flow, String> {
        let mark = self.vars.len();
        let result = (|| {
            let v = self.pipe(&b.pipe, dot)?;
            if v.truthy() {
                let inner = if with { v } else { dot.clone() };
                self.list(&b.list, &inner)
            } else {
                self.list(&b.otherwise, dot)
            }
        })();
        self.vars.truncate(mark);
        result
    }

    fn range(&mut self, b: &Branch, dot: &Value) -> Result<(), String> {
        let mark = self.vars.len();
        let result = self.range_inner(b, dot);
        self.vars.truncate(mark);
        result
    }

    fn range_inner(&mut self, b: &Branch, dot: &Value) -> Result<(), String> {
        // The pipeline's value without its declaration: the declared variables take each element.
        let decl = Pipe {
            vars: Vec::new(),
            ..b.pipe.clone()
        };
        let v = self.pipe(&decl, dot)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::List(l, _) => l
                .iter()
                .enumerate()
                .map(|(i, x)| (Value::Int(i as i64), x.clone()))
                .collect(),
            Value::Map(m, _) => m
                .borrow()
                .iter()
                .map(|(k, x)| (Value::str(k), x.clone()))
                .collect(),
            Value::Int(_) | Value::Int64(_) | Value::Uint8(_) | Value::Uint64(_) => {
                if b.pipe.vars.len() > 1 {
                    return Err(format!(
                        "line {}: can't use two variables when ranging over an integer",
                        b.pipe.line
                    ));
                }
                let n = v.as_int().unwrap_or(0);
                let huge = matches!(v, Value::Uint64(u) if u > FUEL);
                if huge || n > i64::try_from(FUEL).unwrap_or(i64::MAX) {
                    return Err("the template does too much work (loop limit reached)".into());
                }
                let typed = |i: i64| match v {
                    Value::Int64(_) => Value::Int64(i),
                    Value::Uint8(_) => Value::Uint8(i as u8),
                    Value::Uint64(_) => Value::Uint64(i as u64),
                    _ => Value::Int(i),
                };
                (0..n).map(|i| (typed(i), typed(i))).collect()
            }
            Value::Nil => Vec::new(),
            other => {
                return Err(format!(
                    "line {}: range can't iterate over {}",
                    b.pipe.line,
                    other.type_name()
                ));
            }
        };
        if items.is_empty() {
            self.list(&b.otherwise, dot)?;
            return Ok(());
        }
        let base = self.vars.len();
        for (key, item) in items {
            self.burn()?;
            self.vars.truncate(base);
            match b.pipe.vars.as_slice() {
                [] => {}
                [one] => self.bind(one, item.clone(), b.pipe.assign, b.pipe.line)?,
                [k, e] => {
                    self.bind(k, key, b.pipe.assign, b.pipe.line)?;
                    self.bind(e, item.clone(), b.pipe.assign, b.pipe.line)?;
                }
                _ => return Err(format!("line {}: too many range variables", b.pipe.line)),
            }
            match self.list(&b.list, &item)? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        Ok(())
    }

    fn bind(&mut self, name: &str, value: Value, assign: bool, line: usize) -> Result<(), String> {
        if assign {
            let slot = self
                .vars
                .iter_mut()
                .rev()
                .find(|(n, _)| n == name)
                .ok_or_else(|| format!("line {line}: undefined variable: {name}"))?;
            slot.1 = value;
        } else {
            self.vars.push((name.to_string(), value));
        }
        Ok(())
    }

    fn pipe(&mut self, pipe: &Pipe, dot: &Value) -> Result<Value, String> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.command(cmd, dot, value, pipe.line)?);
        }
        let value = value.unwrap_or(Value::Nil);
        if let [one] = pipe.vars.as_slice() {
            self.bind(one, value.clone(), pipe.assign, pipe.line)?;
        }
        Ok(value)
    }

    fn command(
        &mut self,
        cmd: &[Arg],
        dot: &Value,
        piped: Option<Value>,
        line: usize,
    ) -> Result<Value, String> {
        let Some((first, rest)) = cmd.split_first() else {
            return Err(format!("line {line}: empty command"));
        };
        if matches!(first, Arg::Nil) {
            return Err(format!("line {line}: nil is not a command"));
        }
        let Arg::Func(name) = first else {
            // A field chain's last name gets the arguments (a method call).
            let receiver = match first {
                Arg::Field(fields) if !fields.is_empty() => Some((dot.clone(), fields)),
                Arg::Var(var, fields) if !fields.is_empty() => Some((self.var(var, line)?, fields)),
                Arg::Chain(pipe, fields) if !fields.is_empty() => {
                    Some((self.pipe(pipe, dot)?, fields))
                }
                _ => None,
            };
            if let Some((v, fields)) = receiver {
                return self.fields(v, fields, rest, piped, dot, line);
            }
            if !rest.is_empty() || piped.is_some() {
                return Err(format!("line {line}: can't give argument to non-function"));
            }
            return self.arg(first, dot, line);
        };
        let sig = funcs::signature(name)
            .map(Signature::parse)
            .ok_or_else(|| format!("line {line}: function {name:?} not defined"))?;
        let total = rest.len() + usize::from(piped.is_some());
        sig.check_arity(name, total)
            .map_err(|e| format!("line {line}: {e}"))?;
        match name.as_str() {
            "and" | "or" => {
                let args: Vec<&Arg> = rest.iter().collect();
                self.logic(name == "and", &args, piped, dot, line)
            }
            _ => {
                let mut args = Vec::with_capacity(total);
                for (i, a) in rest.iter().enumerate() {
                    let v = self
                        .eval_arg(a, sig.param(i), dot, line)
                        .map_err(|e| format!("line {line}: {e}"))?;
                    args.push(v);
                }
                if let Some(p) = piped {
                    let v = call::validate(p, sig.param(rest.len()))
                        .map_err(|e| format!("line {line}: {e}"))?;
                    args.push(v);
                }
                for _ in 1..funcs::cost(name) {
                    self.burn().map_err(|e| format!("line {line}: {e}"))?;
                }
                funcs::call(name, args)
                    .map_err(|e| format!("line {line}: error calling {name}: {e}"))
            }
        }
    }

    /// `evalArg`: a constant converts to the parameter's type, anything else must have it.
    fn eval_arg(
        &mut self,
        arg: &Arg,
        param: Param,
        dot: &Value,
        line: usize,
    ) -> Result<Value, String> {
        if call::is_constant(arg) {
            return call::constant(arg, param);
        }
        let v = self.arg(arg, dot, line)?;
        call::validate(v, param)
    }

    /// `and`/`or`: evaluate left to right, stop at the first false (and) or true (or) value.
    fn logic(
        &mut self,
        and: bool,
        args: &[&Arg],
        piped: Option<Value>,
        dot: &Value,
        line: usize,
    ) -> Result<Value, String> {
        let mut last = Value::Nil;
        for a in args {
            last = self.eval_arg(a, Param::Reflect, dot, line)?;
            if last.truthy() != and {
                return Ok(last);
            }
        }
        if let Some(p) = piped {
            last = p;
        }
        Ok(last)
    }

    fn arg(&mut self, arg: &Arg, dot: &Value, line: usize) -> Result<Value, String> {
        match arg {
            Arg::Dot => Ok(dot.clone()),
            Arg::Nil => Ok(Value::Nil),
            Arg::Bool(b) => Ok(Value::Bool(*b)),
            Arg::Number(n) => n.ideal().map_err(|e| format!("line {line}: {e}")),
            Arg::Str(s) => Ok(Value::str(s)),
            Arg::Field(fields) => self.fields(dot.clone(), fields, &[], None, dot, line),
            Arg::Var(name, fields) => {
                let v = self.var(name, line)?;
                self.fields(v, fields, &[], None, dot, line)
            }
            Arg::Func(_) => self.command(std::slice::from_ref(arg), dot, None, line),
            Arg::Chain(pipe, fields) => {
                let v = self.pipe(pipe, dot)?;
                self.fields(v, fields, &[], None, dot, line)
            }
        }
    }

    fn var(&self, name: &str, line: usize) -> Result<Value, String> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("line {line}: undefined variable {name:?}"))
    }

    /// `evalFieldChain`: `.a.b.c` on `v`; the last name gets the arguments and the piped value.
    fn fields(
        &mut self,
        mut v: Value,
        fields: &[String],
        args: &[Arg],
        piped: Option<Value>,
        dot: &Value,
        line: usize,
    ) -> Result<Value, String> {
        let Some((last, init)) = fields.split_last() else {
            return Ok(v);
        };
        for f in init {
            v = self.field(v, f, &[], None, dot, line)?;
        }
        self.field(v, last, args, piped, dot, line)
    }

    /// `evalField`: a method of a semantic version, or a map entry.
    fn field(
        &mut self,
        v: Value,
        f: &str,
        args: &[Arg],
        piped: Option<Value>,
        dot: &Value,
        line: usize,
    ) -> Result<Value, String> {
        let Value::Version(sv, pointer) = &v else {
            if !args.is_empty() || piped.is_some() {
                return Err(match v {
                    Value::Map(..) => format!("line {line}: {f} is not a method but has arguments"),
                    _ => format!("line {line}: can't give argument to non-function"),
                });
            }
            return fields_of(
                v,
                std::slice::from_ref(&f.to_string()),
                line,
                self.missing_key_error,
            );
        };
        let params = semver_obj::params(*pointer, f)
            .ok_or_else(|| format!("line {line}: {}", semver_obj::no_method(&v, f)))?;
        let total = args.len() + usize::from(piped.is_some());
        if total != params.len() {
            return Err(format!(
                "line {line}: wrong number of args for {f}: want {} got {total}",
                params.len()
            ));
        }
        let mut argv = Vec::with_capacity(total);
        for (a, p) in args.iter().zip(params) {
            let value = self
                .eval_arg(a, *p, dot, line)
                .map_err(|e| format!("line {line}: {e}"))?;
            argv.push(value);
        }
        if let (Some(p), Some(param)) = (piped, params.last()) {
            argv.push(call::validate(p, *param).map_err(|e| format!("line {line}: {e}"))?);
        }
        semver_obj::call(sv, f, &argv).map_err(|e| format!("line {line}: error calling {f}: {e}"))
    }
}

/// `.a.b` on a value: map entries (a missing one is an error with `missingkey=error`, else nil).
fn fields_of(mut v: Value, fields: &[String], line: usize, strict: bool) -> Result<Value, String> {
    for f in fields {
        v = match v {
            Value::Map(m, _) => match m.borrow().get(f).cloned() {
                Some(found) => found,
                None if strict => {
                    return Err(format!("line {line}: map has no entry for key {f:?}"));
                }
                None => Value::Nil,
            },
            Value::Nil => {
                return Err(format!(
                    "line {line}: nil pointer evaluating interface {{}}.{f}"
                ));
            }
            other => {
                return Err(format!(
                    "line {line}: can't evaluate field {f} in type {}",
                    other.type_name()
                ));
            }
        };
    }
    Ok(v)
}

/// The template's data: each key as a string, as ESO passes it (`map[string]string`).
pub fn data_value(data: &BTreeMap<String, Vec<u8>>) -> Value {
    Value::Map(
        std::rc::Rc::new(std::cell::RefCell::new(
            data.iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect(),
        )),
        super::value::MapKind::Strings,
    )
}
