//! The attributes `#[mcp_server]` reads inside its impl block: `#[tool]`, `#[resource]` and
//! `#[prompt]` on methods, and `#[arg(...)]` and doc comments on their parameters.
//!
//! `#[tool]`, `#[resource]` and `#[prompt]` are real attribute macros, so that
//! `use mcp_runtime::tool;` resolves like any import. `#[mcp_server]` replaces the arguments
//! of each one it consumed with a marker, and the macro passes a marked method through
//! untouched. Unmarked, it reports that it is outside an `#[mcp_server]` impl.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;
use syn::{Attribute, FnArg, ImplItem, ImplItemFn, ItemImpl, MacroDelimiter, Meta, MetaList, Path};

/// The argument `#[mcp_server]` leaves in the attributes it consumed.
const MARKER: &str = "__mcp_server_checked";

/// What a method of an `#[mcp_server]` impl block can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[tool]`.
    Tool,
    /// `#[resource]`.
    Resource,
    /// `#[prompt]`.
    Prompt,
}

impl Kind {
    /// The attribute's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Resource => "resource",
            Kind::Prompt => "prompt",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "tool" => Some(Kind::Tool),
            "resource" => Some(Kind::Resource),
            "prompt" => Some(Kind::Prompt),
            _ => None,
        }
    }
}

/// Which of our attributes `attr` is: spelled `tool` (`resource`, `prompt`), or a path ending
/// in `mcp_runtime::tool`, `mcp_macros::tool` or `<crate>::tool` (the `crate = path`
/// override), not another crate's.
pub(crate) fn kind_of(attr: &Attribute, krate: Option<&Path>) -> Option<Kind> {
    let path = attr.path();
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let (last, parent) = segments.split_last()?;
    let kind = Kind::from_name(last)?;
    if !path.segments.iter().all(|s| s.arguments.is_none()) {
        return None;
    }
    let ours = match parent.last().map(String::as_str) {
        None => path.leading_colon.is_none(),
        Some("mcp_runtime" | "mcp_macros") => true,
        Some(_) => krate.is_some_and(|krate| {
            let krate: Vec<String> = krate.segments.iter().map(|s| s.ident.to_string()).collect();
            parent.ends_with(&krate)
        }),
    };
    ours.then_some(kind)
}

/// Whether `attr` is read by `#[mcp_server]` on a handler's parameter (and must be removed).
pub(crate) fn is_param_attr(attr: &Attribute) -> bool {
    attr.path().is_ident("arg") || attr.path().is_ident("doc")
}

/// The user's impl block as it is emitted: each `#[tool(...)]` (`#[resource]`, `#[prompt]`)
/// marked as consumed, and the parameter attributes of those methods removed.
pub(crate) fn neutralize(item: &ItemImpl, krate: Option<&Path>) -> ItemImpl {
    let mut item = item.clone();
    for impl_item in &mut item.items {
        if let ImplItem::Fn(method) = impl_item {
            neutralize_method(method, krate);
        }
    }
    item
}

fn neutralize_method(method: &mut ImplItemFn, krate: Option<&Path>) {
    let mut is_handler = false;
    for attr in &mut method.attrs {
        if kind_of(attr, krate).is_some() {
            mark(attr);
            is_handler = true;
        }
    }
    if is_handler {
        strip_param_attrs(method.sig.inputs.iter_mut());
    }
}

fn strip_param_attrs<'a>(inputs: impl Iterator<Item = &'a mut FnArg>) {
    for input in inputs {
        if let FnArg::Typed(param) = input {
            param.attrs.retain(|attr| !is_param_attr(attr));
        }
    }
}

fn mark(attr: &mut Attribute) {
    let marker = Ident::new(MARKER, Span::call_site());
    attr.meta = Meta::List(MetaList {
        path: attr.path().clone(),
        delimiter: MacroDelimiter::Paren(Default::default()),
        tokens: quote!(#marker),
    });
}

/// The `#[tool]` attribute macro.
pub(crate) fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Kind::Tool, args, item)
}

/// The `#[resource]` attribute macro.
pub(crate) fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Kind::Resource, args, item)
}

/// The `#[prompt]` attribute macro.
pub(crate) fn prompt(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Kind::Prompt, args, item)
}

