//! Generates the `MCPServer` impl: the lists (`tools`, `resources`, `prompts`…) and one
//! `match` arm per handler that parses the arguments, calls the method and converts what it
//! returns. Each kind of handler has its module.
//!
//! Every path goes through [`Private`], and traits are named where they are used, so user
//! items named `Result`, `Option`, `std`... change nothing, and neither does
//! `#![no_implicit_prelude]`. Local names carry `Span::mixed_site()`, so they cannot collide
//! with the user's parameter names. Calls that may fail to type-check are spanned at the
//! user's tokens: the future at the handler's name (not `Send`), argument parsing and schemas
//! at the parameter's type (not `Deserialize` / `JsonSchema` / `FromStr`), the conversion at
//! the return type.

mod completion;
mod prompt;
mod resource;
mod tool;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ast::{Method, Server};
use crate::attr::IconArg;
use crate::inert;
use crate::private::Private;

/// The user's impl block (handler attributes consumed) and the `MCPServer` impl.
pub(crate) fn server(server: &Server<'_>) -> TokenStream {
    let krate = server.args.krate.as_ref();
    let private = Private::new(krate.cloned());
    let user_impl = inert::neutralize(server.original, krate);
    let (impl_generics, _, where_clause) = server.original.generics.split_for_impl();
    let self_ty = &server.original.self_ty;
    let names = Names::new();

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
    let info = Ident::new("__info", Span::mixed_site());
    let args = &server.args;
    let description = args.description.as_ref().map(syn::LitStr::value);
    let mut setters = common_setters(
        &private,
        &info,
        args.title.as_ref(),
        description.as_deref(),
        &args.icons,
    );
    if let Some(url) = &args.website_url {
        let url = some_string(&private, &url.value());
        setters.push(quote!(#info.website_url = #url;));
    }
    let server_info = with_setters(
        &info,
        quote!(#private::Implementation::new(#server_name, #version)),
        &setters,
    );
    let instructions = server.args.instructions.as_ref().map(|text| {
        quote! {
            fn instructions(&self) -> #private::Option<#private::String> {
                #private::some_text(#text)
            }
        }
    });
    let tools = tool::methods(&server.tools, &private, &names);
    let resources =
        (!server.resources.is_empty()).then(|| resource::methods(server, &private, &names));
    let prompts = (!server.prompts.is_empty()).then(|| prompt::methods(server, &private, &names));
    let completions = server
        .has_completions()
        .then(|| completion::methods(server, &private, &names));
    let scopes = required_scopes(server, &private);
    let timeouts = tool_timeouts(server, &private);
    let asking = tool_may_ask_input(server, &private);

    quote! {
        #user_impl

        #[automatically_derived]
        impl #impl_generics #private::MCPServer for #self_ty #where_clause {
            fn server_info(&self) -> #private::Implementation {
                #server_info
            }

            #instructions

            #tools

            #resources

            #prompts

            #completions

            #scopes

            #timeouts

            #asking
        }
    }
}

