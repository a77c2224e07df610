//! Checks that the model can be expanded, each error at the user's tokens with a fix.

use std::collections::HashMap;

use quote::ToTokens;
use syn::{GenericArgument, GenericParam, Item, PathArguments, Type};

use crate::ast::{Flat, Param, ParamKind, Receiver, Server, Tool};
use crate::ctxt::Ctxt;

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

/// Records every problem of `server` in `cx`.
pub(crate) fn check(cx: &Ctxt, server: &Server<'_>) {
    let mut names = HashMap::new();
    for tool in &server.tools {
        check_name(cx, tool);
        if names.insert(tool.name.as_str(), ()).is_some() {
            cx.error_at(
                tool.name_span,
                format_args!(
                    "duplicate tool name `{}`; rename one with `#[tool(name = \"...\")]`",
                    tool.name
                ),
            );
        }
        check_signature(cx, tool);
        check_params(cx, tool);
    }
}

fn check_name(cx: &Ctxt, tool: &Tool<'_>) {
    let valid = tool
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !valid || tool.name.is_empty() || tool.name.len() > 128 {
        let hint = if tool.args.name.is_some() {
            ""
        } else {
            "; choose another with `#[tool(name = \"...\")]`"
        };
        cx.error_at(
            tool.name_span,
            format_args!(
                "invalid tool name `{}`: names have 1 to 128 characters among \
                 `A-Z`, `a-z`, `0-9`, `_`, `-` and `.`{hint}",
                tool.name
            ),
        );
    }
}

fn check_signature(cx: &Ctxt, tool: &Tool<'_>) {
    let sig = &tool.original.sig;
    match tool.receiver {
        Receiver::Shared => {}
        Receiver::Other(receiver)
            if receiver.reference.is_some() && receiver.mutability.is_some() =>
        {
            cx.error_spanned_by(
                receiver,
                "tools take `&self`, not `&mut self`: calls may run concurrently, \
                 so keep mutable state in a `Mutex` or an atomic",
            )
        }
        Receiver::Other(receiver) => {
            cx.error_spanned_by(receiver, "tools take `&self`; write `&self`")
        }
        Receiver::Missing => cx.error_spanned_by(
            &sig.ident,
            "a tool must take `&self` as its first parameter; add `&self`",
        ),
    }
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(_) | GenericParam::Const(_) => cx.error_spanned_by(
                param,
                "tools cannot be generic: their arguments are deserialized from JSON \
                 into concrete types",
            ),
        }
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(
            unsafety,
            "tools cannot be `unsafe fn`s; use an `unsafe` block inside",
        );
    }
}

fn check_params(cx: &Ctxt, tool: &Tool<'_>) {
    let mut context = None;
    let mut args = None;
    for param in &tool.params {
        match &param.kind {
            ParamKind::Context => {
                if context.replace(param).is_some() {
                    cx.error_spanned_by(&param.original.ty, "a tool takes at most one `Context`");
                }
            }
            ParamKind::ContextRef => cx.error_spanned_by(
                &param.original.ty,
                "take the context by value (`ctx: Context`); it is cheap to clone",
            ),
            ParamKind::Args { inner } => {
                if args.replace(param).is_some() {
                    cx.error_spanned_by(
                        &param.original.ty,
                        "a tool takes at most one `Args<T>`; put all the arguments in `T`",
                    );
                }
                check_owned(cx, inner);
            }
            ParamKind::Flat(flat) => check_flat(cx, param, flat),
        }
        if let (
            Some(description),
            ParamKind::Context | ParamKind::ContextRef | ParamKind::Args { .. },
        ) = (&param.description, &param.kind)
        {
            cx.error_spanned_by(
                description.attr,
                "only arguments have descriptions; describe the fields of an `Args<T>` \
                 struct with doc comments on the fields",
            );
        }
    }
    if let Some(ParamKind::Args { inner }) = args.map(|args| &args.kind) {
        let inner = inner.to_token_stream().to_string().replace(' ', "");
        for param in &tool.params {
            if let ParamKind::Flat(_) = param.kind {
                cx.error_spanned_by(
                    param.original,
                    format_args!(
                        "a tool with an `Args<T>` parameter takes all its arguments from `T`; \
                         make this parameter a field of `{inner}`"
                    ),
                );
            }
        }
    }
}