fn attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let marked =
        matches!(args.into_iter().next(), Some(TokenTree::Ident(ident)) if ident == MARKER);
    if marked {
        return item;
    }
    let error = syn::Error::new(
        Span::call_site(),
        format_args!(
            "`#[{}]` must be on a method inside an `#[mcp_server]` impl block; \
             add `#[mcp_server]` to the impl",
            kind.name()
        ),
    )
    .into_compile_error();
    // Remove `#[arg]` and parameter docs, so that this is the only error.
    let item = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(mut method) => {
            strip_param_attrs(method.sig.inputs.iter_mut());
            quote!(#method)
        }
        Err(_) => item,
    };
    quote!(#item #error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn recognizes_tool_paths() {
        let ours: [Attribute; 5] = [
            parse_quote!(#[tool]),
            parse_quote!(#[tool(name = "x")]),
            parse_quote!(#[mcp_runtime::tool]),
            parse_quote!(#[::mcp_runtime::tool(read_only)]),
            parse_quote!(#[mcp_macros::tool]),
        ];
        for attr in &ours {
            assert_eq!(kind_of(attr, None), Some(Kind::Tool), "{}", quote!(#attr));
        }
        let foreign: [Attribute; 5] = [
            parse_quote!(#[other::tool]),
            parse_quote!(#[::tool]),
            parse_quote!(#[tools]),
            parse_quote!(#[doc = "tool"]),
            parse_quote!(#[my::rt::tool]),
        ];
        for attr in &foreign {
            assert_eq!(kind_of(attr, None), None, "{}", quote!(#attr));
        }
        let krate: Path = parse_quote!(::my::rt);
        assert_eq!(
            kind_of(&parse_quote!(#[my::rt::tool]), Some(&krate)),
            Some(Kind::Tool)
        );
        assert_eq!(kind_of(&parse_quote!(#[rt::tool]), Some(&krate)), None);
        assert_eq!(
            kind_of(&parse_quote!(#[resource(uri = "a://b")]), None),
            Some(Kind::Resource)
        );
        assert_eq!(
            kind_of(&parse_quote!(#[mcp_runtime::prompt]), None),
            Some(Kind::Prompt)
        );
        assert_eq!(kind_of(&parse_quote!(#[other::prompt]), None), None);
    }

    #[test]
    fn neutralize_marks_tools_and_strips_their_params() {
        let item: ItemImpl = parse_quote! {
            impl S {
                /// Doc stays.
                #[tool(name = "x")]
                #[inline]
                fn a(&self, #[arg(description = "d")] #[allow(unused)] x: i32, /** y */ y: i32) {}
                fn b(&self, #[arg(description = "d")] x: i32) {}
                #[prompt]
                fn c(&self, /// d
                    x: String) {}
            }
        };
        let expected: ItemImpl = parse_quote! {
            impl S {
                /// Doc stays.
                #[tool(__mcp_server_checked)]
                #[inline]
                fn a(&self, #[allow(unused)] x: i32, y: i32) {}
                fn b(&self, #[arg(description = "d")] x: i32) {}
                #[prompt(__mcp_server_checked)]
                fn c(&self, x: String) {}
            }
        };
        assert_eq!(neutralize(&item, None), expected);
    }

    #[test]
    fn marked_tool_passes_through() {
        let item = quote!(
            fn a(&self, #[arg(description = "d")] x: i32) {}
        );
        let out = tool(quote!(__mcp_server_checked), item.clone());
        assert_eq!(out.to_string(), item.to_string());
    }

    #[test]
    fn stray_resource_names_itself() {
        let out = resource(
            quote!(uri = "a://b"),
            quote!(
                fn a(&self) {}
            ),
        );
        assert!(
            out.to_string()
                .contains("`#[resource]` must be on a method")
        );
    }

    #[test]
    fn stray_tool_is_an_error() {
        let out = tool(
            quote!(read_only),
            quote!(
                fn a(&self, #[arg(description = "d")] x: i32) {}
            ),
        );
        let file: syn::File = syn::parse2(out).unwrap();
        assert_eq!(file.items.len(), 2);
        assert_eq!(
            file.items[0],
            parse_quote!(
                fn a(&self, x: i32) {}
            )
        );
        let syn::Item::Macro(error) = &file.items[1] else {
            panic!("expected compile_error!");
        };
        assert_eq!(
            error.mac.path.segments.last().unwrap().ident,
            "compile_error"
        );
    }
}
