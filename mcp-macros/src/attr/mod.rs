//! The arguments of `#[mcp_server(...)]` and `#[arg(...)]`, doc comments, and the pieces
//! every attribute parser uses; the method attributes are in [`handler`].
//!
//! Parsers record their errors in the [`Ctxt`] and return what they could read, so that the
//! user sees every bad argument at once.

mod app;
mod handler;

pub(crate) use app::AppArg;
pub(crate) use handler::{CompleteArg, IconArg, PromptArgs, ResourceArgs, ToolArgs};

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta, Token};

use crate::ctxt::Ctxt;

/// `#[mcp_server(name = "...", version = "...", title = "...", description = "...",
/// website_url = "...", icon = ..., instructions = "...", crate = path)]`.
#[derive(Default)]
pub(crate) struct ServerArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) version: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) website_url: Option<LitStr>,
    pub(crate) icons: Vec<IconArg>,
    pub(crate) instructions: Option<LitStr>,
    /// `scopes = [...]`: required by every tool, resource and prompt.
    pub(crate) scopes: Vec<LitStr>,
    pub(crate) krate: Option<syn::Path>,
}

const SERVER_ARGS: &str = "`name`, `version`, `title`, `description`, `website_url`, `icon`, \
                           `instructions`, `scopes` and `crate`";

