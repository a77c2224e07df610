//! Procedural macros for [`mcp_runtime`](https://docs.rs/mcp-runtime): `#[mcp_server]` and
//! `#[tool]`. Use them through `mcp_runtime`, which re-exports them and provides the code they
//! expand to.
//!
//! Each expansion goes through four phases, one module each: the input is read into a typed
//! model (`ast`, `attr`), checked (`valid`) and expanded (`expand`). Errors are collected
//! (`ctxt`) and reported together, with the user's code still emitted (`fallback`).
//! `#[tool]` is inert inside `#[mcp_server]` (`inert`).

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod inert;
mod private;
#[cfg(test)]
mod tests;
mod valid;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use syn::Item;

use crate::ast::Server;
use crate::ctxt::Ctxt;

/// Implements `mcp_runtime::MCPServer` for the type of an inherent `impl` block, with its
/// `#[tool]` methods as the server's tools.
///
/// Arguments, all optional:
/// - `name = "..."`, `version = "..."`: the server's name and version (default: the crate's
///   `CARGO_PKG_NAME` and `CARGO_PKG_VERSION`);
/// - `instructions = "..."`: usage hints for the model;
/// - `crate = path`: where `mcp_runtime` is, when it is not `::mcp_runtime`.
///
/// See the `mcp_runtime` documentation for examples.
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
///   be written `= true` or `= false`).
///
/// Parameters are described with doc comments or `#[arg(description = "...")]`.
/// Outside an `#[mcp_server]` impl block, `#[tool]` is an error.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    inert::tool(args.into(), input.into()).into()
}
