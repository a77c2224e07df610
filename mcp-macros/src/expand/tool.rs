//! `tools` and `call_tool`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Names, call_on, common_setters, vec_of, with_setters};
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
    let mut schemas = Constants::new("__schemas");
    let descriptors = vec_of(
        private,
        tools
            .iter()
            .map(|t| descriptor(t, private, &mut schemas))
            .collect(),
    );
    let schemas = schemas.binding();
    let mut params = Constants::new("__params");
    let arms: Vec<TokenStream> = tools
        .iter()
        .map(|tool| call_arm(tool, private, names, &mut params))
        .collect();
    let params = params.binding();
    quote! {
        fn tools(&self) -> #private::Vec<#private::Tool> {
            #schemas
            #descriptors
        }

        fn call_tool<'__mcp>(
            &'__mcp self,
            #name: &#private::str,
            #arguments: #private::ToolArguments,
            #ctx: #private::Context,
        ) -> #private::Option<#private::BoxFuture<'__mcp, #private::CallToolResult>> {
            // Picks how each return value converts (see `convert` and `converted`).
            #[allow(unused_imports)]
            use #private::{
                IntoResultKind as _, IntoResultOutput as _, SerializeKind as _,
                SerializeOutputKind as _,
            };
            #params
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

/// The constants of one generated method, made by one inline `const` block: the method
/// starts with `let local = &const { (c0, c1, ...) };` and uses each as `&local.i`.
///
/// One block per method, not one per tool: with one per tool, rustc's dead-code pass
/// (`live_symbols_and_ignored_derived_traits`) took time quadratic in the number of tools,
/// 55 ms at 100 tools and 207 ms at 200, on every rebuild (`-Z self-profile`); 12 ms with one
/// block per method.
struct Constants {
    local: Ident,
    items: Vec<TokenStream>,
}

impl Constants {
    fn new(local: &str) -> Self {
        Constants {
            local: Ident::new(local, Span::mixed_site()),
            items: Vec::new(),
        }
    }

