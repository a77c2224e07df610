//! The MCP Apps arguments: `visibility = [...]` of `#[tool]`, and `app` or `app(...)` of
//! `#[resource]` (the view's sandbox, its `_meta.ui`).

use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

use super::{One, flag, lit_str, missing_value, path_name, skip_value, unknown};
use crate::ctxt::Ctxt;

/// The values of `visibility = [...]`, the spec's names.
const VISIBILITY: [&str; 2] = ["model", "app"];

/// `visibility = ["model", "app"]`: who may call the tool, each value checked at its literal.
pub(super) fn parse_visibility(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
) -> syn::Result<Option<Vec<LitStr>>> {
    const EXPECTED: &str = "expected `visibility = [\"model\", \"app\"]`: who may call the tool, \
                            the model (the host lists it to the agent) and/or the app (its view)";
    let Some((array, values)) = lit_str_list(cx, meta, EXPECTED)? else {
        return Ok(None);
    };
    let mut kept: Vec<LitStr> = Vec::new();
    for lit in values {
        let value = lit.value();
        if !VISIBILITY.contains(&value.as_str()) {
            cx.error_spanned_by(
                &lit,
                format_args!("unknown visibility {value:?}: expected \"model\" or \"app\""),
            );
        } else if kept.iter().any(|k| k.value() == value) {
            cx.error_spanned_by(&lit, format_args!("\"{value}\" is already listed"));
        } else {
            kept.push(lit);
        }
    }
    if array.elems.is_empty() {
        cx.error_spanned_by(
            &array,
            "a tool visible to neither the model nor the app cannot be called: list \
             \"model\", \"app\" or both (or leave `visibility` out: both)",
        );
        return Ok(None);
    }
    Ok(Some(kept))
}

/// `#[resource(app)]` or `#[resource(app(prefers_border, domain = "...", csp(...),
/// permissions(...)))]`: the resource is an app's view, with this `_meta.ui`.
pub(crate) struct AppArg {
    /// `prefers_border` (`= true|false`).
    pub(crate) prefers_border: Option<bool>,
    /// `domain = "..."`: the sandbox's dedicated origin.
    pub(crate) domain: Option<LitStr>,
    /// `csp(...)`, when given.
    pub(crate) csp: Option<CspArg>,
    /// `permissions(camera, ...)`: the features asked for, by their argument name.
    pub(crate) permissions: Option<Vec<Ident>>,
}

/// `csp(connect_domains = [...], resource_domains = [...], frame_domains = [...],
/// base_uri_domains = [...])`.
pub(crate) struct CspArg {
    pub(crate) connect_domains: Vec<LitStr>,
    pub(crate) resource_domains: Vec<LitStr>,
    pub(crate) frame_domains: Vec<LitStr>,
    pub(crate) base_uri_domains: Vec<LitStr>,
}

const APP_ARGS: &str = "`prefers_border`, `domain`, `csp` and `permissions`";
const CSP_ARGS: &str = "`connect_domains`, `resource_domains`, `frame_domains` and \
                        `base_uri_domains`";
/// The permissions of `permissions(...)`.
const PERMISSIONS: [&str; 4] = ["camera", "microphone", "geolocation", "clipboard_write"];

