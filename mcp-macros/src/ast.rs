//! The typed model of an `#[mcp_server]` impl block. It borrows the user's tokens, so that
//! errors found later point at them.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, GenericArgument, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, PatType,
    PathArguments, ReturnType, Type,
};

use crate::attr::{self, ArgArgs, ServerArgs, ToolArgs};
use crate::ctxt::Ctxt;
use crate::inert;

/// An `#[mcp_server]` impl block.
pub(crate) struct Server<'a> {
    pub(crate) original: &'a ItemImpl,
    pub(crate) args: ServerArgs,
    pub(crate) tools: Vec<Tool<'a>>,
}

/// A `#[tool]` method.
pub(crate) struct Tool<'a> {
    pub(crate) original: &'a ImplItemFn,
    pub(crate) args: ToolArgs,
    /// The name clients call it by: `#[tool(name = "...")]`, or the method's name.
    pub(crate) name: String,
    /// The `name = "..."` literal, or the method's name.
    pub(crate) name_span: Span,
    /// `#[tool(description = "...")]`, or the method's doc comment.
    pub(crate) description: Option<String>,
    pub(crate) receiver: Receiver<'a>,
    pub(crate) params: Vec<Param<'a>>,
    pub(crate) output: Output<'a>,
}

/// How a tool method takes `self`.
pub(crate) enum Receiver<'a> {
    /// `&self` (or `self: &Self`): the only one allowed.
    Shared,
    /// `&mut self`, `self`, `self: Box<Self>`...
    Other(&'a syn::Receiver),
    /// An associated function.
    Missing,
}

/// A parameter of a tool method, other than the receiver.
pub(crate) struct Param<'a> {
    pub(crate) original: &'a PatType,
    pub(crate) kind: ParamKind<'a>,
    /// `#[arg(description = "...")]` or the parameter's doc comment.
    pub(crate) description: Option<Description<'a>>,
}

/// A parameter's description and the attribute that gave it.
pub(crate) struct Description<'a> {
    pub(crate) text: String,
    pub(crate) attr: &'a Attribute,
}

/// What a parameter is.
pub(crate) enum ParamKind<'a> {
    /// `ctx: Context`: the request's context, not an argument.
    Context,
    /// `ctx: &Context`: an error.
    ContextRef,
    /// `p: Args<T>`: all the arguments as one struct `T`.
    Args { inner: &'a Type },
    /// One argument of the input schema.
    Flat(Flat<'a>),
}

/// One argument of a tool.
pub(crate) struct Flat<'a> {
    /// The parameter's name, when its pattern is an identifier.
    pub(crate) ident: Option<&'a Ident>,
    /// The type deserialized: `T` for both `T` and `Option<T>`.
    pub(crate) ty: &'a Type,
    /// Whether the type is `Option<T>`: the argument may be absent.
    pub(crate) optional: bool,
}

impl Flat<'_> {
    /// The argument's name in JSON (`r#type` is `type`).
    pub(crate) fn name(&self) -> Option<String> {
        self.ident.map(|ident| ident.unraw().to_string())
    }
}

/// What a tool method returns.
pub(crate) enum Output<'a> {
    /// Nothing, or `()`.
    Unit,
    /// A type named `Result`: `Err` becomes an error result.
    Result(&'a Type),
    /// Anything else.
    Value(&'a Type),
}

impl<'a> Server<'a> {
    pub(crate) fn from_syn(cx: &Ctxt, args: TokenStream, original: &'a ItemImpl) -> Self {
        let args = ServerArgs::from_tokens(cx, args);
        let tools = original
            .items
            .iter()
            .filter_map(|item| match item {
                ImplItem::Fn(method) => Tool::from_syn(cx, method, args.krate.as_ref()),
                _ => None,
            })
            .collect();
        Server {
            original,
            args,
            tools,
        }
    }
}

impl<'a> Tool<'a> {
    /// The tool, if `method` has a `#[tool]` attribute.
    fn from_syn(cx: &Ctxt, method: &'a ImplItemFn, krate: Option<&syn::Path>) -> Option<Self> {
        let mut tool_attrs = method
            .attrs
            .iter()
            .filter(|attr| inert::is_tool(attr, krate));
        let attr = tool_attrs.next()?;
        for repeated in tool_attrs {
            cx.error_spanned_by(
                repeated,
                "duplicate `#[tool]`; put all its arguments in one attribute",
            );
        }
        let args = ToolArgs::from_attr(cx, attr);
        let ident = &method.sig.ident;
        let (name, name_span) = match &args.name {
            Some(lit) => (lit.value(), lit.span()),
            None => (ident.unraw().to_string(), ident.span()),
        };
        let description = match &args.description {
            Some(lit) => Some(lit.value()),
            None => attr::doc(&method.attrs),
        };
        let mut receiver = Receiver::Missing;
        let mut params = Vec::new();
        for input in &method.sig.inputs {
            match input {
                FnArg::Receiver(r) => receiver = Receiver::from_syn(r),
                FnArg::Typed(param) => params.push(Param::from_syn(cx, param)),
            }
        }
        let output = match &method.sig.output {
            ReturnType::Default => Output::Unit,
            ReturnType::Type(_, ty) => Output::from_type(ty),
        };
        Some(Tool {
            original: method,
            args,
            name,
            name_span,
            description,
            receiver,
            params,
            output,
        })
    }

    /// The method's name.
    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.sig.ident
    }

    /// Whether the method is an `async fn`.
    pub(crate) fn is_async(&self) -> bool {
        self.original.sig.asyncness.is_some()
    }
}

