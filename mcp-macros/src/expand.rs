//! Generates the `MCPServer` impl: the tool list, and one `match` arm per tool that parses the
//! arguments, calls the method and converts what it returns.
//!
//! Every path goes through [`Private`], and traits are named where they are used, so user
//! items named `Result`, `Option`, `std`... change nothing, and neither does
//! `#![no_implicit_prelude]`. Local names carry `Span::mixed_site()`, so they cannot collide with the
//! user's parameter names. Calls that may fail to type-check are spanned at the user's tokens:
//! the future at the tool's name (not `Send`), argument parsing and schemas at the parameter's
//! type (not `Deserialize` / `JsonSchema`), the conversion at the return type.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Output, ParamKind, Server, Tool};
use crate::inert;
use crate::private::Private;

/// The user's impl block (tool attributes consumed) and the `MCPServer` impl.
pub(crate) fn server(server: &Server<'_>) -> TokenStream {
    let krate = server.args.krate.as_ref();
    let private = Private::new(krate.cloned());
    let user_impl = inert::neutralize(server.original, krate);
    let (impl_generics, _, where_clause) = server.original.generics.split_for_impl();
    let self_ty = &server.original.self_ty;
    let names = Names::new();
    let Names {
        name,
        arguments,
        ctx,
        ..
    } = &names;

    let env = |var: &str| quote!(#private::core::env!(#var));
    let server_name = server
        .args
        .name
        .as_ref()
        .map_or_else(|| env("CARGO_PKG_NAME"), |n| quote!(#n));
    let version = server
        .args
        .version
        .as_ref()
        .map_or_else(|| env("CARGO_PKG_VERSION"), |v| quote!(#v));
    let instructions = server.args.instructions.as_ref().map(|text| {
        quote! {
            fn instructions(&self) -> #private::core::option::Option<#private::std::string::String> {
                #private::core::option::Option::Some(#private::core::convert::From::from(#text))
            }
        }
    });
    let descriptors: Vec<_> = server
        .tools
        .iter()
        .map(|tool| descriptor(tool, &private))
        .collect();
    let tools = if descriptors.is_empty() {
        quote!(#private::std::vec::Vec::new())
    } else {
        quote!(#private::core::convert::From::from([#(#descriptors),*]))
    };
    let arms = server
        .tools
        .iter()
        .map(|tool| call_arm(tool, &private, &names));

    quote! {
        #user_impl

        #[automatically_derived]
        impl #impl_generics #private::MCPServer for #self_ty #where_clause {
            fn server_info(&self) -> #private::Implementation {
                #private::Implementation::new(#server_name, #version)
            }

            #instructions

            fn tools(&self) -> #private::std::vec::Vec<#private::Tool> {
                #tools
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
}

/// Names of the generated locals, hygienic (`Span::mixed_site()`).
struct Names {
    name: Ident,
    arguments: Ident,
    ctx: Ident,
    parser: Ident,
    value: Ident,
    error: Ident,
    outcome: Ident,
}

impl Names {
    fn new() -> Self {
        let ident = |name: &str| Ident::new(name, Span::mixed_site());
        Names {
            name: ident("__name"),
            arguments: ident("__arguments"),
            ctx: ident("__ctx"),
            parser: ident("__parser"),
            value: ident("__value"),
            error: ident("__error"),
            outcome: ident("__outcome"),
        }
    }
}

/// An expression building the tool's `Tool` for `tools/list`.
fn descriptor(tool: &Tool<'_>, private: &Private) -> TokenStream {
    let name = &tool.name;
    let schema = input_schema(tool, private);
    let some = quote!(#private::core::option::Option::Some);
    let string = |text: &str| quote!(#some(#private::core::convert::From::from(#text)));
    let mut setters = Vec::new();
    if let Some(description) = &tool.description {
        let description = string(description);
        setters.push(quote!(__tool.description = #description;));
    }
    let args = &tool.args;
    if let Some(title) = &args.title {
        let title = string(&title.value());
        setters.push(quote!(__tool.title = #title;));
    }
    if args.has_annotations() {
        let mut fields = Vec::new();
        if let Some(title) = &args.title {
            let title = string(&title.value());
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
            __tool.annotations = #some(#private::ToolAnnotations {
                #(#fields)*
                ..#private::core::default::Default::default()
            });
        });
    }
    if setters.is_empty() {
        return quote!(#private::Tool::new(#name, #schema));
    }
    quote!({
        let mut __tool = #private::Tool::new(#name, #schema);
        #(#setters)*
        __tool
    })
}

/// The JSON Schema of the tool's arguments.
fn input_schema(tool: &Tool<'_>, private: &Private) -> TokenStream {
    let mut params = Vec::new();
    for param in &tool.params {
        match &param.kind {
            ParamKind::Args { inner } => {
                let private = private.at(inner.span());
                return quote_spanned!(inner.span()=> #private::struct_input_schema::<#inner>());
            }
            ParamKind::Flat(flat) => {
                let ty = flat.ty;
                let name = flat.name().unwrap_or_default();
                let description = match &param.description {
                    Some(d) => {
                        let text = &d.text;
                        quote!(#private::core::option::Option::Some(#text))
                    }
                    None => quote!(#private::core::option::Option::None),
                };
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

/// `"name" => Some(box_tool_future(async move { parse; call; convert })),`
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
    // Flat parameters: the locals holding `Option<T>` while parsing, and their types.
    let mut flat = Vec::new();
    let mut args_struct = None;
    for param in &tool.params {
        match &param.kind {
            ParamKind::Context | ParamKind::ContextRef => call_args.push(quote!(#ctx)),
            ParamKind::Args { inner } => {
                args_struct = Some(*inner);
                call_args.push(quote!(#private::Args(#value)));
            }
            ParamKind::Flat(f) => {
                let local = f.ident.expect("validated: flat parameters are identifiers");
                flat.push((local, f));
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
        let takes = flat.iter().map(|(local, f)| {
            let ty = f.ty;
            let name = f.name().unwrap_or_default();
            let take = if f.optional {
                quote_spanned!(ty.span()=> #parser.optional::<#ty>(#name))
            } else {
                quote_spanned!(ty.span()=> #parser.required::<#ty>(#name))
            };
            quote!(let #local = #take;)
        });
        let locals = flat.iter().map(|(local, _)| local);
        let somes = flat.iter().map(|(local, _)| quote!(#option::Some(#local)));
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
    let span = tool.ident().span();
    let at_ident = private.at(span);
    let future = quote_spanned!(span=> #at_ident::box_tool_future(async move { #parse_and_call }));
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
    let ident = tool.ident();
    let await_ = tool.is_async().then(|| quote!(.await));
    let call = quote!(Self::#ident(self, #(#call_args),*) #await_);
    match tool.output {
        Output::Unit => quote!(#private::IntoToolResult::into_tool_result(#call)),
        Output::Value(ty) => {
            let (ret, convert) = convert(private, ty);
            quote!({
                let #ret = #call;
                #convert
            })
        }
        Output::Result(ty) => {
            let (ret, convert) = convert(private, ty);
            let result = quote!(#private::core::result::Result);
            // An error type that is not `Display` is reported at that type.
            let span = error_type(ty).unwrap_or(ty).span();
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

/// `E` of `Result<T, E>`.
fn error_type(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.iter().nth(1)? {
        syn::GenericArgument::Type(error) => Some(error),
        _ => None,
    }
}

/// A local for the value a tool returned, and its conversion: through `IntoToolResult` if it
/// implements it, else as `Serialize` JSON text (autoref specialization).
///
/// Both are spanned at the return type, where a type that is neither gets its error (a
/// mixed-site local would move the error to the attribute). The local is bound after the
/// call, where nothing of the user's is used, so it cannot collide.
fn convert(private: &Private, ty: &syn::Type) -> (Ident, TokenStream) {
    let span = ty.span();
    let ret = Ident::new("__ret", span);
    let private = private.at(span);
    // Only one of the two traits is used for a given type.
    let convert = quote_spanned!(span=> {
        #[allow(unused_imports)]
        use #private::{IntoResultKind as _, SerializeKind as _};
        (&#ret).__tool_result_kind().convert(#ret)
    });
    (ret, convert)
}