impl AppArg {
    pub(super) fn parse(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Self>> {
        let mut app = AppArg {
            prefers_border: None,
            domain: None,
            csp: None,
            permissions: None,
        };
        if meta.input.peek(Token![=]) {
            cx.error_spanned_by(
                &meta.path,
                "expected `app`, or `app(prefers_border, csp(...), ...)` with the view's \
                 sandbox",
            );
            skip_value(meta)?;
            return Ok(None);
        }
        if !meta.input.peek(syn::token::Paren) {
            return Ok(Some(app));
        }
        let mut prefers_border = One::new("prefers_border");
        let mut domain = One::new("domain");
        let mut csp = One::new("csp");
        let mut permissions = One::new("permissions");
        meta.parse_nested_meta(|meta| {
            let path = &meta.path;
            if path.is_ident("prefers_border") {
                prefers_border.set(cx, path, flag(cx, &meta)?);
            } else if path.is_ident("domain") {
                domain.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("csp") {
                csp.set(cx, path, CspArg::parse(cx, &meta)?);
            } else if path.is_ident("permissions") {
                permissions.set(cx, path, parse_permissions(cx, &meta)?);
            } else {
                unknown(cx, &meta, "app(...)", APP_ARGS)?;
            }
            Ok(())
        })?;
        app.prefers_border = prefers_border.value;
        app.domain = domain.value;
        app.csp = csp.value;
        app.permissions = permissions.value;
        Ok(Some(app))
    }

    /// Whether any of the view's `_meta.ui` is given.
    pub(crate) fn has_meta(&self) -> bool {
        self.prefers_border.is_some()
            || self.domain.is_some()
            || self.csp.is_some()
            || self.permissions.is_some()
    }
}

impl CspArg {
    fn parse(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Self>> {
        if !meta.input.peek(syn::token::Paren) {
            let usage = "expected `csp(connect_domains = [\"https://...\"], ...)`";
            if meta.input.peek(Token![=]) {
                cx.error_spanned_by(&meta.path, usage);
                return skip_value(meta).map(|()| None);
            }
            return missing_value(cx, meta, usage).map(|()| None);
        }
        let mut connect = One::new("connect_domains");
        let mut resource = One::new("resource_domains");
        let mut frame = One::new("frame_domains");
        let mut base_uri = One::new("base_uri_domains");
        meta.parse_nested_meta(|meta| {
            let path = &meta.path;
            let field = if path.is_ident("connect_domains") {
                &mut connect
            } else if path.is_ident("resource_domains") {
                &mut resource
            } else if path.is_ident("frame_domains") {
                &mut frame
            } else if path.is_ident("base_uri_domains") {
                &mut base_uri
            } else {
                return unknown(cx, &meta, "csp(...)", CSP_ARGS);
            };
            let usage = format!(
                "expected `{} = [\"https://example.com\", ...]`: origins",
                path_name(path)
            );
            let origins = lit_str_list(cx, &meta, &usage)?.map(|(_, origins)| {
                origins
                    .into_iter()
                    .filter(|lit| {
                        let empty = lit.value().trim().is_empty();
                        if empty {
                            cx.error_spanned_by(lit, "an origin cannot be empty");
                        }
                        !empty
                    })
                    .collect()
            });
            field.set(cx, path, origins);
            Ok(())
        })?;
        Ok(Some(CspArg {
            connect_domains: connect.value.unwrap_or_default(),
            resource_domains: resource.value.unwrap_or_default(),
            frame_domains: frame.value.unwrap_or_default(),
            base_uri_domains: base_uri.value.unwrap_or_default(),
        }))
    }
}

/// `permissions(camera, microphone, geolocation, clipboard_write)`.
fn parse_permissions(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Vec<Ident>>> {
    let usage = "expected `permissions(camera, microphone, geolocation, clipboard_write)`, \
                 the browser features the view asks for";
    if !meta.input.peek(syn::token::Paren) {
        if meta.input.peek(Token![=]) {
            cx.error_spanned_by(&meta.path, usage);
            return skip_value(meta).map(|()| None);
        }
        return missing_value(cx, meta, usage).map(|()| None);
    }
    let mut asked: Vec<Ident> = Vec::new();
    meta.parse_nested_meta(|entry| {
        let known = entry
            .path
            .get_ident()
            .filter(|ident| PERMISSIONS.contains(&ident.to_string().as_str()));
        match known {
            None => unknown(cx, &entry, "permissions(...)", &permission_list())?,
            Some(ident) if asked.contains(ident) => {
                cx.error_spanned_by(ident, format_args!("duplicate permission `{ident}`"));
                skip_value(&entry)?;
            }
            Some(ident) if !entry.input.is_empty() && !entry.input.peek(Token![,]) => {
                cx.error_spanned_by(
                    ident,
                    format_args!("expected `{ident}` alone: a permission is asked for by name"),
                );
                skip_value(&entry)?;
            }
            Some(ident) => asked.push(ident.clone()),
        }
        Ok(())
    })?;
    Ok(Some(asked))
}

fn permission_list() -> String {
    let names: Vec<String> = PERMISSIONS.iter().map(|p| format!("`{p}`")).collect();
    format!(
        "{} and {}",
        names[..names.len() - 1].join(", "),
        names[names.len() - 1]
    )
}

/// `= ["a", "b"]`: the array and its string literals (other elements are recorded as errors
/// and left out).
fn lit_str_list(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    expected: &str,
) -> syn::Result<Option<(syn::ExprArray, Vec<LitStr>)>> {
    if !meta.input.peek(Token![=]) {
        return missing_value(cx, meta, expected).map(|()| None);
    }
    let value = meta.value()?.parse::<Expr>()?;
    let Expr::Array(array) = value else {
        cx.error_spanned_by(&value, expected);
        return Ok(None);
    };
    let mut lits = Vec::new();
    for element in &array.elems {
        match element {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => lits.push(lit.clone()),
            other => cx.error_spanned_by(other, "expected a string literal"),
        }
    }
    Ok(Some((array, lits)))
}
