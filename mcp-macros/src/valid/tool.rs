//! The rules of `#[tool]` methods.

use quote::ToTokens;

use super::{Seen, check_argument_names, check_context, check_owned, check_signature};
use crate::ast::{Output, ParamKind, Server, Tool};
use crate::ctxt::Ctxt;

pub(super) fn check(cx: &Ctxt, server: &Server<'_>, tool: &Tool<'_>, seen: &mut Seen) {
    check_name(cx, tool);
    if !seen.tool_names.insert(tool.name.clone()) {
        cx.error_at(
            tool.name_span,
            format_args!(
                "duplicate tool name `{}`; rename one with `#[tool(name = \"...\")]`",
                tool.name
            ),
        );
    }
    check_signature(cx, &tool.method, "tools");
    check_params(cx, tool);
    check_structured(cx, tool);
    check_local(cx, tool);
    super::app::check_tool_app(cx, server, tool);
}

fn check_name(cx: &Ctxt, tool: &Tool<'_>) {
    let name = &tool.name;
    let hint = if tool.args.name.is_some() {
        ""
    } else {
        "; choose another with `#[tool(name = \"...\")]`"
    };
    let rule = "names have 1 to 128 characters among `A-Z`, `a-z`, `0-9`, `_`, `-` and `.`";
    let chars = name.chars().count();
    if name.is_empty() {
        cx.error_at(
            tool.name_span,
            format_args!("a tool name cannot be empty: {rule}"),
        );
    } else if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        cx.error_at(
            tool.name_span,
            format_args!("invalid tool name `{name}`: {bad:?} is not allowed; {rule}{hint}"),
        );
    } else if chars > 128 {
        cx.error_at(
            tool.name_span,
            format_args!("invalid tool name: it has {chars} characters; {rule}{hint}"),
        );
    }
}

fn check_params(cx: &Ctxt, tool: &Tool<'_>) {
    let params = &tool.method.params;
    check_context(cx, params, "tool");
    check_argument_names(cx, params, "tool");
    let mut args = None;
    for param in params {
        match &param.kind {
            ParamKind::Context | ParamKind::ContextRef => {}
            ParamKind::Args { inner } => {
                if args.replace(param).is_some() {
                    cx.error_spanned_by(
                        &param.original.ty,
                        "a tool takes at most one `Args<T>`; put all the arguments in `T`",
                    );
                }
                check_owned(cx, inner, "tools");
            }
            ParamKind::Flat(flat) => {
                if flat.ident.is_none() {
                    cx.error_spanned_by(
                        &param.original.pat,
                        "give this parameter a plain name: it is the argument's name in the \
                         input schema (or take all arguments as one struct with `Args<T>`)",
                    );
                }
                check_owned(cx, &param.original.ty, "tools");
            }
        }
        if let (
            Some(description),
            ParamKind::Context | ParamKind::ContextRef | ParamKind::Args { .. },
        ) = (&param.description, &param.kind)
        {
            cx.error_spanned_by(
                description.attr,
                "only arguments have descriptions; describe the fields of an `Args<T>` \
                 struct with doc comments on the fields",
            );
        }
    }
    if let Some(ParamKind::Args { inner }) = args.map(|args| &args.kind) {
        let inner = inner.to_token_stream().to_string().replace(' ', "");
        for param in params {
            if let ParamKind::Flat(_) = param.kind {
                cx.error_spanned_by(
                    param.original,
                    format_args!(
                        "a tool with an `Args<T>` parameter takes all its arguments from `T`; \
                         make this parameter a field of `{inner}`"
                    ),
                );
            }
        }
    }
}

fn check_structured(cx: &Ctxt, tool: &Tool<'_>) {
    if let (Some(word), Output::Unit) = (&tool.args.structured, &tool.method.output) {
        cx.error_spanned_by(
            word,
            "a structured tool returns a value: `T` or `Result<T, E>`, with \
             `T: Serialize + JsonSchema`",
        );
    }
}

fn check_local(cx: &Ctxt, tool: &Tool<'_>) {
    if let (Some(word), false) = (&tool.args.local, tool.method.is_async()) {
        cx.error_spanned_by(
            word,
            "`local` is for `async` tools whose future is not `Send`; this tool is not \
             `async`: remove `local`",
        );
    }
}