impl ServerArgs {
    pub(crate) fn from_tokens(cx: &Ctxt, args: TokenStream) -> Self {
        let mut name = One::new("name");
        let mut version = One::new("version");
        let mut title = One::new("title");
        let mut description = One::new("description");
        let mut website_url = One::new("website_url");
        let mut icons = Vec::new();
        let mut instructions = One::new("instructions");
        let mut scopes = One::new("scopes");
        let mut krate = One::new("crate");
        let parser = syn::meta::parser(|meta| {
            let path = &meta.path;
            if path.is_ident("name") {
                name.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("version") {
                version.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("title") {
                title.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("description") {
                description.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("website_url") {
                website_url.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("icon") {
                icons.extend(IconArg::parse(cx, &meta)?);
            } else if path.is_ident("instructions") {
                instructions.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("scopes") {
                scopes.set(cx, path, scope_list(cx, &meta)?);
            } else if path.is_ident("crate") {
                krate.set(cx, path, crate_path(cx, &meta)?);
            } else {
                unknown(cx, &meta, "#[mcp_server]", SERVER_ARGS)?;
            }
            Ok(())
        });
        if let Err(err) = parser.parse2(args) {
            cx.syn_error(err);
        }
        ServerArgs {
            name: name.value,
            version: version.value,
            title: title.value,
            description: description.value,
            website_url: website_url.value,
            icons,
            instructions: instructions.value,
            scopes: scopes.value.unwrap_or_default(),
            krate: krate.value,
        }
    }
}

/// `#[arg(name = "...", description = "...")]` on a parameter; several are merged.
#[derive(Default)]
pub(crate) struct ArgArgs {
    /// The argument's name for clients, when it is not the parameter's.
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
}

impl ArgArgs {
    pub(crate) fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut name = One::new("name");
        let mut description = One::new("description");
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("arg")) {
            parse_attr(cx, attr, "#[arg]", |meta| {
                if meta.path.is_ident("name") {
                    name.set(cx, &meta.path, lit_str(cx, &meta)?);
                } else if meta.path.is_ident("description") {
                    description.set(cx, &meta.path, lit_str(cx, &meta)?);
                } else {
                    unknown(cx, &meta, "#[arg]", "`name` and `description`")?;
                }
                Ok(())
            });
        }
        ArgArgs {
            name: name.value,
            description: description.value,
        }
    }
}

/// The doc comment in `attrs`: lines joined with `\n`, common indentation removed, trimmed.
/// `None` when there is none (or only `#[doc = some_macro!()]`, which we cannot read).
pub(crate) fn doc(attrs: &[Attribute]) -> Option<String> {
    // Each line, and whether its indentation counts towards the common one: not the first
    // line of a block comment, which starts right after `/**`.
    let mut lines: Vec<(&str, bool)> = Vec::new();
    let texts: Vec<String> = attrs.iter().filter_map(doc_text).collect();
    for text in &texts {
        let mut split = text.split('\n');
        let first = split.next().unwrap_or_default();
        if text.contains('\n') {
            lines.push((first.trim_start(), false));
        } else {
            lines.push((first, true));
        }
        lines.extend(split.map(|line| (line, true)));
    }
    let indent = lines
        .iter()
        .filter(|(line, counts)| *counts && !line.trim().is_empty())
        .map(|(line, _)| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let text = lines
        .iter()
        .map(|&(line, counts)| match counts {
            true => line.get(indent..).unwrap_or(line.trim_start()).trim_end(),
            false => line.trim_end(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The text of `#[doc = "..."]`.
fn doc_text(attr: &Attribute) -> Option<String> {
    let Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    match &nv.value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) if nv.path.is_ident("doc") => Some(text.value()),
        _ => None,
    }
}

/// An argument that may be given at most once.
struct One<T> {
    name: &'static str,
    value: Option<T>,
}

impl<T> One<T> {
    fn new(name: &'static str) -> Self {
        One { name, value: None }
    }

    fn set(&mut self, cx: &Ctxt, path: &syn::Path, value: Option<T>) {
        if self.value.is_some() {
            cx.error_spanned_by(path, format_args!("duplicate argument `{}`", self.name));
        } else if value.is_some() {
            self.value = value;
        }
    }
}

/// Parses `#[attr(...)]`; a bare `#[attr]` has no arguments.
fn parse_attr(
    cx: &Ctxt,
    attr: &Attribute,
    what: &str,
    logic: impl FnMut(ParseNestedMeta) -> syn::Result<()>,
) {
    match &attr.meta {
        Meta::Path(_) => {}
        Meta::List(list) => {
            if let Err(err) = list.parse_nested_meta(logic) {
                cx.syn_error(err);
            }
        }
        Meta::NameValue(nv) => cx.error_spanned_by(
            nv,
            format_args!(
                "expected `{what}` or `{}(...)]`",
                what.trim_end_matches(']')
            ),
        ),
    }
}

/// `= "text"`. A value of another kind is recorded as an error and skipped.
fn lit_str(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<LitStr>> {
    let name = path_name(&meta.path);
    if !meta.input.peek(Token![=]) {
        let message = format!("expected `{name} = \"...\"`");
        return missing_value(cx, meta, message).map(|()| None);
    }
    match meta.value()?.parse::<Expr>()? {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(Some(lit)),
        other => {
            cx.error_spanned_by(
                other,
                format_args!("expected a string literal: `{name} = \"...\"`"),
            );
            Ok(None)
        }
    }
}

/// `scopes = ["a", "b"]`: OAuth scope-tokens (RFC 6749: printable ASCII but space, `"` and
/// `\\`), each checked at its literal.
fn scope_list(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Vec<LitStr>>> {
    const EXPECTED: &str = "expected `scopes = [\"scope\", ...]`";
    if !meta.input.peek(Token![=]) {
        return missing_value(cx, meta, EXPECTED).map(|()| None);
    }
    let Expr::Array(array) = meta.value()?.parse::<Expr>()? else {
        cx.error_spanned_by(&meta.path, EXPECTED);
        return Ok(None);
    };
    let mut scopes = Vec::new();
    for element in &array.elems {
        let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = element
        else {
            cx.error_spanned_by(
                element,
                "expected a string literal: a scope such as \"notes:write\"",
            );
            continue;
        };
        let scope = lit.value();
        let bad = scope
            .chars()
            .find(|c| !matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'));
        if scope.is_empty() {
            cx.error_spanned_by(lit, "a scope cannot be empty");
        } else if let Some(c) = bad {
            cx.error_spanned_by(
                lit,
                format_args!(
                    "invalid scope {scope:?}: {c:?} is not allowed; a scope is printable ASCII \
                     without spaces, `\"` or `\\` (write several scopes as several strings)"
                ),
            );
        } else {
            scopes.push(lit.clone());
        }
    }
    Ok(Some(scopes))
}

/// A flag: bare (`true`) or `= true` / `= false`.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<bool>> {
    if meta.input.peek(syn::token::Paren) {
        let name = path_name(&meta.path);
        cx.error_spanned_by(
            &meta.path,
            format_args!("expected `{name}` or `{name} = true|false`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    if !meta.input.peek(Token![=]) {
        return Ok(Some(true));
    }
    match meta.value()?.parse::<Expr>()? {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(lit),
            ..
        }) => Ok(Some(lit.value)),
        other => {
            cx.error_spanned_by(other, "expected `true` or `false`");
            Ok(None)
        }
    }
}

/// `crate = path` (or `crate = "path"`, as serde spells it).
fn crate_path(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<syn::Path>> {
    if !meta.input.peek(Token![=]) {
        let message = "expected `crate = path`, the path to `mcp_runtime`";
        return missing_value(cx, meta, message).map(|()| None);
    }
    let input = meta.value()?;
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return match lit.parse_with(syn::Path::parse_mod_style) {
            Ok(path) => Ok(Some(path)),
            Err(_) => {
                cx.error_spanned_by(lit, "expected a path, such as `::my_crate::mcp`");
                Ok(None)
            }
        };
    }
    input.call(syn::Path::parse_mod_style).map(Some)
}

/// An argument given without its `= value`: recorded if the next argument can still be read,
/// else a syntax error.
fn missing_value(cx: &Ctxt, meta: &ParseNestedMeta, message: impl Display) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        cx.error_spanned_by(&meta.path, message);
        Ok(())
    } else {
        Err(meta.error(message))
    }
}

/// Records an unknown argument and skips its value, so the arguments after it are read too.
fn unknown(cx: &Ctxt, meta: &ParseNestedMeta, what: &str, known: &str) -> syn::Result<()> {
    cx.error_spanned_by(
        &meta.path,
        format_args!(
            "unknown {what} argument `{}`; the arguments are {known}",
            path_name(&meta.path)
        ),
    );
    skip_value(meta)
}

fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

fn path_name(path: &syn::Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use syn::parse_quote;

    fn server(args: TokenStream) -> (ServerArgs, Vec<String>) {
        let cx = Ctxt::new();
        let parsed = ServerArgs::from_tokens(&cx, args);
        (parsed, cx.messages())
    }

    #[test]
    fn server_args() {
        let (args, errs) = server(quote!(name = "calc", version = "1.2.3", crate = ::my::rt));
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(args.name.unwrap().value(), "calc");
        assert_eq!(args.version.unwrap().value(), "1.2.3");
        assert!(args.instructions.is_none());
        let krate = args.krate.unwrap();
        assert_eq!(krate, parse_quote!(::my::rt));
    }

    #[test]
    fn server_crate_as_string() {
        let (args, errs) = server(quote!(crate = "my::rt", instructions = "Be nice."));
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(args.krate.unwrap(), parse_quote!(my::rt));
        assert_eq!(args.instructions.unwrap().value(), "Be nice.");
    }

    #[test]
    fn server_args_all_errors_at_once() {
        let (args, errs) = server(quote!(
            nme = "x",
            version = 1,
            name = "a",
            name = "b",
            title,
            colour = "red"
        ));
        assert_eq!(
            errs,
            [
                "unknown #[mcp_server] argument `nme`; the arguments are `name`, `version`, \
                 `title`, `description`, `website_url`, `icon`, `instructions`, `scopes` and `crate`",
                "expected a string literal: `version = \"...\"`",
                "duplicate argument `name`",
                "expected `title = \"...\"`",
                "unknown #[mcp_server] argument `colour`; the arguments are `name`, `version`, \
                 `title`, `description`, `website_url`, `icon`, `instructions`, `scopes` and `crate`",
            ]
        );
        assert_eq!(args.name.unwrap().value(), "a");
    }

    #[test]
    fn server_args_syntax_error() {
        let (_, errs) = server(quote!(name "x"));
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn arg_args() {
        let cx = Ctxt::new();
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[arg(description = "The first.")]),
            parse_quote!(#[arg(desc = "x")]),
            parse_quote!(#[arg(name = "resourceUri")]),
        ];
        let args = ArgArgs::from_attrs(&cx, &attrs);
        assert_eq!(args.description.unwrap().value(), "The first.");
        assert_eq!(args.name.unwrap().value(), "resourceUri");
        assert_eq!(
            cx.messages(),
            ["unknown #[arg] argument `desc`; the arguments are `name` and `description`"]
        );
    }

    #[test]
    fn doc_comments() {
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[doc = " Add two numbers."]),
            parse_quote!(#[doc = ""]),
            parse_quote!(#[doc = "   Indented more."]),
            parse_quote!(#[inline]),
            parse_quote!(#[doc = " Last.  "]),
        ];
        assert_eq!(
            doc(&attrs).unwrap(),
            "Add two numbers.\n\n  Indented more.\nLast."
        );
        let block: Vec<Attribute> =
            vec![parse_quote!(#[doc = "\n    Block.\n      Nested.\n    "])];
        assert_eq!(doc(&block).unwrap(), "Block.\n  Nested.");
        let block: Vec<Attribute> =
            vec![parse_quote!(#[doc = " First line.\n        Second.\n          Third. "])];
        assert_eq!(doc(&block).unwrap(), "First line.\nSecond.\n  Third.");
        assert_eq!(doc(&[parse_quote!(#[doc = "  "])]), None);
        assert_eq!(doc(&[parse_quote!(#[inline])]), None);
    }
}
