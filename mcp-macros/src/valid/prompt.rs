//! The rules of `#[prompt]` methods.

use super::completion::check_completions;
use super::{Seen, check_argument_names, check_context, check_owned, check_signature};
use crate::ast::{Output, ParamKind, Prompt, Server};
use crate::ctxt::Ctxt;

pub(super) fn check(cx: &Ctxt, server: &Server<'_>, prompt: &Prompt<'_>, seen: &mut Seen) {
    if prompt.name.is_empty() {
        cx.error_at(prompt.name_span, "a prompt's name cannot be empty");
    }
    if !seen.prompt_names.insert(prompt.name.clone()) {
        cx.error_at(
            prompt.name_span,
            format_args!(
                "duplicate prompt name `{}`; rename one with `#[prompt(name = \"...\")]`",
                prompt.name
            ),
        );
    }
    check_signature(cx, &prompt.method, "prompts");
    check_params(cx, prompt);
    if let Output::Unit = prompt.method.output {
        cx.error_spanned_by(
            &prompt.method.original.sig.ident,
            "a prompt returns its messages: `Vec<PromptMessage>`, a `String` (one user \
             message), `GetPromptResult`, or a `Result` of one of them",
        );
    }
    let arguments: Vec<String> = prompt
        .method
        .flat_params()
        .filter_map(|(param, _)| param.name())
        .collect();
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    check_completions(
        cx,
        server,
        &prompt.args.complete,
        &arguments,
        "this prompt has no argument",
        seen,
    );
}

fn check_params(cx: &Ctxt, prompt: &Prompt<'_>) {
    let params = &prompt.method.params;
    check_context(cx, params, "prompt");
    check_argument_names(cx, params, "prompt");
    for param in params {
        match &param.kind {
            ParamKind::Context | ParamKind::ContextRef => {
                if let Some(description) = &param.description {
                    cx.error_spanned_by(description.attr, "only arguments have descriptions");
                }
            }
            ParamKind::Args { .. } => cx.error_spanned_by(
                &param.original.ty,
                "a prompt takes its arguments one by one (`topic: String`, \
                 `style: Option<String>`), not as `Args<T>`",
            ),
            ParamKind::Flat(flat) => {
                if flat.ident.is_none() {
                    cx.error_spanned_by(
                        &param.original.pat,
                        "give this parameter a plain name: it is the argument's name",
                    );
                }
                check_owned(cx, &param.original.ty, "prompts");
            }
        }
    }
}
