//! The typed model of an `#[mcp_server]` impl block. It borrows the user's tokens, so that
//! errors found later point at them.

mod method;

pub(crate) use method::{Method, Output, Param, ParamKind, Receiver};

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, PatType, Type};

use crate::attr::{self, PromptArgs, ResourceArgs, ServerArgs, ToolArgs};
use crate::ctxt::Ctxt;
use crate::inert::{self, Kind};
use crate::template::{self, Var};

/// An `#[mcp_server]` impl block.
pub(crate) struct Server<'a> {
    pub(crate) original: &'a ItemImpl,
    pub(crate) args: ServerArgs,
    pub(crate) tools: Vec<Tool<'a>>,
    pub(crate) resources: Vec<Resource<'a>>,
    pub(crate) prompts: Vec<Prompt<'a>>,
    /// Every handler in source order: its kind and its index in `tools`, `resources` or
    /// `prompts`.
    pub(crate) order: Vec<(Kind, usize)>,
}

/// A `#[tool]` method.
pub(crate) struct Tool<'a> {
    pub(crate) method: Method<'a>,
    pub(crate) args: ToolArgs,
    /// The name clients call it by: `#[tool(name = "...")]`, or the method's name.
    pub(crate) name: String,
    /// The `name = "..."` literal, or the method's name.
    pub(crate) name_span: Span,
    /// `#[tool(description = "...")]`, or the method's doc comment.
    pub(crate) description: Option<String>,
}

/// How a tool's result becomes structured content.
pub(crate) enum Structured<'a> {
    /// It does not: plain content.
    No,
    /// It returns `Json<T>` (or `Result<Json<T>, E>`); this is `T`.
    Json(&'a Type),
    /// `#[tool(structured)]`: it returns `T` (or `Result<T, E>`); this is `T`.
    Value(&'a Type),
}

/// A `#[resource]` method: a fixed resource, or a template when its URI has `{param}`s.
pub(crate) struct Resource<'a> {
    pub(crate) method: Method<'a>,
    pub(crate) args: ResourceArgs,
    /// The URI or URI template (empty after an error).
    pub(crate) uri: String,
    /// The `uri = "..."` literal, or the attribute.
    pub(crate) uri_span: Span,
    /// The template's `{param}`s; empty for a fixed URI.
    pub(crate) vars: Vec<Var>,
    /// `#[resource(name = "...")]`, or the method's name.
    pub(crate) name: String,
    /// `#[resource(description = "...")]`, or the method's doc comment.
    pub(crate) description: Option<String>,
}

/// A `#[prompt]` method.
pub(crate) struct Prompt<'a> {
    pub(crate) method: Method<'a>,
    pub(crate) args: PromptArgs,
    /// The name clients get it by: `#[prompt(name = "...")]`, or the method's name.
    pub(crate) name: String,
    /// The `name = "..."` literal, or the method's name.
    pub(crate) name_span: Span,
    /// `#[prompt(description = "...")]`, or the method's doc comment.
    pub(crate) description: Option<String>,
}

/// A method named by `complete(argument = method)`, as the generated code calls it.
pub(crate) struct Completer<'a> {
    pub(crate) original: &'a ImplItemFn,
    pub(crate) params: Vec<CompleterParam<'a>>,
}

