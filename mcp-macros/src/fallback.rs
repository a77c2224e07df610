//! What `#[mcp_server]` emits when the input has errors: the user's code, the errors, and a
//! stand-in `MCPServer` impl, so that one mistake does not cascade into errors wherever the
//! server is used, and IDEs still see the methods.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Item, ItemImpl, Path};

use crate::inert;
use crate::private::Private;

/// The impl block with its tool attributes consumed, a stand-in impl, and `error`.
pub(crate) fn server(item: &ItemImpl, krate: Option<&Path>, error: syn::Error) -> TokenStream {
    let user_impl = inert::neutralize(item, krate);
    let private = Private::new(krate.cloned());
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let error = error.into_compile_error();
    quote! {
        #user_impl

        impl #impl_generics #private::MCPServer for #self_ty #where_clause {
            fn server_info(&self) -> #private::Implementation {
                #private::core::unreachable!()
            }

            fn tools(&self) -> #private::std::vec::Vec<#private::Tool> {
                #private::core::unreachable!()
            }

            fn call_tool<'__mcp>(
                &'__mcp self,
                _: &#private::core::primitive::str,
                _: #private::Arguments,
                _: #private::Context,
            ) -> #private::core::option::Option<#private::BoxFuture<'__mcp, #private::CallToolResult>> {
                #private::core::unreachable!()
            }
        }

        #error
    }
}

/// `#[mcp_server]` on something other than an inherent impl block: the item and `error`.
pub(crate) fn other_item(item: &Item, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    match item {
        Item::Impl(item) => {
            let item = inert::neutralize(item, None);
            quote!(#item #error)
        }
        item => quote!(#item #error),
    }
}

/// Input that syn could not parse: returned as is, with the error.
pub(crate) fn unparsed(input: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    quote!(#input #error)
}
