//! The rules of `#[resource]` methods: the URI, and template parameters bound to method
//! parameters by name.

use super::completion::check_completions;
use super::{Seen, check_argument_names, check_context, check_owned, check_signature};
use crate::ast::{Output, ParamKind, Resource, Server};
use crate::ctxt::Ctxt;

pub(super) fn check(cx: &Ctxt, server: &Server<'_>, resource: &Resource<'_>, seen: &mut Seen) {
    if resource.args.uri.is_some() {
        check_uri(cx, resource);
        super::app::check_app_resource(cx, resource);
        if !seen.uris.insert(resource.uri.clone()) {
            cx.error_at(
                resource.uri_span,
                format_args!("two resources have the URI `{}`", resource.uri),
            );
        }
    }
    check_signature(cx, &resource.method, "resources");
    check_params(cx, resource);
    if let Output::Unit = resource.method.output {
        cx.error_spanned_by(
            &resource.method.original.sig.ident,
            "a resource returns its contents: text (`String`), bytes (`Vec<u8>`), \
             `ResourceContents`, or a `Result` of one of them",
        );
    }
    let vars: Vec<&str> = resource.vars.iter().map(|v| v.name.as_str()).collect();
    let what = if resource.is_template() {
        "this URI template has no parameter"
    } else {
        "a resource with a fixed URI has no parameters to complete"
    };
    check_completions(cx, server, &resource.args.complete, &vars, what, seen);
}

fn check_uri(cx: &Ctxt, resource: &Resource<'_>) {
    if resource.uri.trim().is_empty() {
        cx.error_at(resource.uri_span, "the URI cannot be empty");
    } else if !resource.uri.contains(':') {
        cx.error_at(
            resource.uri_span,
            format_args!(
                "`{}` is not a URI: give it a scheme, such as `file:///...` or `app://...`",
                resource.uri
            ),
        );
    }
}

fn check_params(cx: &Ctxt, resource: &Resource<'_>) {
    let params = &resource.method.params;
    check_context(cx, params, "resource");
    check_argument_names(cx, params, "resource");
    let mut bound = Vec::new();
    for param in params {
        if let Some(description) = &param.description {
            cx.error_spanned_by(
                description.attr,
                "template parameters have no descriptions; describe the resource in its \
                 doc comment",
            );
        }
        let flat = match &param.kind {
            ParamKind::Context | ParamKind::ContextRef => continue,
            ParamKind::Args { .. } => {
                cx.error_spanned_by(
                    &param.original.ty,
                    "a resource takes its template parameters one by one (`id: u32`), not as \
                     `Args<T>`",
                );
                continue;
            }
            ParamKind::Flat(flat) => flat,
        };
        check_owned(cx, &param.original.ty, "resources");
        if flat.optional {
            cx.error_spanned_by(
                &param.original.ty,
                "a template parameter is always in the URI; take `T`, not `Option<T>`",
            );
        }
        let Some(name) = param.name() else {
            cx.error_spanned_by(
                &param.original.pat,
                "give this parameter a plain name: the name of its `{param}` in the URI \
                 template",
            );
            continue;
        };
        if !resource.is_template() {
            cx.error_spanned_by(
                param.original,
                format_args!(
                    "a resource with a fixed URI takes no arguments; to make it a template, \
                     put `{{{name}}}` in its URI"
                ),
            );
        } else if resource.vars.iter().any(|v| v.name == name) {
            bound.push(name);
        } else if !resource.vars.is_empty() {
            cx.error_spanned_by(
                param.original,
                format_args!(
                    "`{name}` is not a parameter of the URI template `{}`; add `{{{name}}}` \
                     to it, or remove this parameter",
                    resource.uri
                ),
            );
        }
    }
    for var in &resource.vars {
        if !bound.contains(&var.name) {
            cx.error_at(
                resource.uri_span,
                format_args!(
                    "`{{{}}}` has no parameter to go to; add `{}: String` (or another \
                     `FromStr` type) to `{}`",
                    var.name,
                    var.name,
                    resource.method.ident()
                ),
            );
        }
    }
}