impl<'a> Receiver<'a> {
    fn from_syn(receiver: &'a syn::Receiver) -> Self {
        // `&self`, `&'a self` and `self: &Self` all have the type `&Self`.
        match &*receiver.ty {
            Type::Reference(r) if r.mutability.is_none() && is_self(&r.elem) => Receiver::Shared,
            _ => Receiver::Other(receiver),
        }
    }
}

fn is_self(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
}

impl<'a> Param<'a> {
    fn from_syn(cx: &Ctxt, original: &'a PatType) -> Self {
        let ty = &*original.ty;
        let kind = if last_segment_is(ty, "Context") {
            ParamKind::Context
        } else if matches!(ty, Type::Reference(r) if last_segment_is(&r.elem, "Context")) {
            ParamKind::ContextRef
        } else if let Some(inner) = generic_argument(ty, "Args") {
            ParamKind::Args { inner }
        } else {
            let ident = match &*original.pat {
                Pat::Ident(pat) if pat.subpat.is_none() => Some(&pat.ident),
                _ => None,
            };
            let (ty, optional) = match generic_argument(ty, "Option") {
                Some(inner) => (inner, true),
                None => (ty, false),
            };
            ParamKind::Flat(Flat {
                ident,
                ty,
                optional,
            })
        };
        Param {
            original,
            kind,
            description: Description::from_attrs(cx, &original.attrs),
        }
    }
}

impl<'a> Description<'a> {
    /// `#[arg(description = "...")]`, else the doc comment.
    fn from_attrs(cx: &Ctxt, attrs: &'a [Attribute]) -> Option<Self> {
        let arg = attrs.iter().find(|attr| attr.path().is_ident("arg"));
        if let (Some(attr), Some(lit)) = (arg, ArgArgs::from_attrs(cx, attrs).description) {
            return Some(Description {
                text: lit.value(),
                attr,
            });
        }
        let doc = attrs.iter().find(|attr| attr.path().is_ident("doc"))?;
        Some(Description {
            text: attr::doc(attrs)?,
            attr: doc,
        })
    }
}

impl<'a> Output<'a> {
    fn from_type(ty: &'a Type) -> Self {
        match ty {
            Type::Tuple(tuple) if tuple.elems.is_empty() => Output::Unit,
            Type::Paren(paren) => Output::from_type(&paren.elem),
            _ if last_segment_is(ty, "Result") => Output::Result(ty),
            _ => Output::Value(ty),
        }
    }
}

/// Whether `ty` is a path whose last segment is `name`.
fn last_segment_is(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|segment| segment.ident == name)
}

