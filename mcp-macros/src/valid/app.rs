//! The rules of MCP Apps: a tool's `app = "ui://..."` names an `app` resource of the same
//! impl block, and an app resource has a fixed `ui://` URI served as the app MIME type.

use crate::ast::{Resource, Server, Tool};
use crate::ctxt::Ctxt;

/// The MIME type of an app's HTML (`mcp_runtime::protocol::APP_MIME_TYPE`).
pub(crate) const APP_MIME_TYPE: &str = "text/html;profile=mcp-app";

/// Whether `uri` is a `ui://` URI (with something after the scheme).
fn is_ui_uri(uri: &str) -> bool {
    uri.strip_prefix("ui://")
        .is_some_and(|rest| !rest.is_empty())
}

/// Whether `resource` is a valid app: `app`, with a fixed `ui://` URI.
fn is_app(resource: &Resource<'_>) -> bool {
    resource.args.app.is_some()
        && resource.args.uri.is_some()
        && !resource.is_template()
        && is_ui_uri(&resource.uri)
}

/// `app = "..."` links a `ui://` URI that an `#[resource(uri = "...", app)]` of this impl
/// block serves.
pub(super) fn check_tool_app(cx: &Ctxt, server: &Server<'_>, tool: &Tool<'_>) {
    let Some(lit) = &tool.args.app else {
        return;
    };
    let uri = lit.value();
    if !is_ui_uri(&uri) {
        cx.error_spanned_by(
            lit,
            format_args!(
                "`{uri}` is not an app: an app is a `ui://` resource of this impl block; link \
                 one with `app = \"ui://...\"`, served by a `#[resource(uri = \"ui://...\", \
                 app)]` method"
            ),
        );
        return;
    }
    let same_uri = server
        .resources
        .iter()
        .find(|r| r.args.uri.is_some() && r.uri == uri);
    match same_uri {
        Some(resource) if resource.args.app.is_some() => {}
        Some(resource) => cx.error_spanned_by(
            lit,
            format_args!(
                "`{uri}` is not an app resource: add `app` to the attribute of `{}`, \
                 `#[resource(uri = \"{uri}\", app)]`, so that it is served as `{APP_MIME_TYPE}`",
                resource.method.ident()
            ),
        ),
        None => {
            let apps: Vec<String> = server
                .resources
                .iter()
                .filter(|r| is_app(r))
                .map(|r| format!("`{}`", r.uri))
                .collect();
            let others = match apps.len() {
                0 => String::new(),
                _ => format!(" (the apps of this impl block: {})", apps.join(", ")),
            };
            cx.error_spanned_by(
                lit,
                format_args!(
                    "no app `{uri}` in this impl block: add a method that returns the app's \
                     HTML, marked `#[resource(uri = \"{uri}\", app)]`, or link an app it \
                     has{others}"
                ),
            );
        }
    }
}

/// An `app` resource has a fixed `ui://` URI, and no other MIME type.
pub(super) fn check_app_resource(cx: &Ctxt, resource: &Resource<'_>) {
    if resource.args.app.is_none() {
        return;
    }
    if resource.is_template() {
        cx.error_at(
            resource.uri_span,
            "an app has a fixed URI, the one its tools link: remove the `{...}`s",
        );
    } else if !is_ui_uri(&resource.uri) {
        cx.error_at(
            resource.uri_span,
            format_args!(
                "an app's URI is a `ui://` URI, such as `ui://{}/view.html`",
                resource.method.name()
            ),
        );
    }
    if let Some(mime_type) = &resource.args.mime_type {
        if mime_type.value() != APP_MIME_TYPE {
            cx.error_spanned_by(
                mime_type,
                format_args!("an app is served as `{APP_MIME_TYPE}`: remove `mime_type`"),
            );
        }
    }
}
