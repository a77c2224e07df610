//! Procedural macros for [`mcp_runtime`](https://docs.rs/mcp-runtime): `#[mcp_server]`, and
//! `#[tool]`, `#[resource]` and `#[prompt]` on its methods. Use them through `mcp_runtime`,
//! which re-exports them and provides the code they expand to.
//!
//! Each expansion goes through four phases, one module each: the input is read into a typed
//! model (`ast`, `attr`), checked (`valid`) and expanded (`expand`). Errors are collected
//! (`ctxt`) and reported together, with the user's code still emitted (`fallback`).
//! The method attributes are inert inside `#[mcp_server]` (`inert`).

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod inert;
mod private;
mod template;
#[cfg(test)]
mod tests;
mod valid;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use syn::Item;

use crate::ast::Server;
use crate::ctxt::Ctxt;

/// Implements `mcp_runtime::MCPServer` for the type of an inherent `impl` block, with its
/// `#[tool]`, `#[resource]` and `#[prompt]` methods as the server's tools, resources and
/// prompts. One block per type has the attribute; the type's other impl blocks are plain, and
/// handlers may call their methods.
///
/// Arguments, all optional:
/// - `name = "..."`, `version = "..."`: the server's name and version (default: the crate's
///   `CARGO_PKG_NAME` and `CARGO_PKG_VERSION`);
/// - `title = "..."`, `description = "..."`, `website_url = "..."`, and `icon = "https://..."`
///   or `icon(src = "...", mime_type = "...", sizes = "48x48 96x96", theme = "dark")` (repeat for
///   several): how clients present the server (`serverInfo`);
/// - `instructions = "..."`: usage hints for the model;
/// - `crate = path`: where `mcp_runtime` is, when it is not `::mcp_runtime`.
///
/// The capabilities follow from what the block has: `tools`, `resources` (with `subscribe`),
/// `prompts`, `completions` (when a `complete(...)` names a method) and `logging`.
#[proc_macro_attribute]
pub fn mcp_server(args: TokenStream, input: TokenStream) -> TokenStream {
    mcp_server_impl(args.into(), input.into()).into()
}

fn mcp_server_impl(args: TokenStream2, input: TokenStream2) -> TokenStream2 {
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(item) => item,
        Err(error) => return fallback::unparsed(input, error),
    };
    let item = match item {
        Item::Impl(item) if item.trait_.is_none() => item,
        other => return fallback::other_item(&other, valid::not_an_inherent_impl(&other)),
    };
    let cx = Ctxt::new();
    let server = Server::from_syn(&cx, args, &item);
    valid::check(&cx, &server);
    match cx.check() {
        Ok(()) => expand::server(&server),
        Err(error) => fallback::server(&item, server.args.krate.as_ref(), error),
    }
}

/// Marks a method of an `#[mcp_server]` impl block as a tool.
///
/// Arguments, all optional:
/// - `name = "..."`: the tool's name (default: the method's name);
/// - `description = "..."`: what it does, for the model (default: the doc comment);
/// - `title = "..."`: a display name;
/// - `read_only`, `destructive`, `idempotent`, `open_world`: behaviour hints (each may also
///   be written `= true` or `= false`);
/// - `structured`: the value returned (`T`, or `T` of `Result<T, E>`) is structured content,
///   with an `outputSchema`; `T: Serialize + JsonSchema`. Returning `Json<T>` does the same
///   without the flag;
/// - `local`: for an `async` tool whose future is not `Send` (it holds an `Rc`, a `RefCell`
///   borrow or a lock guard across an `.await`): it runs on a thread of its own, on a clone of
///   the server (`Self: Clone`);
/// - `task = "optional" | "required" | "forbidden"`: whether calls may run as tasks
///   (`execution.taskSupport`, the 2026-07-28 tasks extension): `optional` makes a task of a
///   call that runs long, `required` of every call; the method stays an ordinary `async fn`;
/// - `icon = "https://..."` or `icon(src = "...", mime_type = "...", sizes = "48x48 any",
///   theme = "light" | "dark")`, repeatable;
/// - `scopes = ["..."]`: the OAuth scopes a caller needs;
/// - `app = "ui://..."`: the interactive view that renders the tool's results (MCP Apps,
///   `_meta.ui.resourceUri`), an `#[resource(uri = "ui://...", app)]` of the same impl block;
/// - `visibility = ["model", "app"]`: who may call the tool (`_meta.ui.visibility`): the model,
///   the server's app views, or both (the default).
///
/// Parameters are arguments, described with doc comments or `#[arg(description = "...")]`
/// and renamed with `#[arg(name = "...")]`; `ctx: Context` is the request's context.
/// Outside an `#[mcp_server]` impl block, `#[tool]` is an error.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    inert::tool(args.into(), input.into()).into()
}

/// Marks a method of an `#[mcp_server]` impl block as a resource, or as a resource template
/// when its URI has `{param}`s.
///
/// Arguments:
/// - `uri = "..."` (required): the URI, or an RFC 6570 template of `{name}` (one path
///   segment) and `{+name}` (may contain `/`) expressions;
/// - `name = "..."`: the resource's name (default: the method's name);
/// - `description = "..."`: what it holds (default: the doc comment);
/// - `title = "..."`, `mime_type = "..."`, `icon = ...` (as for `#[tool]`);
/// - `complete(param = method, ...)`: the method of the same impl block that suggests values
///   for a template parameter;
/// - `scopes = ["..."]`: the OAuth scopes a caller needs;
/// - `app`: the resource is an MCP App's view, a `ui://` URI served as
///   `text/html;profile=mcp-app`; `app(prefers_border, domain = "...", csp(connect_domains =
///   [...], resource_domains = [...], frame_domains = [...], base_uri_domains = [...]),
///   permissions(camera, microphone, geolocation, clipboard_write))` gives its sandbox
///   (`_meta.ui`, on its `resources/list` entry and on its contents).
///
/// Each `{param}` is bound to the method parameter of that name (or
/// `#[arg(name = "param")]`), parsed with `FromStr`; a value that does not parse means the
/// URI does not match this template. The method may also take `ctx: Context`.
/// Outside an `#[mcp_server]` impl block, `#[resource]` is an error.
#[proc_macro_attribute]
pub fn resource(args: TokenStream, input: TokenStream) -> TokenStream {
    inert::resource(args.into(), input.into()).into()
}

/// Marks a method of an `#[mcp_server]` impl block as a prompt.
///
/// Arguments, all optional:
/// - `name = "..."`: the prompt's name (default: the method's name);
/// - `description = "..."`: what it is for (default: the doc comment);
/// - `title = "..."`, `icon = ...` (as for `#[tool]`);
/// - `complete(argument = method, ...)`: the method of the same impl block that suggests
///   values for an argument.
///
/// Parameters are the prompt's arguments: `T` is required and `Option<T>` optional, parsed
/// from the client's strings with `FromStr`; they are described with doc comments or
/// `#[arg(description = "...")]` and renamed with `#[arg(name = "...")]`. The method may also
/// take `ctx: Context`. Outside an `#[mcp_server]` impl block, `#[prompt]` is an error.
#[proc_macro_attribute]
pub fn prompt(args: TokenStream, input: TokenStream) -> TokenStream {
    inert::prompt(args.into(), input.into()).into()
}
