//! What `#[mcp_server]` emits when the input has errors: the user's code, the errors, and a
//! stand-in `MCPServer` impl, so that one mistake does not cascade into errors wherever the
//! server is used, and IDEs still see the methods.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ImplItem, Item, ItemImpl, Path};

use crate::inert;
use crate::private::Private;

/// The required methods of `MCPServer`.
const REQUIRED: [&str; 3] = ["server_info", "tools", "call_tool"];

/// The impl block with its tool attributes consumed, a stand-in impl, and `error`.
pub(crate) fn server(item: &ItemImpl, krate: Option<&Path>, error: syn::Error) -> TokenStream {
    let user_impl = inert::neutralize(item, krate);
    let private = Private::new(krate.cloned());
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let stand_ins = stand_ins(&private, &[]);
    let error = error.into_compile_error();
    quote! {
        #user_impl

        impl #impl_generics #private::MCPServer for #self_ty #where_clause {
            #stand_ins
        }

        #error
    }
}

/// `#[mcp_server]` on something other than an inherent impl block: the item and `error`.
pub(crate) fn other_item(item: &Item, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    match item {
        Item::Impl(item) if item.trait_.is_some() => {
            let item = trait_impl(item);
            quote!(#item #error)
        }
        Item::Impl(item) => {
            let item = inert::neutralize(item, None);
            quote!(#item #error)
        }
        item => quote!(#item #error),
    }
}

/// A trait impl, kept so that only our error is reported: its `#[tool]` (...) methods, which
/// are not the trait's, in an inherent impl of their own, and for `MCPServer`, stand-ins for
/// the methods it lacks.
fn trait_impl(item: &ItemImpl) -> TokenStream {
    let mut item = inert::neutralize(item, None);
    let (handlers, items): (Vec<ImplItem>, Vec<ImplItem>) =
        item.items.drain(..).partition(|item| match item {
            ImplItem::Fn(method) => method
                .attrs
                .iter()
                .any(|attr| inert::kind_of(attr, None).is_some()),
            _ => false,
        });
    item.items = items;
    let is_mcp_server = item
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|last| last.ident == "MCPServer");
    if is_mcp_server {
        let present: Vec<String> = item
            .items
            .iter()
            .filter_map(|item| match item {
                ImplItem::Fn(method) => Some(method.sig.ident.to_string()),
                _ => None,
            })
            .collect();
        let stand_ins = stand_ins(&Private::new(None), &present);
        item.items.push(ImplItem::Verbatim(stand_ins));
    }
    let inherent = (!handlers.is_empty()).then(|| {
        let (impl_generics, _, where_clause) = item.generics.split_for_impl();
        let self_ty = &item.self_ty;
        quote!(impl #impl_generics #self_ty #where_clause { #(#handlers)* })
    });
    quote!(#item #inherent)
}

/// The required methods of `MCPServer` not in `present`, each `unreachable!()`.
fn stand_ins(private: &Private, present: &[String]) -> TokenStream {
    let missing = |name: &str| !present.iter().any(|p| p == name);
    let mut methods = TokenStream::new();
    for name in REQUIRED.into_iter().filter(|name| missing(name)) {
        methods.extend(match name {
            "server_info" => quote! {
                fn server_info(&self) -> #private::Implementation {
                    #private::core::unreachable!()
                }
            },
            "tools" => quote! {
                fn tools(&self) -> #private::Vec<#private::Tool> {
                    #private::core::unreachable!()
                }
            },
            _ => quote! {
                fn call_tool<'__mcp>(
                    &'__mcp self,
                    _: &#private::str,
                    _: #private::ToolArguments,
                    _: #private::Context,
                ) -> #private::Option<#private::BoxFuture<'__mcp, #private::CallToolResult>> {
                    #private::core::unreachable!()
                }
            },
        });
    }
    methods
}

/// Input that syn could not parse: returned as is, with the error.
pub(crate) fn unparsed(input: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    quote!(#input #error)
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    #[test]
    fn trait_impls_keep_their_items_and_lose_the_handlers() {
        let item: ItemImpl = parse_quote! {
            impl<T> MCPServer for S<T> where T: Send {
                fn tools(&self) -> Vec<Tool> { Vec::new() }
                #[tool]
                fn add(&self, #[arg(description = "d")] a: i32) -> i32 { a }
            }
        };
        let output: syn::File = syn::parse2(trait_impl(&item)).expect("parses");
        let [Item::Impl(kept), Item::Impl(inherent)] = &output.items[..] else {
            panic!("two impls: {output:#?}")
        };
        let names = |item: &ItemImpl| -> Vec<String> {
            item.items
                .iter()
                .filter_map(|item| match item {
                    ImplItem::Fn(method) => Some(method.sig.ident.to_string()),
                    _ => None,
                })
                .collect()
        };
        assert!(kept.trait_.is_some());
        assert_eq!(names(kept), ["tools", "server_info", "call_tool"]);
        assert!(inherent.trait_.is_none());
        assert_eq!(names(inherent), ["add"]);
        let expected: ItemImpl = parse_quote! {
            impl<T> S<T> where T: Send {
                #[tool(__mcp_server_checked)]
                fn add(&self, a: i32) -> i32 { a }
            }
        };
        assert_eq!(*inherent, expected);
    }

    #[test]
    fn other_trait_impls_are_kept_as_they_are() {
        let item: ItemImpl = parse_quote! {
            impl Default for S {
                fn default() -> Self { S }
            }
        };
        let output: syn::File = syn::parse2(trait_impl(&item)).expect("parses");
        assert_eq!(output.items, [Item::Impl(item)]);
    }
}