/// `T` when `ty` is `name<T>` (or `path::to::name<T>`).
fn generic_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let segment = last_segment(ty).filter(|segment| segment.ident == name)?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{ToTokens, quote};
    use syn::parse_quote;

    fn model(item: &ItemImpl, test: impl FnOnce(&Server<'_>)) -> Vec<String> {
        let cx = Ctxt::new();
        let server = Server::from_syn(&cx, quote!(name = "calc"), item);
        test(&server);
        cx.messages()
    }

    fn tokens(t: &impl ToTokens) -> String {
        t.to_token_stream().to_string()
    }

    #[test]
    fn tools_and_plain_methods() {
        let item: ItemImpl = parse_quote! {
            impl Calculator {
                /// Add two numbers.
                #[tool]
                async fn add(&self, a: f64, b: Option<f64>) -> f64 { a + b.unwrap_or(0.0) }

                fn helper(&self) {}

                #[tool(name = "div", description = "Divide.")]
                fn divide(&self, a: f64, b: f64) -> Result<f64, String> { todo!() }

                #[mcp_runtime::tool]
                fn r#type(&self) {}
            }
        };
        let errs = model(&item, |server| {
            assert_eq!(server.args.name.as_ref().unwrap().value(), "calc");
            let names: Vec<_> = server.tools.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(names, ["add", "div", "type"]);

            let add = &server.tools[0];
            assert!(add.is_async());
            assert_eq!(add.description.as_deref(), Some("Add two numbers."));
            assert!(matches!(add.receiver, Receiver::Shared));
            assert!(matches!(add.output, Output::Value(ty) if tokens(ty) == "f64"));
            let [a, b] = &add.params[..] else {
                panic!("two params")
            };
            let (ParamKind::Flat(a), ParamKind::Flat(b)) = (&a.kind, &b.kind) else {
                panic!("flat params")
            };
            assert_eq!(
                (a.name().unwrap(), tokens(a.ty), a.optional),
                ("a".into(), "f64".into(), false)
            );
            assert_eq!(
                (b.name().unwrap(), tokens(b.ty), b.optional),
                ("b".into(), "f64".into(), true)
            );

            let div = &server.tools[1];
            assert_eq!(div.ident(), "divide");
            assert!(!div.is_async());
            assert_eq!(div.description.as_deref(), Some("Divide."));
            assert!(matches!(div.output, Output::Result(_)));

            let r#type = &server.tools[2];
            assert!(r#type.description.is_none());
            assert!(matches!(r#type.output, Output::Unit));
        });
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn context_args_and_descriptions() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool]
                fn a(&self, ctx: mcp_runtime::Context, Args(p): Args<Params>) {}
                #[tool]
                fn b(
                    self: &Self,
                    #[arg(description = "The text.")] text: String,
                    /// Number of
                    /// repeats.
                    times: Option<u32>,
                    (x, y): (i32, i32),
                    c: &Context,
                ) {}
            }
        };
        let errs = model(&item, |server| {
            let a = &server.tools[0];
            assert!(matches!(a.params[0].kind, ParamKind::Context));
            assert!(
                matches!(a.params[1].kind, ParamKind::Args { inner } if tokens(inner) == "Params")
            );

            let b = &server.tools[1];
            assert!(matches!(b.receiver, Receiver::Shared));
            let descriptions: Vec<_> = b
                .params
                .iter()
                .map(|p| p.description.as_ref().map(|d| d.text.as_str()))
                .collect();
            assert_eq!(
                descriptions,
                [Some("The text."), Some("Number of\nrepeats."), None, None]
            );
            assert!(matches!(&b.params[2].kind, ParamKind::Flat(f) if f.ident.is_none()));
            assert!(matches!(b.params[3].kind, ParamKind::ContextRef));
        });
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn receivers() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool] fn a(&'x self) {}
                #[tool] fn b(&mut self) {}
                #[tool] fn c(self) {}
                #[tool] fn d(self: Box<Self>) {}
                #[tool] fn e() {}
            }
        };
        let errs = model(&item, |server| {
            let kinds: Vec<_> = server
                .tools
                .iter()
                .map(|t| match t.receiver {
                    Receiver::Shared => "shared",
                    Receiver::Other(_) => "other",
                    Receiver::Missing => "missing",
                })
                .collect();
            assert_eq!(kinds, ["shared", "other", "other", "other", "missing"]);
        });
        assert!(errs.is_empty());
    }

    #[test]
    fn attribute_errors_are_collected() {
        let item: ItemImpl = parse_quote! {
            impl S {
                #[tool(nam = "x")]
                #[tool]
                fn a(&self, #[arg(descr = "y")] y: i32) {}
            }
        };
        let errs = model(&item, |server| assert_eq!(server.tools.len(), 1));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("duplicate `#[tool]`"));
        assert!(errs[1].starts_with("unknown #[tool] argument `nam`"));
        assert!(errs[2].starts_with("unknown #[arg] argument `descr`"));
    }
}
