//! `resources`, `resource_templates` and `read_resource`: fixed URIs by exact match, then
//! templates in declaration order; a template whose parameters do not parse does not match.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Names, call, common_setters, option_str, some_string, vec_of, with_setters};
use crate::ast::{ParamKind, Resource, Server};
use crate::attr::AppArg;
use crate::private::Private;

/// The `resources`, `resource_templates` and `read_resource` methods.
pub(super) fn methods(server: &Server<'_>, private: &Private, names: &Names) -> TokenStream {
    let Names { uri, ctx, .. } = names;
    let (templates, fixed): (Vec<&Resource<'_>>, Vec<&Resource<'_>>) =
        server.resources.iter().partition(|r| r.is_template());
    let list = vec_of(
        private,
        fixed.iter().map(|r| descriptor(r, private)).collect(),
    );
    let template_list = vec_of(
        private,
        templates.iter().map(|r| descriptor(r, private)).collect(),
    );
    let fixed_arms = fixed.iter().map(|r| fixed_arm(r, private, names));
    let fixed_match = (!fixed.is_empty()).then(|| {
        quote! {
            match #uri {
                #(#fixed_arms)*
                _ => {}
            }
        }
    });
    let template_reads = templates.iter().map(|r| template_read(r, private, names));
    quote! {
        fn resources(&self) -> #private::Vec<#private::Resource> {
            #list
        }

        fn resource_templates(&self) -> #private::Vec<#private::ResourceTemplate> {
            #template_list
        }

        fn read_resource<'__mcp>(
            &'__mcp self,
            #uri: &#private::str,
            #ctx: #private::Context,
        ) -> #private::Option<
            #private::BoxFuture<
                '__mcp,
                #private::Result<#private::ReadResourceResult, #private::McpError>,
            >,
        > {
            #fixed_match
            #(#template_reads)*
            let _ = #ctx;
            #private::None
        }
    }
}

