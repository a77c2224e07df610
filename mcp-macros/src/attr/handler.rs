//! The arguments of the method attributes: `#[tool(...)]`, `#[resource(...)]` and
//! `#[prompt(...)]`, with the `icon` and `complete(...)` arguments they share.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, Ident, LitStr, Token};

use super::app::{AppArg, parse_visibility};
use super::{
    One, flag, lit_str, missing_value, parse_attr, path_name, scope_list, skip_value, unknown,
};
use crate::ctxt::Ctxt;

/// `#[tool(name = "...", description = "...", title = "...", read_only, destructive,
/// idempotent, open_world, structured, local, task = "...", icon = "...", scopes = [...],
/// app = "ui://...", visibility = [...], timeout = "30s")]`.
pub(crate) struct ToolArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    /// `structured` (or `structured = true`): the word, for errors.
    pub(crate) structured: Option<Ident>,
    /// `local` (or `local = true`): the future is not `Send`; the word, for errors.
    pub(crate) local: Option<Ident>,
    /// `task = "forbidden" | "optional" | "required"`: `execution.taskSupport`.
    pub(crate) task: Option<LitStr>,
    pub(crate) icons: Vec<IconArg>,
    /// `scopes = [...]`: the OAuth scopes a caller needs.
    pub(crate) scopes: Vec<LitStr>,
    /// `app = "ui://..."`: the view that renders the tool's results (MCP Apps).
    pub(crate) app: Option<LitStr>,
    /// `visibility = ["model", "app"]`: who may call the tool (MCP Apps).
    pub(crate) visibility: Option<Vec<LitStr>>,
    /// `timeout = "30s"`: how long a call may run, in milliseconds.
    pub(crate) timeout: Option<u64>,
}

/// The values of `task = "..."`, the spec's names for a tool's task support.
const TASK_SUPPORT: [&str; 3] = ["forbidden", "optional", "required"];

const TOOL_ARGS: &str = "`name`, `description`, `title`, `read_only`, `destructive`, \
                         `idempotent`, `open_world`, `structured`, `local`, `task`, `icon`, \
                         `scopes`, `app`, `visibility` and `timeout`";