fn check_flat(cx: &Ctxt, param: &Param<'_>, flat: &Flat<'_>) {
    if flat.ident.is_none() {
        cx.error_spanned_by(
            &param.original.pat,
            "give this parameter a plain name: it is the argument's name in the input schema \
             (or take all arguments as one struct with `Args<T>`)",
        );
    }
    check_owned(cx, &param.original.ty);
}

/// Arguments are deserialized from JSON that does not outlive the call: no references.
fn check_owned(cx: &Ctxt, ty: &Type) {
    if let Some(reference) = find_reference(ty) {
        cx.error_spanned_by(
            reference,
            "tool arguments are deserialized from JSON; use an owned type such as `String`",
        );
    }
    if let Some(impl_trait) = find_impl_trait(ty) {
        cx.error_spanned_by(
            impl_trait,
            "tools cannot be generic: their arguments are deserialized from JSON \
             into concrete types",
        );
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
mod tests {
    use super::*;
    use quote::quote;
    use syn::{ItemImpl, parse_quote};

    /// The messages of every error in `item`, with the source text each points at.
    fn check_errors(item: ItemImpl) -> Vec<(String, String)> {
        let cx = Ctxt::new();
        let server = Server::from_syn(&cx, quote!(), &item);
        check(&cx, &server);
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(err) => err
                .into_iter()
                .map(|e| {
                    let at = e.to_compile_error().to_string();
                    (e.to_string(), at)
                })
                .collect(),
        }
    }

    fn messages(item: ItemImpl) -> Vec<String> {
        check_errors(item)
            .into_iter()
            .map(|(message, _)| message)
            .collect()
    }

    #[test]
    fn a_good_server_has_no_errors() {
        let item: ItemImpl = parse_quote! {
            impl<T: Send + Sync + 'static> S<T> where T: Clone {
                #[tool(name = "do.it-now_2")]
                async fn a<'x>(&'x self, ctx: Context, r#type: Option<String>, n: Vec<[u8; 4]>) {}
                #[tool]
                fn b(self: &Self, Args(p): Args<P>, _c: Context) -> Result<String, Error> {}
                fn not_a_tool(&mut self, x: &str) {}
            }
        };
        assert_eq!(messages(item), Vec::<String>::new());
    }

    #[test]
    fn receivers() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool] fn a(&mut self) {}
                #[tool] fn b(self) {}
                #[tool] fn c(self: Arc<Self>) {}
                #[tool] fn d(x: i32) {}
            }
        };
        assert_eq!(
            messages(item),
            [
                "tools take `&self`, not `&mut self`: calls may run concurrently, so keep \
                 mutable state in a `Mutex` or an atomic",
                "tools take `&self`; write `&self`",
                "tools take `&self`; write `&self`",
                "a tool must take `&self` as its first parameter; add `&self`",
            ]
        );
    }

    #[test]
    fn generics_and_unsafe() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool] fn a<T: DeserializeOwned>(&self, x: T) {}
                #[tool] fn b<const N: usize>(&self, x: [u8; N]) {}
                #[tool] fn c(&self, x: impl Into<String>) {}
                #[tool] unsafe fn d(&self) {}
            }
        };
        let generic = "tools cannot be generic: their arguments are deserialized from JSON into \
                       concrete types";
        assert_eq!(
            messages(item),
            [
                generic,
                generic,
                generic,
                "tools cannot be `unsafe fn`s; use an `unsafe` block inside",
            ]
        );
    }

    #[test]
    fn references_are_rejected_where_they_are() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool] fn a(&self, x: &str, y: Option<Vec<&'static str>>, z: String) -> &str {}
            }
        };
        let owned = "tool arguments are deserialized from JSON; use an owned type such as `String`";
        let errors = check_errors(item);
        assert_eq!(
            errors.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(),
            [owned, owned]
        );
    }

    #[test]
    fn parameters() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool] fn a(&self, a: Context, b: Context) {}
                #[tool] fn b(&self, ctx: &Context) {}
                #[tool] fn c(&self, (x, y): (i32, i32), _: String) {}
                #[tool] fn d(&self, p: Args<P>, q: Args<Q>) {}
                #[tool] fn e(&self, p: Args<P>, extra: i32, ctx: Context) {}
                #[tool] fn f(&self, #[arg(description = "no")] ctx: Context, /// no
                    p: Args<P>) {}
            }
        };
        let plain = "give this parameter a plain name: it is the argument's name in the input \
                     schema (or take all arguments as one struct with `Args<T>`)";
        let described = "only arguments have descriptions; describe the fields of an `Args<T>` \
                         struct with doc comments on the fields";
        assert_eq!(
            messages(item),
            [
                "a tool takes at most one `Context`",
                "take the context by value (`ctx: Context`); it is cheap to clone",
                plain,
                plain,
                "a tool takes at most one `Args<T>`; put all the arguments in `T`",
                "a tool with an `Args<T>` parameter takes all its arguments from `T`; make this \
                 parameter a field of `P`",
                described,
                described,
            ]
        );
    }

    #[test]
    fn tool_names() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool] fn add(&self) {}
                #[tool(name = "add")] fn plus(&self) {}
                #[tool(name = "sum")] fn add_all(&self) {}
                #[tool] fn sum(&self) {}
                #[tool(name = "has space")] fn c(&self) {}
                #[tool(name = "")] fn d(&self) {}
                #[tool] fn café(&self) {}
            }
        };
        let long = "x".repeat(129);
        let long: ItemImpl = parse_quote!(impl S { #[tool(name = #long)] fn e(&self) {} });
        let invalid = |name: &str, hint: &str| {
            format!(
                "invalid tool name `{name}`: names have 1 to 128 characters among `A-Z`, \
                 `a-z`, `0-9`, `_`, `-` and `.`{hint}"
            )
        };
        assert_eq!(
            messages(item),
            [
                "duplicate tool name `add`; rename one with `#[tool(name = \"...\")]`".to_owned(),
                "duplicate tool name `sum`; rename one with `#[tool(name = \"...\")]`".to_owned(),
                invalid("has space", ""),
                invalid("", ""),
                invalid("café", "; choose another with `#[tool(name = \"...\")]`"),
            ]
        );
        assert_eq!(messages(long).len(), 1);
        let ok = "x".repeat(128);
        let ok: ItemImpl = parse_quote!(impl S { #[tool(name = #ok)] fn e(&self) {} });
        assert!(messages(ok).is_empty());
    }

    #[test]
    fn all_errors_are_reported_together() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool(bogus)] fn a(&mut self, x: &str) {}
                #[tool] fn a(&self) {}
            }
        };
        let cx = Ctxt::new();
        let server = Server::from_syn(&cx, quote!(nam = "x"), &item);
        check(&cx, &server);
        assert_eq!(cx.messages().len(), 5);
    }

    #[test]
    fn not_an_impl() {
        let item: Item = parse_quote!(
            struct S;
        );
        assert!(
            not_an_inherent_impl(&item)
                .to_string()
                .contains("not on the struct")
        );
        let item: Item = parse_quote!(impl Trait for S {});
        assert!(
            not_an_inherent_impl(&item)
                .to_string()
                .contains("not on a trait impl")
        );
        let item: Item = parse_quote!(
            fn f() {}
        );
        assert!(
            not_an_inherent_impl(&item)
                .to_string()
                .starts_with("`#[mcp_server]` goes on an impl block; to make")
        );
    }
}
