//! `tools` and `call_tool`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Names, call, common_setters, vec_of, with_setters};
use crate::ast::{Output, ParamKind, Structured, Tool};
use crate::private::Private;

/// The `tools` and `call_tool` methods.
pub(super) fn methods(tools: &[Tool<'_>], private: &Private, names: &Names) -> TokenStream {
    let Names {
        name,
        arguments,
        ctx,
        ..
    } = names;
    let descriptors = vec_of(
        private,
        tools.iter().map(|t| descriptor(t, private)).collect(),
    );
    let arms = tools.iter().map(|tool| call_arm(tool, private, names));
    quote! {
        fn tools(&self) -> #private::std::vec::Vec<#private::Tool> {
            #descriptors
        }

        fn call_tool<'__mcp>(
            &'__mcp self,
            #name: &#private::core::primitive::str,
            #arguments: #private::Arguments,
            #ctx: #private::Context,
        ) -> #private::core::option::Option<#private::BoxFuture<'__mcp, #private::CallToolResult>> {
            match #name {
                #(#arms)*
                _ => {
                    let _ = (#arguments, #ctx);
                    #private::core::option::Option::None
                }
            }
        }
    }
}

/// An expression building the tool's `Tool` for `tools/list`.
fn descriptor(tool: &Tool<'_>, private: &Private) -> TokenStream {
    let var = Ident::new("__tool", Span::call_site());
    let name = &tool.name;
    let schema = input_schema(tool, private);
    let some = quote!(#private::core::option::Option::Some);
    let args = &tool.args;
    let mut setters = common_setters(
        private,
        &var,
        args.title.as_ref(),
        tool.description.as_deref(),
        &args.icons,
    );
    if args.has_annotations() {
        let mut fields = Vec::new();
        if let Some(title) = &args.title {
            let title = super::some_string(private, &title.value());
            fields.push(quote!(title: #title,));
        }
        let hints = [
            ("read_only_hint", args.read_only),
            ("destructive_hint", args.destructive),
            ("idempotent_hint", args.idempotent),
            ("open_world_hint", args.open_world),
        ];
        for (field, value) in hints {
            if let Some(value) = value {
                let field = Ident::new(field, Span::call_site());
                fields.push(quote!(#field: #some(#value),));
            }
        }
        setters.push(quote! {
            #var.annotations = #some(#private::ToolAnnotations {
                #(#fields)*
                ..#private::core::default::Default::default()
            });
        });
    }
    if let Structured::Json(ty) | Structured::Value(ty) = tool.structured() {
        let at_ty = private.at(ty.span());
        let schema = quote_spanned!(ty.span()=> #at_ty::output_schema::<#ty>());
        setters.push(quote!(#var.output_schema = #some(#schema);));
    }
    with_setters(&var, quote!(#private::Tool::new(#name, #schema)), &setters)
}

/// The JSON Schema of the tool's arguments.
fn input_schema(tool: &Tool<'_>, private: &Private) -> TokenStream {
    let mut params = Vec::new();
    for param in &tool.method.params {
        match &param.kind {
            ParamKind::Args { inner } => {
                let private = private.at(inner.span());
                return quote_spanned!(inner.span()=> #private::struct_input_schema::<#inner>());
            }
            ParamKind::Flat(flat) => {
                let ty = flat.ty;
                let name = param.name().unwrap_or_default();
                let description =
                    super::option_str(private, param.description.as_ref().map(|d| &*d.text));
                let required = !flat.optional;
                params.push(
                    quote_spanned!(ty.span()=> .param::<#ty>(#name, #description, #required)),
                );
            }
            ParamKind::Context | ParamKind::ContextRef => {}
        }
    }
    quote!(#private::InputSchema::new() #(#params)* .build())
}

/// `"name" => Some(box_future(async move { parse; call; convert })),`
fn call_arm(tool: &Tool<'_>, private: &Private, names: &Names) -> TokenStream {
    let Names {
        arguments,
        ctx,
        parser,
        value,
        error,
        outcome,
        ..
    } = names;
    let result = quote!(#private::core::result::Result);
    let option = quote!(#private::core::option::Option);

    // The method's arguments after `self`, in order.
    let mut call_args = Vec::new();
    // Flat parameters: the locals holding `Option<T>` while parsing, their names and types.
    let mut flat = Vec::new();
    let mut args_struct = None;
    for param in &tool.method.params {
        match &param.kind {
            ParamKind::Context | ParamKind::ContextRef => call_args.push(quote!(#ctx)),
            ParamKind::Args { inner } => {
                args_struct = Some(*inner);
                call_args.push(quote!(#private::Args(#value)));
            }
            ParamKind::Flat(f) => {
                let local = f.ident.expect("validated: flat parameters are identifiers");
                flat.push((local, param.name().unwrap_or_default(), f));
                call_args.push(quote!(#local));
            }
        }
    }

    let body = call_and_convert(tool, private, names, &call_args);
    let parse_and_call = if let Some(inner) = args_struct {
        let at_inner = private.at(inner.span());
        let parse =
            quote_spanned!(inner.span()=> #at_inner::struct_arguments::<#inner>(#arguments));
        quote! {
            match #parse {
                #result::Ok(#value) => #body,
                #result::Err(#error) => #error,
            }
        }
    } else if flat.is_empty() {
        quote! {
            match #private::ArgumentParser::new(#arguments).finish() {
                #result::Ok(()) => #body,
                #result::Err(#error) => #error,
            }
        }
    } else {
        let takes = flat.iter().map(|(local, name, f)| {
            let ty = f.ty;
            let take = if f.optional {
                quote_spanned!(ty.span()=> #parser.optional::<#ty>(#name))
            } else {
                quote_spanned!(ty.span()=> #parser.required::<#ty>(#name))
            };
            quote!(let #local = #take;)
        });
        let locals = flat.iter().map(|(local, _, _)| local);
        let somes = flat
            .iter()
            .map(|(local, _, _)| quote!(#option::Some(#local)));
        quote! {
            let mut #parser = #private::ArgumentParser::new(#arguments);
            #(#takes)*
            match (#parser.finish(), #(#locals),*) {
                (#result::Ok(()), #(#somes),*) => #body,
                (#outcome, ..) => #private::arguments_error(#outcome),
            }
        }
    };

    let tool_name = &tool.name;
    // A future that is not `Send` is reported at the tool's name.
    let span = tool.method.ident().span();
    let at_ident = private.at(span);
    let future = quote_spanned!(span=> #at_ident::box_future(async move { #parse_and_call }));
    quote!(#tool_name => #option::Some(#future),)
}

/// Calls the method and converts what it returns into a `CallToolResult`.
fn call_and_convert(
    tool: &Tool<'_>,
    private: &Private,
    names: &Names,
    call_args: &[TokenStream],
) -> TokenStream {
    let Names { error, .. } = names;
    let call = call(&tool.method, call_args);
    let structured = match tool.structured() {
        Structured::Value(ty) => Some(ty),
        Structured::Json(_) | Structured::No => None,
    };
    let output = &tool.method.output;
    match output {
        Output::Unit => quote!(#private::IntoToolResult::into_tool_result(#call)),
        Output::Value(ty) => {
            let (ret, convert) = convert(private, ty, structured);
            quote!({
                let #ret = #call;
                #convert
            })
        }
        Output::Result(ty) => {
            let (ret, convert) = convert(private, ty, structured);
            let result = quote!(#private::core::result::Result);
            // An error type that is not `Display` is reported at that type.
            let span = output.error_type().unwrap_or(ty).span();
            // A mixed-site binding would move the error to the attribute; nothing of the
            // user's is in scope in this arm, so a user-site one cannot collide.
            let error = Ident::new(&error.to_string(), span);
            let at_ty = private.at(span);
            let error_result = quote_spanned!(span=> #at_ty::error_result(#error));
            quote! {
                match #call {
                    #result::Ok(#ret) => #convert,
                    #result::Err(#error) => #error_result,
                }
            }
        }
    }
}

/// A local for the value a tool returned, and its conversion: as structured content for
/// `#[tool(structured)]` (spanned at `structured`, the value's type); else through
/// `IntoToolResult` if it implements it, else as `Serialize` JSON text (autoref
/// specialization).
///
/// Both are spanned at the return type, where a type that is neither gets its error (a
/// mixed-site local would move the error to the attribute). The local is bound after the
/// call, where nothing of the user's is used, so it cannot collide.
fn convert(
    private: &Private,
    ty: &syn::Type,
    structured: Option<&syn::Type>,
) -> (Ident, TokenStream) {
    let span = ty.span();
    let ret = Ident::new("__ret", span);
    if let Some(value_ty) = structured {
        let span = value_ty.span();
        let ret_at = Ident::new("__ret", span);
        let private = private.at(span);
        let convert = quote_spanned!(span=> #private::structured_result(#ret_at));
        return (ret_at, convert);
    }
    let private = private.at(span);
    // Only one of the two traits is used for a given type.
    let convert = quote_spanned!(span=> {
        #[allow(unused_imports)]
        use #private::{IntoResultKind as _, SerializeKind as _};
        (&#ret).__tool_result_kind().convert(#ret)
    });
    (ret, convert)
}
