//! Checks that the model can be expanded, each error at the user's tokens with a fix. What
//! every handler shares is here; each kind's own rules are in its module.

mod app;
mod completion;
mod prompt;
mod resource;
mod tool;

use std::collections::HashSet;

use quote::ToTokens;
use syn::{GenericArgument, GenericParam, Item, PathArguments, Type};

use crate::ast::{Method, Param, ParamKind, Receiver, Server};
use crate::ctxt::Ctxt;
use crate::inert::Kind;

/// The error for `#[mcp_server]` on something other than an inherent impl block.
pub(crate) fn not_an_inherent_impl(item: &Item) -> syn::Error {
    let (tokens, message): (&dyn ToTokens, _) = match item {
        Item::Impl(item) => match &item.trait_ {
            Some((_, path, for_token)) => (
                &quote::quote!(#path #for_token),
                "`#[mcp_server]` goes on an inherent impl block (`impl MyServer { ... }`), \
                 not on a trait impl: it implements `MCPServer` for you",
            ),
            None => unreachable!("inherent impls are accepted"),
        },
        Item::Struct(item) => (
            &item.ident,
            "`#[mcp_server]` goes on the impl block of the server type, not on the struct: \
             write `#[mcp_server] impl MyServer { #[tool] fn ... }`",
        ),
        Item::Enum(item) => (
            &item.ident,
            "`#[mcp_server]` goes on the impl block of the server type, not on the enum: \
             write `#[mcp_server] impl MyServer { #[tool] fn ... }`",
        ),
        Item::Fn(item) => (
            &item.sig.ident,
            "`#[mcp_server]` goes on an impl block; to make this function a tool, \
             make it a `#[tool]` method of an `#[mcp_server]` impl block",
        ),
        other => (
            other,
            "`#[mcp_server]` goes on an impl block: `#[mcp_server] impl MyServer { ... }`",
        ),
    };
    syn::Error::new_spanned(tokens, message)
}

/// Records every problem of `server` in `cx`, handler by handler in source order.
pub(crate) fn check(cx: &Ctxt, server: &Server<'_>) {
    let mut seen = Seen::default();
    for &(kind, index) in &server.order {
        match kind {
            Kind::Tool => tool::check(cx, server, &server.tools[index], &mut seen),
            Kind::Resource => resource::check(cx, server, &server.resources[index], &mut seen),
            Kind::Prompt => prompt::check(cx, server, &server.prompts[index], &mut seen),
        }
    }
}

/// What the handlers checked so far used, to find duplicates.
#[derive(Default)]
struct Seen {
    tool_names: HashSet<String>,
    uris: HashSet<String>,
    prompt_names: HashSet<String>,
    /// Completion methods already checked (each is checked once).
    completers: HashSet<syn::Ident>,
}

/// `&self`, not generic, not `unsafe`. `what` is the plural of the kind: "tools"...
fn check_signature(cx: &Ctxt, method: &Method<'_>, what: &str) {
    check_receiver(cx, &method.receiver, &method.original.sig, what);
    check_generics_and_unsafe(cx, &method.original.sig, what);
}

fn check_receiver(cx: &Ctxt, receiver: &Receiver<'_>, sig: &syn::Signature, what: &str) {
    match receiver {
        Receiver::Shared => {}
        Receiver::Other(receiver)
            if receiver.reference.is_some() && receiver.mutability.is_some() =>
        {
            cx.error_spanned_by(
                receiver,
                format_args!(
                    "{what} take `&self`, not `&mut self`: calls may run concurrently, \
                     so keep mutable state in a `Mutex` or an atomic"
                ),
            )
        }
        Receiver::Other(receiver) => {
            cx.error_spanned_by(receiver, format_args!("{what} take `&self`; write `&self`"))
        }
        Receiver::Missing => cx.error_spanned_by(
            &sig.ident,
            format_args!(
                "a {} must take `&self` as its first parameter; add `&self`",
                what.trim_end_matches('s')
            ),
        ),
    }
}

fn check_generics_and_unsafe(cx: &Ctxt, sig: &syn::Signature, what: &str) {
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(_) | GenericParam::Const(_) => cx.error_spanned_by(
                param,
                format_args!(
                    "{what} cannot be generic: their arguments are {} into concrete types",
                    parsed(what)
                ),
            ),
        }
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(
            unsafety,
            format_args!("{what} cannot be `unsafe fn`s; use an `unsafe` block inside"),
        );
    }
}