/// An expression building the `Resource` (or `ResourceTemplate`) for the lists.
fn descriptor(resource: &Resource<'_>, private: &Private) -> TokenStream {
    let (var, ty) = if resource.is_template() {
        ("__template", quote!(ResourceTemplate))
    } else {
        ("__resource", quote!(Resource))
    };
    let var = Ident::new(var, Span::call_site());
    let uri = &resource.uri;
    let name = &resource.name;
    let args = &resource.args;
    let mut setters = common_setters(
        private,
        &var,
        args.title.as_ref(),
        resource.description.as_deref(),
        &args.icons,
    );
    if let Some(app) = &args.app {
        setters.push(quote!(#var.mime_type = #private::some_text(#private::APP_MIME_TYPE);));
        if app.has_meta() {
            let ui = ui_meta(app, private);
            setters.push(quote!(#var.meta = #private::Some(#private::ResourceMeta::app(#ui));));
        }
    } else if let Some(mime_type) = &args.mime_type {
        let mime_type = some_string(private, &mime_type.value());
        setters.push(quote!(#var.mime_type = #mime_type;));
    }
    if !args.audience.is_empty() || args.priority.is_some() {
        let roles = args.audience.iter().map(|role| {
            let variant = Ident::new(
                if role == "user" { "User" } else { "Assistant" },
                Span::call_site(),
            );
            quote!(#private::Role::#variant)
        });
        let priority = args.priority.map(|p| quote!(.with_priority(#p)));
        setters.push(quote! {
            #var.annotations = #private::Some(
                #private::Annotations::for_audience([#(#roles),*]) #priority
            );
        });
    }
    with_setters(&var, quote!(#private::#ty::new(#uri, #name)), &setters)
}

/// `"uri" => return Some(...),` for a fixed resource.
fn fixed_arm(resource: &Resource<'_>, private: &Private, names: &Names) -> TokenStream {
    let uri_lit = &resource.uri;
    let read = read_future(resource, private, names, quote!(#uri_lit));
    quote!(#uri_lit => return #private::Some(#read),)
}

/// `if let Some(matched) = TemplateMatch::new(...) { if let (Some(a), ...) = ... { return
/// Some(...) } }` for a template.
fn template_read(resource: &Resource<'_>, private: &Private, names: &Names) -> TokenStream {
    let Names { uri, matched, .. } = names;
    let template = &resource.uri;
    let mut locals = Vec::new();
    let mut parses = Vec::new();
    for param in &resource.method.params {
        let ParamKind::Flat(flat) = &param.kind else {
            continue;
        };
        let local = flat
            .ident
            .expect("validated: template parameters are identifiers");
        let ty = flat.ty;
        let name = param.name().unwrap_or_default();
        locals.push(quote!(#private::Some(#local)));
        parses.push(quote_spanned!(ty.span()=> #matched.parse::<#ty>(#name)));
    }
    let read = read_future(resource, private, names, quote!(&#uri));
    quote! {
        if let #private::Some(#matched) =
            #private::TemplateMatch::new(#template, #uri)
        {
            if let (#(#locals,)*) = (#(#parses,)*) {
                let #uri: #private::String =
                    #private::From::from(#uri);
                return #private::Some(#read);
            }
        }
    }
}

/// The boxed future that calls the method and converts its contents for `uri`.
fn read_future(
    resource: &Resource<'_>,
    private: &Private,
    names: &Names,
    uri: TokenStream,
) -> TokenStream {
    let Names { ctx, .. } = names;
    let call_args: Vec<TokenStream> = resource
        .method
        .params
        .iter()
        .map(|param| match &param.kind {
            ParamKind::Flat(flat) => {
                let local = flat.ident;
                quote!(#local)
            }
            _ => quote!(#ctx),
        })
        .collect();
    let call = call(&resource.method, &call_args);
    let mime_type = match &resource.args.app {
        Some(_) => quote!(#private::Some(#private::APP_MIME_TYPE)),
        None => option_str(
            private,
            resource
                .args
                .mime_type
                .as_ref()
                .map(|m| m.value())
                .as_deref(),
        ),
    };
    let ret_ty = match &resource.method.original.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => resource.method.ident().span(),
    };
    let ret = Ident::new("__ret", ret_ty);
    let at_ret = private.at(ret_ty);
    let mut convert = quote_spanned!(ret_ty=>
        #at_ret::IntoReadResourceResult::into_read_result(#ret, #uri, #mime_type)
    );
    if let Some(app) = resource.args.app.as_ref().filter(|app| app.has_meta()) {
        let ui = ui_meta(app, private);
        convert = quote!(#private::app_read(#convert, #ui));
    }
    let span = resource.method.ident().span();
    let at_ident = private.at(span);
    quote_spanned!(span=> #at_ident::box_future(async move {
        let #ret = #call;
        #convert
    }))
}

/// An expression building the `UiResourceMeta` of `#[resource(app(...))]`.
fn ui_meta(app: &AppArg, private: &Private) -> TokenStream {
    let mut calls = Vec::new();
    if let Some(csp) = &app.csp {
        let lists = [
            ("with_connect_domains", &csp.connect_domains),
            ("with_resource_domains", &csp.resource_domains),
            ("with_frame_domains", &csp.frame_domains),
            ("with_base_uri_domains", &csp.base_uri_domains),
        ];
        let setters = lists
            .into_iter()
            .filter(|(_, origins)| !origins.is_empty())
            .map(|(setter, origins)| {
                let setter = Ident::new(setter, Span::call_site());
                quote!(.#setter([#(#origins),*]))
            });
        calls.push(quote!(.with_csp(<#private::UiResourceCsp as #private::Default>::default() #(#setters)*)));
    }
    if let Some(permissions) = &app.permissions {
        let setters = permissions.iter().map(|permission| {
            let setter = Ident::new(&format!("with_{permission}"), Span::call_site());
            quote!(.#setter())
        });
        calls.push(quote!(
            .with_permissions(<#private::UiResourcePermissions as #private::Default>::default() #(#setters)*)
        ));
    }
    if let Some(domain) = &app.domain {
        calls.push(quote!(.with_domain(#domain)));
    }
    if let Some(border) = app.prefers_border {
        calls.push(quote!(.with_prefers_border(#border)));
    }
    quote!(<#private::UiResourceMeta as #private::Default>::default() #(#calls)*)
}
