//! What the test client answers when a tool asks it something: sampling, elicitation, roots.

use std::future::Future;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::engine::BoxFuture;
use crate::handler::error::McpError;
use crate::protocol::{
    ClientCapabilities, CreateMessageRequest, CreateMessageResult, ElicitFormParams, ElicitResult,
    ElicitUrlParams, ErrorObject, ListRootsResult, Root,
};

type Answer<T> = BoxFuture<'static, Result<T, McpError>>;
type SamplingFn = Arc<dyn Fn(CreateMessageRequest) -> Answer<CreateMessageResult> + Send + Sync>;
type ElicitationFn = Arc<dyn Fn(ElicitationRequest) -> Answer<ElicitResult> + Send + Sync>;
type RootsFn = Arc<dyn Fn() -> Answer<Vec<Root>> + Send + Sync>;

/// An `elicitation/create` request as the test client's handler sees it: a form to fill in,
/// or a URL to visit.
///
/// ```
/// use mcp_runtime::testing::ElicitationRequest;
/// use mcp_runtime::protocol::ElicitUrlParams;
///
/// let request = ElicitationRequest::Url(ElicitUrlParams::new("Sign in", "https://example.com", "e-1"));
/// assert_eq!(request.message(), "Sign in");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ElicitationRequest {
    /// Form mode: a message and the flat schema of the form.
    Form(ElicitFormParams),
    /// URL mode: the user completes the interaction in a browser.
    Url(ElicitUrlParams),
}

impl ElicitationRequest {
    /// What is asked, as the user would read it.
    pub fn message(&self) -> &str {
        match self {
            ElicitationRequest::Form(form) => &form.message,
            ElicitationRequest::Url(url) => &url.message,
        }
    }

    fn parse(params: Value) -> Result<Self, serde_json::Error> {
        if params.get("mode").and_then(Value::as_str) == Some("url") {
            serde_json::from_value(params).map(ElicitationRequest::Url)
        } else {
            serde_json::from_value(params).map(ElicitationRequest::Form)
        }
    }
}

/// The client's side of server-to-client requests: one optional handler per kind. A kind
/// with a handler is declared in the client's capabilities; one without is not, so the
/// server never asks it.
#[derive(Clone, Default)]
pub(super) struct Handlers {
    sampling: Option<SamplingFn>,
    elicitation: Option<ElicitationFn>,
    roots: Option<RootsFn>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handlers")
            .field("sampling", &self.sampling.is_some())
            .field("elicitation", &self.elicitation.is_some())
            .field("roots", &self.roots.is_some())
            .finish()
    }
}

impl Handlers {
    pub(super) fn set_sampling<F, Fut>(&mut self, handler: F)
    where
        F: Fn(CreateMessageRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, McpError>> + Send + 'static,
    {
        self.sampling = Some(Arc::new(move |request| Box::pin(handler(request))));
    }

    pub(super) fn set_elicitation<F, Fut>(&mut self, handler: F)
    where
        F: Fn(ElicitationRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, McpError>> + Send + 'static,
    {
        self.elicitation = Some(Arc::new(move |request| Box::pin(handler(request))));
    }

    pub(super) fn set_roots<F, Fut>(&mut self, handler: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Root>, McpError>> + Send + 'static,
    {
        self.roots = Some(Arc::new(move || Box::pin(handler())));
    }

    /// What the client declares: the kinds it has a handler for (elicitation in both modes).
    pub(super) fn capabilities(&self) -> ClientCapabilities {
        let mut declared = Map::new();
        if self.sampling.is_some() {
            declared.insert("sampling".into(), json!({}));
        }
        if self.elicitation.is_some() {
            declared.insert("elicitation".into(), json!({"form": {}, "url": {}}));
        }
        if self.roots.is_some() {
            declared.insert("roots".into(), json!({}));
        }
        ClientCapabilities(declared)
    }

    /// The client's answer to the server's request `method`: its result, or the error the
    /// client sends back (-32601 for a kind it has no handler for, -32602 for params it
    /// cannot read).
    pub(super) async fn answer(&self, method: &str, params: Value) -> Result<Value, McpError> {
        let result = match method {
            "sampling/createMessage" => {
                let handler = self.sampling.as_ref().ok_or_else(|| unsupported(method))?;
                let request = serde_json::from_value(params).map_err(McpError::invalid_params)?;
                serde_json::to_value(handler(request).await?)
            }
            "elicitation/create" => {
                let handler = self
                    .elicitation
                    .as_ref()
                    .ok_or_else(|| unsupported(method))?;
                let request =
                    ElicitationRequest::parse(params).map_err(McpError::invalid_params)?;
                serde_json::to_value(handler(request).await?)
            }
            "roots/list" => {
                let handler = self.roots.as_ref().ok_or_else(|| unsupported(method))?;
                serde_json::to_value(ListRootsResult {
                    roots: handler().await?,
                })
            }
            "ping" => Ok(json!({})),
            other => return Err(unsupported(other)),
        };
        result.map_err(McpError::internal)
    }
}

fn unsupported(method: &str) -> McpError {
    McpError(ErrorObject::method_not_found(method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elicitation_requests_read_their_mode() {
        let url =
            json!({"mode": "url", "message": "Go", "url": "https://e.x", "elicitationId": "1"});
        assert!(matches!(
            ElicitationRequest::parse(url),
            Ok(ElicitationRequest::Url(u)) if u.elicitation_id == "1"
        ));
        let form = json!({"message": "Name?", "requestedSchema": {"type": "object"}});
        assert!(matches!(
            ElicitationRequest::parse(form),
            Ok(ElicitationRequest::Form(f)) if f.message == "Name?"
        ));
    }

    #[tokio::test]
    async fn kinds_without_a_handler_are_not_declared_and_answer_method_not_found() {
        let mut handlers = Handlers::default();
        handlers.set_roots(|| async { Ok(vec![]) });
        assert_eq!(
            handlers.capabilities().0.keys().collect::<Vec<_>>(),
            ["roots"]
        );
        let error = handlers
            .answer("sampling/createMessage", json!({}))
            .await
            .unwrap_err();
        assert_eq!(error.code(), -32601);
        let roots = handlers.answer("roots/list", json!({})).await.unwrap();
        assert_eq!(roots, json!({"roots": []}));
    }
}