/// At most one `ctx: Context`, none by reference, no description or name on it.
fn check_context(cx: &Ctxt, params: &[Param<'_>], what: &str) {
    let mut seen = false;
    for param in params {
        match &param.kind {
            ParamKind::Context => {
                if seen {
                    cx.error_spanned_by(
                        &param.original.ty,
                        format_args!("a {what} takes at most one `Context`"),
                    );
                }
                seen = true;
            }
            ParamKind::ContextRef => cx.error_spanned_by(
                &param.original.ty,
                "take the context by value (`ctx: Context`); it is cheap to clone",
            ),
            ParamKind::Args { .. } | ParamKind::Flat(_) => {}
        }
    }
}

/// `#[arg(name = "...")]` only on arguments, and no two arguments with one name.
fn check_argument_names(cx: &Ctxt, params: &[Param<'_>], what: &str) {
    let mut names = HashSet::new();
    for param in params {
        if let (Some(rename), ParamKind::Context | ParamKind::ContextRef | ParamKind::Args { .. }) =
            (&param.rename, &param.kind)
        {
            cx.error_spanned_by(rename, format_args!("only {what} arguments have names"));
            continue;
        }
        let Some(name) = param.name() else {
            continue;
        };
        if name.is_empty() {
            if let Some(rename) = &param.rename {
                cx.error_spanned_by(rename, "an argument's name cannot be empty");
            }
        } else if !names.insert(name.clone()) {
            let at: &dyn ToTokens = match &param.rename {
                Some(rename) => rename,
                None => &param.original.pat,
            };
            cx.error_spanned_by(
                at,
                format_args!(
                    "two arguments are named `{name}`; rename one with `#[arg(name = \"...\")]`"
                ),
            );
        }
    }
}

/// Arguments are parsed from JSON that does not outlive the call: no references, no
/// `impl Trait`. `what` is the plural of the kind.
fn check_owned(cx: &Ctxt, ty: &Type, what: &str) {
    if let Some(reference) = find_reference(ty) {
        cx.error_spanned_by(
            reference,
            format_args!(
                "{} arguments are {}; use an owned type such as `String`",
                what.trim_end_matches('s'),
                parsed(what)
            ),
        );
    }
    if let Some(impl_trait) = find_impl_trait(ty) {
        cx.error_spanned_by(
            impl_trait,
            format_args!(
                "{what} cannot be generic: their arguments are {} into concrete types",
                parsed(what)
            ),
        );
    }
}

/// How a kind's arguments are read.
fn parsed(what: &str) -> &'static str {
    match what {
        "tools" => "deserialized from JSON",
        _ => "parsed from text",
    }
}

fn find_reference(ty: &Type) -> Option<&Type> {
    find_type(ty, &|ty| matches!(ty, Type::Reference(_)))
}

fn find_impl_trait(ty: &Type) -> Option<&Type> {
    find_type(ty, &|ty| matches!(ty, Type::ImplTrait(_)))
}

/// The first type in `ty` (itself included) that `pred` accepts.
fn find_type<'a>(ty: &'a Type, pred: &dyn Fn(&Type) -> bool) -> Option<&'a Type> {
    if pred(ty) {
        return Some(ty);
    }
    match ty {
        Type::Array(t) => find_type(&t.elem, pred),
        Type::Slice(t) => find_type(&t.elem, pred),
        Type::Group(t) => find_type(&t.elem, pred),
        Type::Paren(t) => find_type(&t.elem, pred),
        Type::Ptr(t) => find_type(&t.elem, pred),
        Type::Reference(t) => find_type(&t.elem, pred),
        Type::Tuple(t) => t.elems.iter().find_map(|t| find_type(t, pred)),
        Type::Path(t) => {
            let qself = t.qself.as_ref().and_then(|q| find_type(&q.ty, pred));
            qself.or_else(|| {
                t.path
                    .segments
                    .iter()
                    .find_map(|segment| match &segment.arguments {
                        PathArguments::AngleBracketed(args) => {
                            args.args.iter().find_map(|arg| match arg {
                                GenericArgument::Type(t) => find_type(t, pred),
                                _ => None,
                            })
                        }
                        _ => None,
                    })
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
