//! The rules of `complete(argument = method)`: the argument exists, and the method can be
//! called as a completion method.

use quote::ToTokens;
use syn::{FnArg, ReturnType, Type};

use super::{Seen, check_generics_and_unsafe, check_receiver};
use crate::ast::{CompleterParam, Receiver, Server};
use crate::attr::CompleteArg;
use crate::ctxt::Ctxt;

/// Checks the `complete(...)` of one prompt or template whose arguments are `arguments`.
/// `none` says why there is nothing to complete when `arguments` is empty.
pub(super) fn check_completions(
    cx: &Ctxt,
    server: &Server<'_>,
    completions: &[CompleteArg],
    arguments: &[&str],
    none: &str,
    seen: &mut Seen,
) {
    for completion in completions {
        let name = completion.name();
        if !arguments.contains(&name.as_str()) {
            let known = if arguments.is_empty() {
                none.to_owned()
            } else {
                let list: Vec<String> = arguments.iter().map(|a| format!("`{a}`")).collect();
                format!("the arguments are {}", list.join(", "))
            };
            cx.error_spanned_by(
                &completion.argument,
                format_args!("no argument `{name}` to complete; {known}"),
            );
        }
        check_method(cx, server, completion, seen);
    }
}

fn check_method(cx: &Ctxt, server: &Server<'_>, completion: &CompleteArg, seen: &mut Seen) {
    let Some(completer) = server.completer(&completion.method) else {
        cx.error_spanned_by(
            &completion.method,
            format_args!(
                "no method `{}` in this `#[mcp_server]` impl block; a completion method is \
                 written there: `fn {}(&self, value: &str) -> Vec<String>`",
                completion.method, completion.method
            ),
        );
        return;
    };
    // A method named by several `complete(...)`s is checked at its first use only.
    if !seen.completers.insert(completion.method.clone()) {
        return;
    }
    let sig = &completer.original.sig;
    let receiver = match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => match &*receiver.ty {
            Type::Reference(r) if r.mutability.is_none() => Receiver::Shared,
            _ => Receiver::Other(receiver),
        },
        _ => Receiver::Missing,
    };
    check_receiver(cx, &receiver, sig, "completion methods");
    check_generics_and_unsafe(cx, sig, "completion methods");
    let mut contexts = 0;
    for param in &completer.params {
        match param {
            CompleterParam::Context => {
                contexts += 1;
                if contexts == 2 {
                    cx.error_spanned_by(
                        &sig.ident,
                        "a completion method takes at most one `Context`",
                    );
                }
            }
            CompleterParam::ContextRef(param) => cx.error_spanned_by(
                &param.ty,
                "take the context by value (`ctx: Context`); it is cheap to clone",
            ),
            CompleterParam::Value(_) | CompleterParam::Chosen(_) => {}
            CompleterParam::Extra(param) => cx.error_spanned_by(
                param.to_token_stream(),
                "a completion method takes the value typed so far (`value: &str`), then \
                 optionally the arguments already chosen (`chosen: HashMap<String, String>`) \
                 and `ctx: Context`; nothing else",
            ),
        }
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            &sig.ident,
            format_args!(
                "`{}` must return the suggested values: `Vec<String>`, `Completion`, or a \
                 `Result` of one of them",
                completer.name()
            ),
        );
    }
}