impl ToolArgs {
    pub(crate) fn from_attr(cx: &Ctxt, attr: &Attribute) -> Self {
        let mut name = One::new("name");
        let mut description = One::new("description");
        let mut title = One::new("title");
        let mut read_only = One::new("read_only");
        let mut destructive = One::new("destructive");
        let mut idempotent = One::new("idempotent");
        let mut open_world = One::new("open_world");
        let mut structured = One::new("structured");
        let mut local = One::new("local");
        let mut task = One::new("task");
        let mut icons = Vec::new();
        let mut scopes = One::new("scopes");
        let mut app = One::new("app");
        let mut visibility = One::new("visibility");
        let mut timeout = One::new("timeout");
        parse_attr(cx, attr, "#[tool]", |meta| {
            let path = &meta.path;
            if path.is_ident("name") {
                name.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("description") {
                description.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("title") {
                title.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("read_only") {
                read_only.set(cx, path, flag(cx, &meta)?);
            } else if path.is_ident("destructive") {
                destructive.set(cx, path, flag(cx, &meta)?);
            } else if path.is_ident("idempotent") {
                idempotent.set(cx, path, flag(cx, &meta)?);
            } else if path.is_ident("open_world") {
                open_world.set(cx, path, flag(cx, &meta)?);
            } else if path.is_ident("structured") {
                let word = path.get_ident().cloned();
                structured.set(cx, path, flag(cx, &meta)?.map(|on| on.then_some(word)));
            } else if path.is_ident("local") {
                let word = path.get_ident().cloned();
                local.set(cx, path, flag(cx, &meta)?.map(|on| on.then_some(word)));
            } else if path.is_ident("task") {
                let value = lit_str(cx, &meta)?.filter(|lit| {
                    let known = TASK_SUPPORT.contains(&lit.value().as_str());
                    if !known {
                        cx.error_spanned_by(
                            lit,
                            "expected `task = \"optional\"` (a task when the call runs long), \
                             `\"required\"` (always a task) or `\"forbidden\"`",
                        );
                    }
                    known
                });
                task.set(cx, path, value);
            } else if path.is_ident("icon") {
                icons.extend(IconArg::parse(cx, &meta)?);
            } else if path.is_ident("scopes") {
                scopes.set(cx, path, scope_list(cx, &meta)?);
            } else if path.is_ident("app") {
                app.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("visibility") {
                visibility.set(cx, path, parse_visibility(cx, &meta)?);
            } else if path.is_ident("timeout") {
                let value =
                    lit_str(cx, &meta)?.and_then(|lit| match parse_duration(&lit.value()) {
                        Ok(ms) => Some(ms),
                        Err(why) => {
                            cx.error_spanned_by(&lit, why);
                            None
                        }
                    });
                timeout.set(cx, path, value);
            } else {
                unknown(cx, &meta, "#[tool]", TOOL_ARGS)?;
            }
            Ok(())
        });
        ToolArgs {
            name: name.value,
            description: description.value,
            title: title.value,
            read_only: read_only.value,
            destructive: destructive.value,
            idempotent: idempotent.value,
            open_world: open_world.value,
            structured: structured.value.flatten().flatten(),
            local: local.value.flatten().flatten(),
            task: task.value,
            icons,
            scopes: scopes.value.unwrap_or_default(),
            app: app.value,
            visibility: visibility.value,
            timeout: timeout.value,
        }
    }

    /// Whether any annotation (a hint or the title) is set.
    pub(crate) fn has_annotations(&self) -> bool {
        self.title.is_some()
            || self.read_only.is_some()
            || self.destructive.is_some()
            || self.idempotent.is_some()
            || self.open_world.is_some()
    }
}

/// A duration as `timeout = "..."` writes it, in milliseconds: a whole number and one unit,
/// `ms`, `s`, `m` or `h` (`"500ms"`, `"30s"`, `"2m"`). `Err` says what is wrong and how to fix
/// it.
pub(crate) fn parse_duration(text: &str) -> Result<u64, String> {
    const HOW: &str = "write a whole number and a unit, `ms`, `s`, `m` or `h`: `timeout = \"30s\"`";
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ if number.is_empty() => return Err(format!("invalid duration {text:?}: {HOW}")),
        "" => return Err(format!("duration {text:?} has no unit: {HOW}")),
        fraction if fraction.starts_with('.') => {
            return Err(format!(
                "duration {text:?} is not a whole number: use a smaller unit (`\"1500ms\"` for 1.5 s)"
            ));
        }
        other => return Err(format!("unknown unit {other:?} in {text:?}: {HOW}")),
    };
    let ms = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("duration {text:?} is too long: {HOW}"))?;
    if ms == 0 {
        return Err(format!(
            "a timeout of {text:?} would fail every call; give a duration above zero, or leave `timeout` out for none"
        ));
    }
    Ok(ms)
}

/// `#[resource(uri = "...", name = "...", title = "...", description = "...",
/// mime_type = "...", icon = "...", audience = "user", priority = 0.5,
/// complete(param = method), scopes = [...], app)]`.
pub(crate) struct ResourceArgs {
    /// `None` only after an error was recorded.
    pub(crate) uri: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) mime_type: Option<LitStr>,
    pub(crate) icons: Vec<IconArg>,
    /// `user` and/or `assistant`.
    pub(crate) audience: Vec<String>,
    pub(crate) priority: Option<f64>,
    pub(crate) complete: Vec<CompleteArg>,
    /// `scopes = [...]`: the OAuth scopes a caller needs.
    pub(crate) scopes: Vec<LitStr>,
    /// `app` or `app(...)`: the resource is an app's view (MCP Apps).
    pub(crate) app: Option<AppArg>,
}

const RESOURCE_ARGS: &str = "`uri`, `name`, `title`, `description`, `mime_type`, `icon`, \
                             `audience`, `priority`, `complete`, `scopes` and `app`";

impl ResourceArgs {
    pub(crate) fn from_attr(cx: &Ctxt, attr: &Attribute) -> Self {
        let mut uri = One::new("uri");
        let mut name = One::new("name");
        let mut title = One::new("title");
        let mut description = One::new("description");
        let mut mime_type = One::new("mime_type");
        let mut icons = Vec::new();
        let mut audience = One::new("audience");
        let mut priority = One::new("priority");
        let mut complete = Vec::new();
        let mut scopes = One::new("scopes");
        let mut app = One::new("app");
        parse_attr(cx, attr, "#[resource]", |meta| {
            let path = &meta.path;
            if path.is_ident("uri") {
                uri.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("name") {
                name.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("title") {
                title.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("description") {
                description.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("mime_type") {
                mime_type.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("icon") {
                icons.extend(IconArg::parse(cx, &meta)?);
            } else if path.is_ident("audience") {
                audience.set(cx, path, parse_audience(cx, &meta)?);
            } else if path.is_ident("priority") {
                priority.set(cx, path, parse_priority(cx, &meta)?);
            } else if path.is_ident("complete") {
                CompleteArg::parse(cx, &meta, &mut complete)?;
            } else if path.is_ident("scopes") {
                scopes.set(cx, path, scope_list(cx, &meta)?);
            } else if path.is_ident("app") {
                app.set(cx, path, AppArg::parse(cx, &meta)?);
            } else {
                unknown(cx, &meta, "#[resource]", RESOURCE_ARGS)?;
            }
            Ok(())
        });
        if uri.value.is_none() && !uri_was_given(attr) {
            cx.error_spanned_by(
                attr,
                "a resource needs a URI: `#[resource(uri = \"scheme://path\")]`, with \
                 `{param}`s for a template",
            );
        }
        ResourceArgs {
            uri: uri.value,
            name: name.value,
            title: title.value,
            description: description.value,
            mime_type: mime_type.value,
            icons,
            audience: audience.value.unwrap_or_default(),
            priority: priority.value,
            complete,
            scopes: scopes.value.unwrap_or_default(),
            app: app.value,
        }
    }
}

/// `audience = "user"`, `"assistant"` or `"user assistant"`.
fn parse_audience(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Vec<String>>> {
    let Some(lit) = lit_str(cx, meta)? else {
        return Ok(None);
    };
    let roles: Vec<String> = lit
        .value()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|role| !role.is_empty())
        .map(str::to_owned)
        .collect();
    if roles.is_empty() || roles.iter().any(|r| r != "user" && r != "assistant") {
        cx.error_spanned_by(
            &lit,
            "expected `audience = \"user\"`, `\"assistant\"` or `\"user assistant\"`",
        );
        return Ok(None);
    }
    Ok(Some(roles))
}

/// `priority = 0.5`: a number from 0 (optional) to 1 (required).
fn parse_priority(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<f64>> {
    let usage = "expected `priority = 0.0` to `1.0` (how much the resource matters)";
    if !meta.input.peek(Token![=]) {
        return missing_value(cx, meta, usage).map(|()| None);
    }
    let expr = meta.value()?.parse::<syn::Expr>()?;
    let value = match &expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(f),
            ..
        }) => f.base10_parse::<f64>().ok(),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<u8>().ok().map(f64::from),
        _ => None,
    };
    match value {
        Some(p) if (0.0..=1.0).contains(&p) => Ok(Some(p)),
        _ => {
            cx.error_spanned_by(&expr, usage);
            Ok(None)
        }
    }
}

/// Whether `uri` appears among the arguments at all (a bad value was already reported).
fn uri_was_given(attr: &Attribute) -> bool {
    let mut given = false;
    if let syn::Meta::List(list) = &attr.meta {
        let _ = list.parse_nested_meta(|meta| {
            given |= meta.path.is_ident("uri");
            skip_value(&meta)
        });
    }
    given
}

/// `#[prompt(name = "...", title = "...", description = "...", icon = "...",
/// complete(argument = method))]`.
pub(crate) struct PromptArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) icons: Vec<IconArg>,
    pub(crate) complete: Vec<CompleteArg>,
    /// `scopes = [...]`: the OAuth scopes a caller needs.
    pub(crate) scopes: Vec<LitStr>,
}

const PROMPT_ARGS: &str = "`name`, `title`, `description`, `icon`, `complete` and `scopes`";

impl PromptArgs {
    pub(crate) fn from_attr(cx: &Ctxt, attr: &Attribute) -> Self {
        let mut name = One::new("name");
        let mut title = One::new("title");
        let mut description = One::new("description");
        let mut icons = Vec::new();
        let mut complete = Vec::new();
        let mut scopes = One::new("scopes");
        parse_attr(cx, attr, "#[prompt]", |meta| {
            let path = &meta.path;
            if path.is_ident("name") {
                name.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("title") {
                title.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("description") {
                description.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("icon") {
                icons.extend(IconArg::parse(cx, &meta)?);
            } else if path.is_ident("complete") {
                CompleteArg::parse(cx, &meta, &mut complete)?;
            } else if path.is_ident("scopes") {
                scopes.set(cx, path, scope_list(cx, &meta)?);
            } else {
                unknown(cx, &meta, "#[prompt]", PROMPT_ARGS)?;
            }
            Ok(())
        });
        PromptArgs {
            name: name.value,
            title: title.value,
            description: description.value,
            icons,
            complete,
            scopes: scopes.value.unwrap_or_default(),
        }
    }
}

/// `icon = "src"` or `icon(src = "...", mime_type = "...", sizes = "48x48 96x96",
/// theme = "light" | "dark")`.
pub(crate) struct IconArg {
    pub(crate) src: LitStr,
    pub(crate) mime_type: Option<LitStr>,
    /// `sizes`, split at whitespace (as HTML's `sizes` attribute is).
    pub(crate) sizes: Vec<String>,
    /// `light` or `dark`.
    pub(crate) theme: Option<String>,
}

const ICON_ARGS: &str = "`src`, `mime_type`, `sizes` and `theme`";

impl IconArg {
    pub(super) fn parse(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Self>> {
        if meta.input.peek(Token![=]) {
            return Ok(lit_str(cx, meta)?.map(|src| IconArg {
                src,
                mime_type: None,
                sizes: Vec::new(),
                theme: None,
            }));
        }
        if !meta.input.peek(syn::token::Paren) {
            let message = "expected `icon = \"https://...\"` or `icon(src = \"...\", ...)`";
            return missing_value(cx, meta, message).map(|()| None);
        }
        let mut src = One::new("src");
        let mut mime_type = One::new("mime_type");
        let mut sizes = One::new("sizes");
        let mut theme = One::new("theme");
        meta.parse_nested_meta(|meta| {
            let path = &meta.path;
            if path.is_ident("src") {
                src.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("mime_type") {
                mime_type.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("sizes") {
                sizes.set(cx, path, lit_str(cx, &meta)?);
            } else if path.is_ident("theme") {
                let value = lit_str(cx, &meta)?.and_then(|lit| match lit.value().as_str() {
                    theme @ ("light" | "dark") => Some(theme.to_owned()),
                    _ => {
                        cx.error_spanned_by(&lit, "expected `theme = \"light\"` or `\"dark\"`");
                        None
                    }
                });
                theme.set(cx, path, value);
            } else {
                unknown(cx, &meta, "icon(...)", ICON_ARGS)?;
            }
            Ok(())
        })?;
        let Some(src) = src.value else {
            cx.error_spanned_by(&meta.path, "an icon needs `src = \"https://...\"`");
            return Ok(None);
        };
        Ok(Some(IconArg {
            src,
            mime_type: mime_type.value,
            sizes: sizes
                .value
                .map(|s| s.value().split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            theme: theme.value,
        }))
    }
}

/// One `argument = method` of `complete(...)`.
pub(crate) struct CompleteArg {
    /// The prompt argument or template parameter.
    pub(crate) argument: Ident,
    /// The method of the impl block that suggests its values.
    pub(crate) method: Ident,
}

impl CompleteArg {
    /// The argument's name as clients send it (`r#type` is `type`).
    pub(crate) fn name(&self) -> String {
        syn::ext::IdentExt::unraw(&self.argument).to_string()
    }

    fn parse(cx: &Ctxt, meta: &ParseNestedMeta, into: &mut Vec<CompleteArg>) -> syn::Result<()> {
        let usage = "expected `complete(argument = method, ...)`, naming a method of this impl \
                     block for each argument";
        if !meta.input.peek(syn::token::Paren) {
            if meta.input.peek(Token![=]) {
                cx.error_spanned_by(&meta.path, usage);
                return skip_value(meta);
            }
            return missing_value(cx, meta, usage);
        }
        meta.parse_nested_meta(|entry| {
            let Some(argument) = entry.path.get_ident().cloned() else {
                cx.error_spanned_by(&entry.path, "expected the name of an argument");
                return skip_value(&entry);
            };
            if !entry.input.peek(Token![=]) {
                cx.error_spanned_by(
                    &entry.path,
                    format_args!(
                        "expected `{} = method`, the method that suggests its values",
                        path_name(&entry.path)
                    ),
                );
                return skip_value(&entry);
            }
            let method = match entry.value()?.parse::<Expr>()? {
                Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                    path.path.get_ident().cloned()
                }
                other => {
                    cx.error_spanned_by(
                        other,
                        "expected the name of a method of this impl block, such as \
                         `complete_city`",
                    );
                    None
                }
            };
            if into.iter().any(|c| c.argument == argument) {
                cx.error_spanned_by(
                    &argument,
                    format_args!("duplicate completion for `{argument}`"),
                );
            } else if let Some(method) = method {
                into.push(CompleteArg { argument, method });
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn tool(attr: &Attribute) -> (ToolArgs, Vec<String>) {
        let cx = Ctxt::new();
        let parsed = ToolArgs::from_attr(&cx, attr);
        (parsed, cx.messages())
    }

    fn resource(attr: &Attribute) -> (ResourceArgs, Vec<String>) {
        let cx = Ctxt::new();
        let parsed = ResourceArgs::from_attr(&cx, attr);
        (parsed, cx.messages())
    }

    fn prompt(attr: &Attribute) -> (PromptArgs, Vec<String>) {
        let cx = Ctxt::new();
        let parsed = PromptArgs::from_attr(&cx, attr);
        (parsed, cx.messages())
    }

    #[test]
    fn tool_args() {
        let attr: Attribute = parse_quote!(#[tool(
            name = "add_numbers",
            description = "Adds.",
            title = "Add",
            read_only,
            destructive = false,
            idempotent = true,
            open_world,
            structured,
            local,
            task = "optional",
            icon = "https://example.com/add.png",
        )]);
        let (args, errs) = tool(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(args.name.as_ref().unwrap().value(), "add_numbers");
        assert_eq!(args.description.as_ref().unwrap().value(), "Adds.");
        assert_eq!(args.title.as_ref().unwrap().value(), "Add");
        assert_eq!(args.read_only, Some(true));
        assert_eq!(args.destructive, Some(false));
        assert_eq!(args.idempotent, Some(true));
        assert_eq!(args.open_world, Some(true));
        assert!(args.structured.is_some());
        assert!(args.local.is_some());
        assert_eq!(args.task.as_ref().unwrap().value(), "optional");
        assert_eq!(args.icons.len(), 1);
        assert_eq!(args.icons[0].src.value(), "https://example.com/add.png");
        assert!(args.has_annotations());
        let attr: Attribute = parse_quote!(#[tool(structured = false)]);
        assert!(tool(&attr).0.structured.is_none());
    }

    #[test]
    fn bare_tool() {
        let attr: Attribute = parse_quote!(#[tool]);
        let (args, errs) = tool(&attr);
        assert!(errs.is_empty());
        assert!(args.name.is_none() && !args.has_annotations() && args.icons.is_empty());
    }

    #[test]
    fn tool_arg_errors() {
        let attr: Attribute = parse_quote!(#[tool(nam = "x", read_only = "yes", read_only, title)]);
        let (_, errs) = tool(&attr);
        assert_eq!(
            errs,
            [
                "unknown #[tool] argument `nam`; the arguments are `name`, `description`, \
                 `title`, `read_only`, `destructive`, `idempotent`, `open_world`, `structured`, \
                 `local`, `task`, `icon`, `scopes`, `app`, `visibility` and `timeout`",
                "expected `true` or `false`",
                "expected `title = \"...\"`",
            ]
        );
        let attr: Attribute = parse_quote!(#[tool = "x"]);
        assert_eq!(tool(&attr).1, ["expected `#[tool]` or `#[tool(...)]`"]);
    }

    #[test]
    fn task_support_values() {
        let attr: Attribute = parse_quote!(#[tool(task = "required")]);
        assert_eq!(tool(&attr).0.task.unwrap().value(), "required");
        let attr: Attribute = parse_quote!(#[tool(task = "never", task)]);
        let (args, errs) = tool(&attr);
        assert!(args.task.is_none());
        assert_eq!(
            errs,
            [
                "expected `task = \"optional\"` (a task when the call runs long), \
                 `\"required\"` (always a task) or `\"forbidden\"`",
                "expected `task = \"...\"`",
            ]
        );
    }

    #[test]
    fn tool_app_and_visibility() {
        let attr: Attribute =
            parse_quote!(#[tool(app = "ui://clock/view.html", visibility = ["app", "model"])]);
        let (args, errs) = tool(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(args.app.unwrap().value(), "ui://clock/view.html");
        let visibility: Vec<String> = args.visibility.unwrap().iter().map(LitStr::value).collect();
        assert_eq!(visibility, ["app", "model"]);
        let attr: Attribute = parse_quote!(#[tool(app, visibility = "app", visibility = [model])]);
        assert_eq!(
            tool(&attr).1,
            [
                "expected `app = \"...\"`",
                "expected `visibility = [\"model\", \"app\"]`: who may call the tool, the model \
                 (the host lists it to the agent) and/or the app (its view)",
                "expected a string literal",
            ]
        );
    }

    #[test]
    fn resource_app() {
        let attr: Attribute = parse_quote!(#[resource(uri = "ui://a", app)]);
        let (args, errs) = resource(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        assert!(!args.app.unwrap().has_meta());
        let attr: Attribute = parse_quote!(#[resource(uri = "ui://a", app(
            prefers_border,
            domain = "a.example.com",
            csp(resource_domains = ["https://cdn.example.com"], frame_domains = []),
            permissions(camera, clipboard_write),
        ))]);
        let (args, errs) = resource(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        let app = args.app.unwrap();
        assert!(app.has_meta());
        assert_eq!(app.prefers_border, Some(true));
        assert_eq!(app.domain.unwrap().value(), "a.example.com");
        let csp = app.csp.unwrap();
        assert_eq!(csp.resource_domains[0].value(), "https://cdn.example.com");
        assert!(csp.connect_domains.is_empty() && csp.frame_domains.is_empty());
        let permissions: Vec<String> = app
            .permissions
            .unwrap()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(permissions, ["camera", "clipboard_write"]);

        let attr: Attribute = parse_quote!(#[resource(uri = "ui://a", app = true)]);
        assert_eq!(
            resource(&attr).1,
            ["expected `app`, or `app(prefers_border, csp(...), ...)` with the view's sandbox"]
        );
        let attr: Attribute = parse_quote!(#[resource(uri = "ui://a", app(
            csp(connect = ["x"], connect_domains = [""]),
            permissions(camera, camera, microphone = true),
            csp,
        ))]);
        assert_eq!(
            resource(&attr).1,
            [
                "unknown csp(...) argument `connect`; the arguments are `connect_domains`, \
                 `resource_domains`, `frame_domains` and `base_uri_domains`",
                "an origin cannot be empty",
                "duplicate permission `camera`",
                "expected `microphone` alone: a permission is asked for by name",
                "expected `csp(connect_domains = [\"https://...\"], ...)`",
                "duplicate argument `csp`",
            ]
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("2m"), Ok(120_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        for bad in [
            "",
            "s",
            "30",
            "30 s",
            "1.5s",
            "30x",
            "-1s",
            "0s",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        let attr: Attribute = parse_quote!(#[tool(timeout = "30s")]);
        assert_eq!(tool(&attr).0.timeout, Some(30_000));
        let attr: Attribute = parse_quote!(#[tool(timeout = "30x")]);
        assert_eq!(
            tool(&attr).1,
            [
                "unknown unit \"x\" in \"30x\": write a whole number and a unit, `ms`, `s`, `m` or `h`: `timeout = \"30s\"`"
            ]
        );
    }

    #[test]
    fn duplicate_flag() {
        let attr: Attribute = parse_quote!(#[tool(read_only, read_only)]);
        assert_eq!(tool(&attr).1, ["duplicate argument `read_only`"]);
    }

    #[test]
    fn icons() {
        let attr: Attribute = parse_quote!(#[tool(
            icon = "a.png",
            icon(src = "b.svg", mime_type = "image/svg+xml", sizes = "any  48x48", theme = "dark"),
        )]);
        let (args, errs) = tool(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        let [a, b] = &args.icons[..] else {
            panic!("two icons")
        };
        assert_eq!(a.src.value(), "a.png");
        assert!(a.mime_type.is_none() && a.sizes.is_empty() && a.theme.is_none());
        assert_eq!(b.src.value(), "b.svg");
        assert_eq!(b.mime_type.as_ref().unwrap().value(), "image/svg+xml");
        assert_eq!(b.sizes, ["any", "48x48"]);
        assert_eq!(b.theme.as_deref(), Some("dark"));

        let attr: Attribute = parse_quote!(#[tool(
            icon(mime_type = "image/png"),
            icon(src = "c.png", theme = "blue", size = "1x1"),
            icon,
        )]);
        assert_eq!(
            tool(&attr).1,
            [
                "an icon needs `src = \"https://...\"`",
                "expected `theme = \"light\"` or `\"dark\"`",
                "unknown icon(...) argument `size`; the arguments are `src`, `mime_type`, \
                 `sizes` and `theme`",
                "expected `icon = \"https://...\"` or `icon(src = \"...\", ...)`",
            ]
        );
    }

    #[test]
    fn resource_args() {
        let attr: Attribute = parse_quote!(#[resource(
            uri = "test://items/{id}",
            name = "item",
            title = "Item",
            description = "One item.",
            mime_type = "application/json",
            icon = "i.png",
            complete(id = complete_id),
        )]);
        let (args, errs) = resource(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(args.uri.unwrap().value(), "test://items/{id}");
        assert_eq!(args.name.unwrap().value(), "item");
        assert_eq!(args.title.unwrap().value(), "Item");
        assert_eq!(args.description.unwrap().value(), "One item.");
        assert_eq!(args.mime_type.unwrap().value(), "application/json");
        assert_eq!(args.icons.len(), 1);
        let [complete] = &args.complete[..] else {
            panic!("one completion")
        };
        assert_eq!(
            (complete.name(), complete.method.to_string()),
            ("id".into(), "complete_id".into())
        );
    }

    #[test]
    fn resource_needs_a_uri() {
        let attr: Attribute = parse_quote!(#[resource(name = "x")]);
        assert_eq!(
            resource(&attr).1,
            [
                "a resource needs a URI: `#[resource(uri = \"scheme://path\")]`, with `{param}`s \
              for a template"
            ]
        );
        // A bad URI value is reported once, as a bad value.
        let attr: Attribute = parse_quote!(#[resource(uri = 5)]);
        assert_eq!(
            resource(&attr).1,
            ["expected a string literal: `uri = \"...\"`"]
        );
        let attr: Attribute = parse_quote!(#[resource(uri = "a://b", mime = "text/plain")]);
        assert_eq!(
            resource(&attr).1,
            [
                "unknown #[resource] argument `mime`; the arguments are `uri`, `name`, `title`, \
              `description`, `mime_type`, `icon`, `audience`, `priority`, `complete`, `scopes` \
              and `app`"
            ]
        );
    }

    #[test]
    fn resource_annotations_are_checked() {
        let attr: Attribute =
            parse_quote!(#[resource(uri = "a://b", audience = "user, assistant", priority = 1)]);
        let (args, errors) = resource(&attr);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(args.audience, ["user", "assistant"]);
        assert_eq!(args.priority, Some(1.0));
        let attr: Attribute =
            parse_quote!(#[resource(uri = "a://b", audience = "users", priority = 1.5)]);
        assert_eq!(
            resource(&attr).1,
            [
                "expected `audience = \"user\"`, `\"assistant\"` or `\"user assistant\"`",
                "expected `priority = 0.0` to `1.0` (how much the resource matters)"
            ]
        );
        let attr: Attribute = parse_quote!(#[resource(uri = "a://b", priority = "high")]);
        assert_eq!(
            resource(&attr).1,
            ["expected `priority = 0.0` to `1.0` (how much the resource matters)"]
        );
    }

    #[test]
    fn prompt_args_and_completions() {
        let attr: Attribute = parse_quote!(#[prompt(
            name = "greet",
            title = "Greeting",
            description = "Say hello.",
            complete(who = complete_who, r#type = complete_type),
            complete(lang = complete_lang),
        )]);
        let (args, errs) = prompt(&attr);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(args.name.unwrap().value(), "greet");
        assert_eq!(args.title.unwrap().value(), "Greeting");
        assert_eq!(args.description.unwrap().value(), "Say hello.");
        let names: Vec<_> = args.complete.iter().map(CompleteArg::name).collect();
        assert_eq!(names, ["who", "type", "lang"]);

        let attr: Attribute = parse_quote!(#[prompt(
            complete(who = "complete_who", lang, who = a, who = b, x::y = c),
            complete = f,
            uri = "x",
        )]);
        assert_eq!(
            prompt(&attr).1,
            [
                "expected the name of a method of this impl block, such as `complete_city`",
                "expected `lang = method`, the method that suggests its values",
                "duplicate completion for `who`",
                "expected the name of an argument",
                "expected `complete(argument = method, ...)`, naming a method of this impl \
                 block for each argument",
                "unknown #[prompt] argument `uri`; the arguments are `name`, `title`, \
                 `description`, `icon`, `complete` and `scopes`",
            ]
        );
    }
}