/// A parameter of a completion method.
pub(crate) enum CompleterParam<'a> {
    /// `ctx: Context`.
    Context,
    /// `ctx: &Context`: an error.
    ContextRef(&'a PatType),
    /// The first other parameter: the value typed so far.
    Value(&'a Type),
    /// The second: the arguments already chosen.
    Chosen(&'a Type),
    /// Any further one: an error.
    Extra(&'a PatType),
}

impl<'a> Server<'a> {
    pub(crate) fn from_syn(cx: &Ctxt, args: TokenStream, original: &'a ItemImpl) -> Self {
        let args = ServerArgs::from_tokens(cx, args);
        let mut server = Server {
            original,
            args,
            tools: Vec::new(),
            resources: Vec::new(),
            prompts: Vec::new(),
            order: Vec::new(),
        };
        for item in &original.items {
            let ImplItem::Fn(method) = item else {
                continue;
            };
            let Some((kind, attr)) = handler_attr(cx, method, server.args.krate.as_ref()) else {
                continue;
            };
            // The attribute's arguments are read before the parameters', so that errors come
            // in source order.
            let index = match kind {
                Kind::Tool => server.tools.len(),
                Kind::Resource => server.resources.len(),
                Kind::Prompt => server.prompts.len(),
            };
            server.order.push((kind, index));
            match kind {
                Kind::Tool => {
                    let args = ToolArgs::from_attr(cx, attr);
                    let method = Method::from_syn(cx, method);
                    server.tools.push(Tool::new(method, args));
                }
                Kind::Resource => {
                    let args = ResourceArgs::from_attr(cx, attr);
                    let method = Method::from_syn(cx, method);
                    server.resources.push(Resource::new(cx, method, args));
                }
                Kind::Prompt => {
                    let args = PromptArgs::from_attr(cx, attr);
                    let method = Method::from_syn(cx, method);
                    server.prompts.push(Prompt::new(method, args));
                }
            }
        }
        server
    }

    /// The method of the impl block called `ident`, as a completion method.
    pub(crate) fn completer(&self, ident: &Ident) -> Option<Completer<'a>> {
        self.original.items.iter().find_map(|item| match item {
            ImplItem::Fn(method) if method.sig.ident == *ident => Some(Completer::new(method)),
            _ => None,
        })
    }

    /// Whether any prompt or template has a completion method.
    pub(crate) fn has_completions(&self) -> bool {
        self.prompts.iter().any(|p| !p.args.complete.is_empty())
            || self.resources.iter().any(|r| !r.args.complete.is_empty())
    }
}

/// The method's `#[tool]`, `#[resource]` or `#[prompt]`, if it has one; a second one is an
/// error.
fn handler_attr<'a>(
    cx: &Ctxt,
    method: &'a ImplItemFn,
    krate: Option<&syn::Path>,
) -> Option<(Kind, &'a syn::Attribute)> {
    let mut attrs = method
        .attrs
        .iter()
        .filter_map(|attr| inert::kind_of(attr, krate).map(|kind| (kind, attr)));
    let (kind, attr) = attrs.next()?;
    for (other, repeated) in attrs {
        if other == kind {
            cx.error_spanned_by(
                repeated,
                format_args!(
                    "duplicate `#[{}]`; put all its arguments in one attribute",
                    kind.name()
                ),
            );
        } else {
            cx.error_spanned_by(
                repeated,
                format_args!(
                    "a method is a tool, a resource or a prompt, not two of them; this one \
                     is already a `#[{}]`",
                    kind.name()
                ),
            );
        }
    }
    Some((kind, attr))
}

/// The name from `name = "..."`, or the method's name, with the span to report it at.
fn name_and_span(method: &Method<'_>, lit: Option<&syn::LitStr>) -> (String, Span) {
    match lit {
        Some(lit) => (lit.value(), lit.span()),
        None => (method.name(), method.ident().span()),
    }
}

/// The description from `description = "..."`, or the doc comment.
fn description(method: &Method<'_>, lit: Option<&syn::LitStr>) -> Option<String> {
    match lit {
        Some(lit) => Some(lit.value()),
        None => attr::doc(&method.original.attrs),
    }
}

impl<'a> Tool<'a> {
    fn new(method: Method<'a>, args: ToolArgs) -> Self {
        let (name, name_span) = name_and_span(&method, args.name.as_ref());
        let description = description(&method, args.description.as_ref());
        Tool {
            method,
            args,
            name,
            name_span,
            description,
        }
    }

    /// Whether and how the result is structured content.
    pub(crate) fn structured(&self) -> Structured<'a> {
        let Some(ok) = self.method.output.ok_type() else {
            return Structured::No;
        };
        if let Some(inner) = method::generic_argument(ok, "Json") {
            Structured::Json(inner)
        } else if self.args.structured.is_some() {
            Structured::Value(ok)
        } else {
            Structured::No
        }
    }
}

impl<'a> Resource<'a> {
    fn new(cx: &Ctxt, method: Method<'a>, args: ResourceArgs) -> Self {
        let (uri, uri_span) = match &args.uri {
            Some(lit) => (lit.value(), lit.span()),
            None => (String::new(), method.ident().span()),
        };
        let vars = match template::parse(&uri) {
            Ok(vars) => vars,
            Err(why) => {
                cx.error_at(uri_span, format_args!("invalid URI template: {why}"));
                Vec::new()
            }
        };
        let name = match &args.name {
            Some(lit) => lit.value(),
            None => method.name(),
        };
        let description = description(&method, args.description.as_ref());
        Resource {
            method,
            args,
            uri,
            uri_span,
            vars,
            name,
            description,
        }
    }

    /// Whether the URI has `{param}`s (or could not be read).
    pub(crate) fn is_template(&self) -> bool {
        self.uri.contains('{')
    }
}

impl<'a> Prompt<'a> {
    fn new(method: Method<'a>, args: PromptArgs) -> Self {
        let (name, name_span) = name_and_span(&method, args.name.as_ref());
        let description = description(&method, args.description.as_ref());
        Prompt {
            method,
            args,
            name,
            name_span,
            description,
        }
    }
}

impl<'a> Completer<'a> {
    fn new(original: &'a ImplItemFn) -> Self {
        let mut params = Vec::new();
        let mut positional = 0;
        for input in &original.sig.inputs {
            let FnArg::Typed(param) = input else {
                continue;
            };
            let ty = &*param.ty;
            params.push(if method::last_segment_is(ty, "Context") {
                CompleterParam::Context
            } else if matches!(ty, Type::Reference(r) if method::last_segment_is(&r.elem, "Context"))
            {
                CompleterParam::ContextRef(param)
            } else {
                positional += 1;
                match positional {
                    1 => CompleterParam::Value(ty),
                    2 => CompleterParam::Chosen(ty),
                    _ => CompleterParam::Extra(param),
                }
            });
        }
        Completer { original, params }
    }

    /// The method's name.
    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.sig.ident
    }

    /// The method's name as written, for messages (`r#type` is `type`).
    pub(crate) fn name(&self) -> String {
        self.ident().unraw().to_string()
    }
}

#[cfg(test)]
mod tests;
