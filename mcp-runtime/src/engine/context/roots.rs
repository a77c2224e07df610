//! Roots: the directories and files the client lets the server work on.

use serde_json::json;

use super::Context;
use crate::engine::PeerError;
use crate::protocol::{ListRootsResult, Root};

impl Context {
    /// Asks the client for its roots (`roots/list`).
    ///
    /// # Errors
    /// [`PeerError::MissingCapability`] when the client did not declare `roots`;
    /// [`PeerError::Malformed`] when the answer is not a `ListRootsResult`; and the errors of
    /// [`request`](Self::request).
    ///
    /// ```no_run
    /// use mcp_runtime::{mcp_server, tool, Context, PeerError};
    ///
    /// struct Indexer;
    ///
    /// #[mcp_server]
    /// impl Indexer {
    ///     /// List the folders the client shares.
    ///     #[tool]
    ///     async fn folders(&self, ctx: Context) -> Result<String, PeerError> {
    ///         let roots = ctx.list_roots().await?;
    ///         Ok(roots.iter().map(|r| r.uri.as_str()).collect::<Vec<_>>().join("\n"))
    ///     }
    /// }
    /// ```
    pub async fn list_roots(&self) -> Result<Vec<Root>, PeerError> {
        let answer = self
            .request_with_capability("roots", "roots/list", json!({}))
            .await?;
        serde_json::from_value::<ListRootsResult>(answer)
            .map(|result| result.roots)
            .map_err(|e| PeerError::Malformed(format!("roots/list: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_detached_context_has_no_roots() {
        assert_eq!(
            Context::detached().list_roots().await,
            Err(PeerError::MissingCapability("roots"))
        );
    }
}
