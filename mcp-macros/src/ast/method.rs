//! What every handler method has, whatever its attribute: receiver, parameters and return
//! type, read from the signature.

use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, GenericArgument, Ident, ImplItemFn, LitStr, Pat, PatType, PathArguments,
    ReturnType, Type,
};

use crate::attr::{self, ArgArgs};
use crate::ctxt::Ctxt;

/// A method of the impl block with one of our attributes.
pub(crate) struct Method<'a> {
    pub(crate) original: &'a ImplItemFn,
    pub(crate) receiver: Receiver<'a>,
    pub(crate) params: Vec<Param<'a>>,
    pub(crate) output: Output<'a>,
}

/// How a method takes `self`.
pub(crate) enum Receiver<'a> {
    /// `&self` (or `self: &Self`): the only one allowed.
    Shared,
    /// `&mut self`, `self`, `self: Box<Self>`...
    Other(&'a syn::Receiver),
    /// An associated function.
    Missing,
}

/// A parameter of a method, other than the receiver.
pub(crate) struct Param<'a> {
    pub(crate) original: &'a PatType,
    pub(crate) kind: ParamKind<'a>,
    /// `#[arg(description = "...")]` or the parameter's doc comment.
    pub(crate) description: Option<Description<'a>>,
    /// `#[arg(name = "...")]`.
    pub(crate) rename: Option<LitStr>,
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
    /// One argument (tools, prompts) or template parameter (resources).
    Flat(Flat<'a>),
}

/// One argument.
pub(crate) struct Flat<'a> {
    /// The parameter's name, when its pattern is an identifier.
    pub(crate) ident: Option<&'a Ident>,
    /// The type parsed: `T` for both `T` and `Option<T>`.
    pub(crate) ty: &'a Type,
    /// Whether the type is `Option<T>`: the argument may be absent.
    pub(crate) optional: bool,
}

/// What a method returns.
pub(crate) enum Output<'a> {
    /// Nothing, or `()`.
    Unit,
    /// A type named `Result`: `Err` becomes an error.
    Result(&'a Type),
    /// Anything else.
    Value(&'a Type),
}

impl<'a> Method<'a> {
    pub(crate) fn from_syn(cx: &Ctxt, original: &'a ImplItemFn) -> Self {
        let mut receiver = Receiver::Missing;
        let mut params = Vec::new();
        for input in &original.sig.inputs {
            match input {
                FnArg::Receiver(r) => receiver = Receiver::from_syn(r),
                FnArg::Typed(param) => params.push(Param::from_syn(cx, param)),
            }
        }
        let output = match &original.sig.output {
            ReturnType::Default => Output::Unit,
            ReturnType::Type(_, ty) => Output::from_type(ty),
        };
        Method {
            original,
            receiver,
            params,
            output,
        }
    }

    /// The method's name.
    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.sig.ident
    }

    /// The method's name as a string (`r#type` is `type`).
    pub(crate) fn name(&self) -> String {
        self.ident().unraw().to_string()
    }

    /// Whether the method is an `async fn`.
    pub(crate) fn is_async(&self) -> bool {
        self.original.sig.asyncness.is_some()
    }

    /// Whether the method takes the request's `Context`.
    pub(crate) fn takes_context(&self) -> bool {
        self.params
            .iter()
            .any(|param| matches!(param.kind, ParamKind::Context | ParamKind::ContextRef))
    }

    /// The parameters that are arguments, with their names.
    pub(crate) fn flat_params(&self) -> impl Iterator<Item = (&Param<'a>, &Flat<'a>)> {
        self.params.iter().filter_map(|param| match &param.kind {
            ParamKind::Flat(flat) => Some((param, flat)),
            _ => None,
        })
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
        let args = ArgArgs::from_attrs(cx, &original.attrs);
        Param {
            original,
            kind,
            description: Description::from_attrs(&original.attrs, args.description),
            rename: args.name,
        }
    }

    /// The argument's name for clients: `#[arg(name = "...")]`, or the parameter's name
    /// (`r#type` is `type`). `None` for a parameter that is not a plain identifier.
    pub(crate) fn name(&self) -> Option<String> {
        if let Some(rename) = &self.rename {
            return Some(rename.value());
        }
        match &self.kind {
            ParamKind::Flat(flat) => flat.ident.map(|ident| ident.unraw().to_string()),
            _ => None,
        }
    }
}

impl<'a> Description<'a> {
    /// `#[arg(description = "...")]`, else the doc comment.
    fn from_attrs(attrs: &'a [Attribute], arg: Option<LitStr>) -> Option<Self> {
        let arg_attr = attrs.iter().find(|attr| attr.path().is_ident("arg"));
        if let (Some(attr), Some(lit)) = (arg_attr, arg) {
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

    /// The type of the value returned on success: `T` of `Result<T, E>`, or the type itself.
    pub(crate) fn ok_type(&self) -> Option<&'a Type> {
        match self {
            Output::Unit => None,
            Output::Value(ty) => Some(ty),
            Output::Result(ty) => result_arguments(ty).map(|(ok, _)| ok),
        }
    }

    /// `E` of `Result<T, E>`.
    pub(crate) fn error_type(&self) -> Option<&'a Type> {
        match self {
            Output::Result(ty) => result_arguments(ty).and_then(|(_, error)| error),
            _ => None,
        }
    }
}

/// `T` and `E` of `Result<T, E>` (`E` may be left to an alias: `io::Result<T>`).
fn result_arguments(ty: &Type) -> Option<(&Type, Option<&Type>)> {
    let PathArguments::AngleBracketed(args) = &last_segment(ty)?.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    Some((types.next()?, types.next()))
}

/// Whether `ty` is a path whose last segment is `name`.
pub(crate) fn last_segment_is(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|segment| segment.ident == name)
}

/// `T` when `ty` is `name<T>` (or `path::to::name<T>`).
pub(crate) fn generic_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
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