/// `tool_timeout`, when a tool has `timeout = "..."`.
fn tool_timeouts(server: &Server<'_>, private: &Private) -> Option<TokenStream> {
    let timed: Vec<TokenStream> = server
        .tools
        .iter()
        .filter_map(|t| {
            let (name, ms) = (&t.name, t.args.timeout?);
            Some(quote!(#name => #private::Some(#private::Duration::from_millis(#ms)),))
        })
        .collect();
    if timed.is_empty() {
        return None;
    }
    Some(quote! {
        fn tool_timeout(&self, name: &#private::str) -> #private::Option<#private::Duration> {
            match name {
                #(#timed)*
                _ => #private::None,
            }
        }
    })
}

/// `tool_may_ask_input`, `false` for the tools whose method takes no `Context` (the only way
/// a tool asks the client for input), when there are any.
fn tool_may_ask_input(server: &Server<'_>, private: &Private) -> Option<TokenStream> {
    let silent: Vec<&String> = server
        .tools
        .iter()
        .filter(|t| !t.method.takes_context())
        .map(|t| &t.name)
        .collect();
    if silent.is_empty() {
        return None;
    }
    Some(quote! {
        fn tool_may_ask_input(&self, name: &#private::str) -> #private::bool {
            !#private::core::matches!(name, #(#silent)|*)
        }
    })
}

/// `required_scopes`, when any attribute names scopes.
fn required_scopes(server: &Server<'_>, private: &Private) -> Option<TokenStream> {
    let declared = !server.args.scopes.is_empty()
        || server.tools.iter().any(|t| !t.args.scopes.is_empty())
        || server.resources.iter().any(|r| !r.args.scopes.is_empty())
        || server.prompts.iter().any(|p| !p.args.scopes.is_empty());
    if !declared {
        return None;
    }
    let all = &server.args.scopes;
    let tools = server
        .tools
        .iter()
        .filter(|t| !t.args.scopes.is_empty())
        .map(|t| {
            let (name, scopes) = (&t.name, &t.args.scopes);
            quote!(.tool(#name, &[#(#scopes),*]))
        });
    let resources = server
        .resources
        .iter()
        .filter(|r| !r.args.scopes.is_empty())
        .map(|r| {
            let (uri, scopes) = (&r.uri, &r.args.scopes);
            quote!(.resource(#uri, &[#(#scopes),*]))
        });
    let prompts = server
        .prompts
        .iter()
        .filter(|p| !p.args.scopes.is_empty())
        .map(|p| {
            let (name, scopes) = (&p.name, &p.args.scopes);
            quote!(.prompt(#name, &[#(#scopes),*]))
        });
    Some(quote! {
        fn required_scopes(&self) -> #private::RequiredScopes {
            #private::RequiredScopes::new(&[#(#all),*]) #(#tools)* #(#resources)* #(#prompts)*
        }
    })
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
    uri: Ident,
    matched: Ident,
    request: Ident,
    reference: Ident,
    argument: Ident,
    context: Ident,
    this: Ident,
    future: Ident,
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
            uri: ident("__uri"),
            matched: ident("__matched"),
            request: ident("__request"),
            reference: ident("__reference"),
            argument: ident("__argument"),
            context: ident("__context"),
            this: ident("__this"),
            future: ident("__future"),
        }
    }
}

/// `Self::method(self, args...)`, awaited when the method is `async`.
fn call(method: &Method<'_>, args: &[TokenStream]) -> TokenStream {
    call_on(method, &quote!(self), args)
}

/// `Self::method(receiver, args...)`, awaited when the method is `async`.
fn call_on(method: &Method<'_>, receiver: &TokenStream, args: &[TokenStream]) -> TokenStream {
    let ident = method.ident();
    let await_ = method.is_async().then(|| quote!(.await));
    quote!(Self::#ident(#receiver, #(#args),*) #await_)
}

/// `Some("text")` as an `Option<&str>`, or `None`.
fn option_str(private: &Private, text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(#private::Some(#text)),
        None => quote!(#private::None),
    }
}

/// `Some(String::from("text"))`, for a descriptor's optional field.
fn some_string(private: &Private, text: &str) -> TokenStream {
    quote!(#private::some_text(#text))
}

/// The statements setting a descriptor's optional fields: `title`, `description` and `icons`.
fn common_setters(
    private: &Private,
    var: &Ident,
    title: Option<&syn::LitStr>,
    description: Option<&str>,
    icons: &[IconArg],
) -> Vec<TokenStream> {
    let mut setters = Vec::new();
    if let Some(description) = description {
        let description = some_string(private, description);
        setters.push(quote!(#var.description = #description;));
    }
    if let Some(title) = title {
        let title = some_string(private, &title.value());
        setters.push(quote!(#var.title = #title;));
    }
    if !icons.is_empty() {
        let icons = icons.iter().map(|icon| icon_expr(private, icon));
        setters.push(quote!(#var.icons = #private::vec([#(#icons),*]);));
    }
    setters
}

/// An expression building one `Icon`.
fn icon_expr(private: &Private, icon: &IconArg) -> TokenStream {
    let src = &icon.src;
    let mime_type = icon
        .mime_type
        .as_ref()
        .map(|mime| quote!(.with_mime_type(#mime)));
    let sizes = &icon.sizes;
    let sizes = (!sizes.is_empty()).then(|| quote!(.with_sizes([#(#sizes),*])));
    let theme = icon.theme.as_deref().map(|theme| {
        let variant = Ident::new(
            if theme == "dark" { "Dark" } else { "Light" },
            Span::call_site(),
        );
        quote!(.with_theme(#private::IconTheme::#variant))
    });
    quote!(#private::Icon::new(#src) #mime_type #sizes #theme)
}

/// `{ let mut var = constructor; setters; var }`, or just the constructor.
fn with_setters(var: &Ident, constructor: TokenStream, setters: &[TokenStream]) -> TokenStream {
    if setters.is_empty() {
        return constructor;
    }
    quote!({
        let mut #var = #constructor;
        #(#setters)*
        #var
    })
}

/// `vec([items])`, or `Vec::new()`.
fn vec_of(private: &Private, items: Vec<TokenStream>) -> TokenStream {
    if items.is_empty() {
        quote!(#private::Vec::new())
    } else {
        quote!(#private::vec([#(#items),*]))
    }
}
