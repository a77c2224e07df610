//! `supports_completions` and `complete`: one `match` arm per `complete(argument = method)`,
//! keyed by the reference (prompt name or URI template) and the argument's name.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::Names;
use crate::ast::{CompleterParam, Server};
use crate::attr::CompleteArg;
use crate::private::Private;

/// The `supports_completions` and `complete` methods.
pub(super) fn methods(server: &Server<'_>, private: &Private, names: &Names) -> TokenStream {
    let Names {
        request,
        reference,
        argument,
        value,
        context,
        ctx,
        ..
    } = names;
    let prompt_arms = server.prompts.iter().flat_map(|prompt| {
        prompt
            .args
            .complete
            .iter()
            .map(|c| arm(server, private, names, quote!(Prompt), &prompt.name, c))
    });
    let resource_arms = server.resources.iter().flat_map(|resource| {
        resource
            .args
            .complete
            .iter()
            .map(|c| arm(server, private, names, quote!(Resource), &resource.uri, c))
    });
    let arms: Vec<TokenStream> = prompt_arms.chain(resource_arms).collect();
    quote! {
        fn supports_completions(&self) -> bool {
            true
        }

        fn complete<'__mcp>(
            &'__mcp self,
            #request: #private::CompleteParams,
            #ctx: #private::Context,
        ) -> #private::BoxFuture<
            '__mcp,
            #private::Result<#private::Completion, #private::McpError>,
        > {
            let #private::CompleteParams {
                reference: #reference,
                argument: #argument,
                context: #context,
                ..
            } = #request;
            let #private::CompletionArgument {
                name: #argument,
                value: #value,
                ..
            } = #argument;
            match (#private::completion_target(&#reference), #argument.as_str()) {
                #(#arms)*
                _ => {
                    let _ = (#value, #context, #ctx);
                    #private::no_completion()
                }
            }
        }
    }
}

/// `((RefKind::Prompt, "name"), "argument") => box_future(async move { ... }),`
fn arm(
    server: &Server<'_>,
    private: &Private,
    names: &Names,
    kind: TokenStream,
    target: &str,
    completion: &CompleteArg,
) -> TokenStream {
    let Names {
        value,
        context,
        ctx,
        ..
    } = names;
    let argument = completion.name();
    let completer = server
        .completer(&completion.method)
        .expect("validated: completion methods exist");
    let args: Vec<TokenStream> = completer
        .params
        .iter()
        .map(|param| match param {
            CompleterParam::Context | CompleterParam::ContextRef(_) => quote!(#ctx),
            CompleterParam::Value(ty) => {
                let at = private.at(ty.span());
                quote_spanned!(ty.span()=>
                    #at::FromCompletionValue::from_completion_value(#value.as_str())
                )
            }
            CompleterParam::Chosen(ty) => {
                let at = private.at(ty.span());
                quote_spanned!(ty.span()=>
                    #at::FromCompletionContext::from_completion_context(#context)
                )
            }
            CompleterParam::Extra(param) => quote_spanned!(param.span()=> ()),
        })
        .collect();
    let ident = completer.ident();
    let await_ = completer.original.sig.asyncness.map(|_| quote!(.await));
    let call = quote!(Self::#ident(self, #(#args),*) #await_);
    let ret_span = match &completer.original.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => ident.span(),
    };
    let ret = Ident::new("__ret", ret_span);
    let at_ret = private.at(ret_span);
    let convert = quote_spanned!(ret_span=> #at_ret::IntoCompletion::into_completion(#ret));
    // A future that is not `Send` is reported at the method named in `complete(...)`.
    let span = completion.method.span();
    let at_method = private.at(span);
    let future = quote_spanned!(span=> #at_method::box_future(async move {
        let #ret = #call;
        #convert
    }));
    quote!(((#private::RefKind::#kind, #target), #argument) => #future,)
}
