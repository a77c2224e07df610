//! The path generated code calls into: `::mcp_runtime::__private`, or `<crate>::__private`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};

/// Renders as the path of the runtime's private module.
#[derive(Clone)]
pub(crate) struct Private {
    krate: Option<syn::Path>,
}

impl Private {
    /// `krate` is the `crate = path` override, if the user gave one.
    pub(crate) fn new(krate: Option<syn::Path>) -> Self {
        Private { krate }
    }
}

impl Private {
    /// The same path with every token at `span`, so that an error in a call through it
    /// points at the user's tokens rather than at the attribute.
    pub(crate) fn at(&self, span: Span) -> TokenStream {
        respan(self.to_token_stream(), span)
    }
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                token = TokenTree::Group(respanned);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

impl ToTokens for Private {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match &self.krate {
            Some(krate) => tokens.extend(quote!(#krate::__private)),
            None => tokens.extend(quote!(::mcp_runtime::__private)),
        }
    }
}
