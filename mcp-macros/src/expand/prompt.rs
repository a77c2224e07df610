//! `prompts` and `get_prompt`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Names, call, common_setters, option_str, vec_of, with_setters};
use crate::ast::{ParamKind, Prompt, Server};
use crate::private::Private;

/// The `prompts` and `get_prompt` methods.
pub(super) fn methods(server: &Server<'_>, private: &Private, names: &Names) -> TokenStream {
    let Names {
        name,
        arguments,
        ctx,
        ..
    } = names;
    let prompts = &server.prompts;
    let list = vec_of(
        private,
        prompts.iter().map(|p| descriptor(p, private)).collect(),
    );
    let arms = prompts.iter().map(|p| get_arm(p, private, names));
    quote! {
        fn prompts(&self) -> #private::Vec<#private::Prompt> {
            #list
        }

        fn get_prompt<'__mcp>(
            &'__mcp self,
            #name: &#private::str,
            #arguments: #private::Arguments,
            #ctx: #private::Context,
        ) -> #private::Option<
            #private::BoxFuture<
                '__mcp,
                #private::Result<#private::GetPromptResult, #private::McpError>,
            >,
        > {
            match #name {
                #(#arms)*
                _ => {
                    let _ = (#arguments, #ctx);
                    #private::None
                }
            }
        }
    }
}

/// An expression building the `Prompt` for `prompts/list`.
fn descriptor(prompt: &Prompt<'_>, private: &Private) -> TokenStream {
    let var = Ident::new("__prompt", Span::call_site());
    let name = &prompt.name;
    let args = &prompt.args;
    let mut setters = common_setters(
        private,
        &var,
        args.title.as_ref(),
        prompt.description.as_deref(),
        &args.icons,
    );
    let arguments: Vec<TokenStream> = prompt
        .method
        .flat_params()
        .map(|(param, flat)| {
            let name = param.name().unwrap_or_default();
            let description = option_str(private, param.description.as_ref().map(|d| &*d.text));
            let required = !flat.optional;
            quote!(#private::prompt_argument(#name, #description, #required))
        })
        .collect();
    if !arguments.is_empty() {
        setters.push(quote!(#var.arguments = #private::vec([#(#arguments),*]);));
    }
    with_setters(&var, quote!(#private::Prompt::new(#name)), &setters)
}

/// `"name" => Some(box_future(async move { parse; call; convert })),`
fn get_arm(prompt: &Prompt<'_>, private: &Private, names: &Names) -> TokenStream {
    let Names {
        arguments,
        ctx,
        parser,
        error,
        outcome,
        ..
    } = names;
    let result = quote!(#private::Result);
    let option = quote!(#private::Option);

    let mut call_args = Vec::new();
    let mut takes = Vec::new();
    let mut locals = Vec::new();
    for param in &prompt.method.params {
        match &param.kind {
            ParamKind::Flat(flat) => {
                let local = flat
                    .ident
                    .expect("validated: prompt arguments are identifiers");
                let ty = flat.ty;
                let name = param.name().unwrap_or_default();
                let take = if flat.optional {
                    quote_spanned!(ty.span()=> #parser.optional::<#ty>(#name))
                } else {
                    quote_spanned!(ty.span()=> #parser.required::<#ty>(#name))
                };
                takes.push(quote!(let #local = #take;));
                locals.push(local);
                call_args.push(quote!(#local));
            }
            _ => call_args.push(quote!(#ctx)),
        }
    }

    let call = call(&prompt.method, &call_args);
    let ret_span = match &prompt.method.original.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => prompt.method.ident().span(),
    };
    let ret = Ident::new("__ret", ret_span);
    let at_ret = private.at(ret_span);
    let convert =
        quote_spanned!(ret_span=> #at_ret::IntoGetPromptResult::into_get_prompt_result(#ret));
    let body = quote!({
        let #ret = #call;
        #convert
    });
    let parse_and_call = if locals.is_empty() {
        quote! {
            match #private::PromptArguments::new(#arguments).finish() {
                #result::Ok(()) => #body,
                #result::Err(#error) => #result::Err(#error),
            }
        }
    } else {
        let somes = locals.iter().map(|local| quote!(#option::Some(#local)));
        quote! {
            let mut #parser = #private::PromptArguments::new(#arguments);
            #(#takes)*
            match (#parser.finish(), #(#locals),*) {
                (#result::Ok(()), #(#somes),*) => #body,
                (#outcome, ..) => #result::Err(#private::prompt_arguments_error(#outcome)),
            }
        }
    };
    let prompt_name = &prompt.name;
    let span = prompt.method.ident().span();
    let at_ident = private.at(span);
    let future = quote_spanned!(span=> #at_ident::box_future(async move { #parse_and_call }));
    quote!(#prompt_name => #option::Some(#future),)
}