    /// Adds the constant `value`; the expression that refers to it (`&local.i`).
    fn push(&mut self, value: TokenStream) -> TokenStream {
        let local = &self.local;
        let index = syn::Index::from(self.items.len());
        self.items.push(value);
        quote!(&#local.#index)
    }

    /// The statement binding the block's value, if there are constants.
    fn binding(&self) -> Option<TokenStream> {
        let Constants { local, items } = self;
        (!items.is_empty()).then(|| quote!(let #local = &const { (#(#items,)*) };))
    }
}

/// An expression building the tool's `Tool` for `tools/list`.
fn descriptor(tool: &Tool<'_>, private: &Private, schemas: &mut Constants) -> TokenStream {
    let var = Ident::new("__tool", Span::call_site());
    let name = &tool.name;
    let schema = input_schema(tool, private, schemas);
    let description = super::option_str(private, tool.description.as_deref());
    let some = quote!(#private::Some);
    let args = &tool.args;
    let mut setters = common_setters(private, &var, args.title.as_ref(), None, &args.icons);
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
                ..#private::Default::default()
            });
        });
    }
    if let Some(task) = &args.task {
        let support = match task.value().as_str() {
            "optional" => quote!(Optional),
            "required" => quote!(Required),
            _ => quote!(Forbidden),
        };
        setters.push(quote! {
            #var.execution = #some(#private::ToolExecution::new(#private::TaskSupport::#support));
        });
    }
    if args.app.is_some() || args.visibility.is_some() {
        let uri = args.app.as_ref().map(syn::LitStr::value);
        let uri = super::option_str(private, uri.as_deref());
        let visibility = match &args.visibility {
            Some(values) => {
                let values = values.iter().map(|value| {
                    let variant = if value.value() == "model" {
                        quote!(Model)
                    } else {
                        quote!(App)
                    };
                    quote!(#private::UiVisibility::#variant)
                });
                quote!(#some(&[#(#values),*]))
            }
            None => quote!(#private::None),
        };
        setters.push(quote!(#var.meta = #some(#private::tool_ui(#uri, #visibility));));
    }
    if let Structured::Json(ty) | Structured::Value(ty) = tool.structured() {
        let at_ty = private.at(ty.span());
        let schema = quote_spanned!(ty.span()=> #at_ty::output_schema::<#ty>());
        setters.push(quote!(#var.output_schema = #some(#schema);));
    }
    let constructor = quote!(#private::tool(#name, #description, #schema));
    with_setters(&var, constructor, &setters)
}

/// The JSON Schema of the tool's arguments: `struct_input_schema(struct_argument::<T>())`, or
/// `input_schema(&schemas.i)` of the constant `[param_schema("a", argument::<A>(), true,
/// None), ...]`.
fn input_schema(tool: &Tool<'_>, private: &Private, schemas: &mut Constants) -> TokenStream {
    let mut params = Vec::new();
    for param in &tool.method.params {
        match &param.kind {
            ParamKind::Args { inner } => {
                let argument = struct_argument(private, inner);
                return quote!(#private::struct_input_schema(#argument));
            }
            ParamKind::Flat(flat) => {
                let argument = argument(private, flat.ty);
                let name = param.name().unwrap_or_default();
                let required = !flat.optional;
                let description = match &param.description {
                    Some(description) => {
                        let text = &description.text;
                        quote!(#private::Some(#text))
                    }
                    None => quote!(#private::None),
                };
                params.push(quote! {
                    #private::param_schema(#name, #argument, #required, #description)
                });
            }
            ParamKind::Context | ParamKind::ContextRef => {}
        }
    }
    let params = schemas.push(quote!([#(#params),*]));
    quote!(#private::input_schema(#params))
}

/// `argument::<T>()`, spanned at `T`: where a type that cannot be an argument is reported.
fn argument(private: &Private, ty: &syn::Type) -> TokenStream {
    let at_ty = private.at(ty.span());
    quote_spanned!(ty.span()=> #at_ty::argument::<#ty>())
}

/// `struct_argument::<T>()` for `Args<T>`, spanned at `T` as [`argument`].
fn struct_argument(private: &Private, ty: &syn::Type) -> TokenStream {
    let at_ty = private.at(ty.span());
    quote_spanned!(ty.span()=> #at_ty::struct_argument::<#ty>())
}

/// `"name" => Some(match parse { Ok(values) => tool_future(async move { call; convert }),
/// Err(rejected) => rejected }),`; for an `async` method that is not `structured`, the future
/// is `converter.wrap(future)` instead of the `async` block (see [`converted`]).
///
/// The arguments are parsed before the future is made, by a generic function of the runtime
/// given the parameters as a constant (one of `constants`): the future holds only the parsed
/// values, tools with the same parameter types share one copy of the parsing code, and
/// arguments that do not parse give a ready future.
fn call_arm(
    tool: &Tool<'_>,
    private: &Private,
    names: &Names,
    constants: &mut Constants,
) -> TokenStream {
    let Names {
        arguments,
        ctx,
        value,
        error,
        future,
        ..
    } = names;

    // The method's arguments after `self`, in order.
    let mut call_args = Vec::new();
    // Flat parameters: their descriptions (`required("a", argument::<A>())`) and the locals
    // their values are bound to.
    let mut params = Vec::new();
    let mut locals = Vec::new();
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
                let name = param.name().unwrap_or_default();
                let argument = argument(private, f.ty);
                params.push(if f.optional {
                    quote!(#private::optional(#name, #argument))
                } else {
                    quote!(#private::required(#name, #argument))
                });
                locals.push(quote!(#local));
                call_args.push(quote!(#local));
            }
        }
    }

    // A future that is not `Send` is reported at the tool's name.
    let span = tool.method.ident().span();
    let at_ident = private.at(span);
    let async_block = |body: TokenStream| quote_spanned!(span=> async move { #body });
    // An `async` method's future is made before the tool's: the tool's future holds only it
    // (dropped as it), not the arguments and the method's future one after the other.
    let (method_future, converting) = match &tool.args.local {
        None if tool.method.is_async() => {
            let ident = tool.method.ident();
            let made = |future: &Ident| quote!(let #future = Self::#ident(self, #(#call_args),*););
            match converted(tool, private) {
                // The future and the converted one are bound to locals at the user's tokens:
                // a type that cannot be returned is reported at the return type, a future that
                // is not `Send` at the tool's name. Mixed-site locals would move the errors to
                // the attribute; they are bound after the call, where nothing of the user's is
                // used, so user-site ones cannot collide.
                Some(converted) => {
                    let local = Ident::new("__converted", span);
                    let made = made(&Ident::new("__future", span));
                    (Some(quote!(#made let #local = #converted;)), quote!(#local))
                }
                None => {
                    let call = quote!(#future.await);
                    let body = call_and_convert(tool, private, names, call);
                    (Some(made(future)), async_block(body))
                }
            }
        }
        None => {
            let call = call_on(&tool.method, &quote!(self), &call_args);
            (
                None,
                async_block(call_and_convert(tool, private, names, call)),
            )
        }
        Some(local) => (
            None,
            async_block(local_call(tool, private, names, local, &call_args)),
        ),
    };
    let (parse, values) = if let Some(inner) = args_struct {
        let argument = struct_argument(private, inner);
        let argument = constants.push(argument);
        (
            quote!(#private::args_struct(#argument, #arguments)),
            quote!(#value),
        )
    } else if params.is_empty() {
        (quote!(#private::no_arguments(#arguments)), quote!(()))
    } else {
        let params = constants.push(flat_tuple(params));
        let values = flat_tuple(locals);
        (
            quote!(#private::flat_arguments(#arguments, #params)),
            values,
        )
    };

    let tool_name = &tool.name;
    let tool_future = quote_spanned!(span=> #at_ident::tool_future(#converting));
    quote! {
        #tool_name => #private::Some(match #parse {
            #private::Ok(#values) => {
                #method_future
                #tool_future
            }
            #private::Err(#error) => #error,
        }),
    }
}

/// For an `async` method (not `structured`): its future with the conversion as a combinator,
/// `converter.wrap(future)`, instead of an `async` block awaiting it (see `Converted` in the
/// runtime). The conversion is picked from the future's output type as [`convert`] picks it
/// from the value, and spanned the same way: at the return type, and for a `Result` its
/// errors' at the error type.
///
/// The method's future is `__future`, a user-site local (see `call_arm`), named here at the
/// tokens where each conversion is reported.
fn converted(tool: &Tool<'_>, private: &Private) -> Option<TokenStream> {
    if matches!(tool.structured(), Structured::Value(_)) {
        return None;
    }
    let future = |span: Span| Ident::new("__future", span);
    let output = &tool.method.output;
    let (ty, picked) = match output {
        Output::Unit => {
            let future = future(tool.method.ident().span());
            return Some(quote! {
                #private::output_of(&#future).__tool_output_kind().converter().wrap(#future)
            });
        }
        Output::Value(ty) => (ty, quote!(output_of)),
        Output::Result(ty) => (ty, quote!(ok_output_of)),
    };
    let span = ty.span();
    let at_ty = private.at(span);
    let at_future = future(span);
    // The kind is a local at the return type: the conversion's receiver, where rustc reports
    // a type that is neither `IntoToolResult` nor `Serialize`.
    let kind = Ident::new("__kind", span);
    let pick =
        quote_spanned!(span=> let #kind = #at_ty::#picked(&#at_future).__tool_output_kind(););
    let converter = quote_spanned!(span=> #kind.converter());
    Some(match output {
        Output::Result(_) => {
            let span = output.error_type().unwrap_or(ty).span();
            let at_error = private.at(span);
            let error_future = future(span);
            let errors = quote_spanned!(span=> #at_error::error_of(&#error_future).converter());
            quote!({ #pick #converter.or_errors(#errors).wrap(#at_future) })
        }
        _ => quote!({ #pick #converter.wrap(#at_future) }),
    })
}

/// The tuple of `items` as `FlatParams` takes it (and its values come back): up to
/// `MAX_FLAT` (12) items; past that, the first 11 and a tuple of the rest.
fn flat_tuple(mut items: Vec<TokenStream>) -> TokenStream {
    const MAX_FLAT: usize = 12;
    if items.len() > MAX_FLAT {
        let rest = items.split_off(MAX_FLAT - 1);
        items.push(flat_tuple(rest));
    }
    quote!((#(#items,)*))
}

/// `#[tool(local)]`: the call and conversion, made into a future on the tool's own thread
/// from a clone of the server (required to be `Clone` at the word `local`); the statements of
/// a block.
fn local_call(
    tool: &Tool<'_>,
    private: &Private,
    names: &Names,
    local: &Ident,
    call_args: &[TokenStream],
) -> TokenStream {
    let Names { ctx, this, .. } = names;
    let call = call_on(&tool.method, &quote!(&#this), call_args);
    let call = call_and_convert(tool, private, names, call);
    let at_local = private.at(local.span());
    // Only the function is spanned at `local`: a `self` there makes rustc suggest `&local`.
    let clone_server = quote_spanned!(local.span()=> #at_local::clone_server::<Self>);
    let clone = quote!(#clone_server(self));
    quote! {
        let #this = #clone;
        #private::LocalTool::new(&#ctx)
            .run(move || async move { #call })
            .await
    }
}

/// `call` (the method's call, awaited if it is `async`) and the conversion of what it returns
/// into a `CallToolResult`: the statements of a block.
fn call_and_convert(
    tool: &Tool<'_>,
    private: &Private,
    names: &Names,
    call: TokenStream,
) -> TokenStream {
    let Names { error, .. } = names;
    let structured = match tool.structured() {
        Structured::Value(ty) => Some(ty),
        Structured::Json(_) | Structured::No => None,
    };
    let output = &tool.method.output;
    match output {
        Output::Unit => quote!(#private::IntoToolResult::into_tool_result(#call)),
        Output::Value(ty) => {
            let (ret, convert) = convert(private, ty, structured);
            quote! {
                let #ret = #call;
                #convert
            }
        }
        Output::Result(ty) => {
            let (ret, convert) = convert(private, ty, structured);
            // An error type that is not `Display` is reported at that type.
            let span = output.error_type().unwrap_or(ty).span();
            // A mixed-site binding would move the error to the attribute; nothing of the
            // user's is in scope in this arm, so a user-site one cannot collide.
            let error = Ident::new(&error.to_string(), span);
            let at_ty = private.at(span);
            let error_result = quote_spanned!(span=> #at_ty::error_result(#error));
            quote! {
                match #call {
                    #private::Ok(#ret) => #convert,
                    #private::Err(#error) => #error_result,
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
    // The traits are imported by `call_tool`; only one of them is used for a given type.
    let convert = quote_spanned!(span=> (&#ret).__tool_result_kind().convert(#ret));
    (ret, convert)
}
