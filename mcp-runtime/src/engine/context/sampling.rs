//! Sampling: asking the client's model for a completion.

use super::Context;
use super::elicitation::to_params;
use crate::engine::PeerError;
use crate::protocol::{
    ClientCapabilities, CreateMessageRequest, CreateMessageResult, IncludeContext,
};

impl Context {
    /// Asks the client to sample its model (`sampling/createMessage`) and returns the answer.
    ///
    /// # Errors
    /// [`PeerError::MissingCapability`] when the client did not declare `sampling` (or
    /// `sampling.tools` for a request with tools, `sampling.context` for one that includes
    /// server context); [`PeerError::Malformed`] when the answer is not a
    /// `CreateMessageResult`; and the errors of [`request`](Self::request).
    ///
    /// ```no_run
    /// use mcp_runtime::protocol::{CreateMessageRequest, ModelPreferences};
    /// use mcp_runtime::{mcp_server, tool, Context, PeerError};
    ///
    /// struct Poet;
    ///
    /// #[mcp_server]
    /// impl Poet {
    ///     /// Write a haiku about `topic`.
    ///     #[tool]
    ///     async fn haiku(&self, topic: String, ctx: Context) -> Result<String, PeerError> {
    ///         let request = CreateMessageRequest::new(200)
    ///             .system_prompt("You write haiku.")
    ///             .user_text(format!("A haiku about {topic}"))
    ///             .model_preferences(ModelPreferences::new().hint("sonnet"))
    ///             .temperature(0.9);
    ///         let answer = ctx.create_message(request).await?;
    ///         Ok(answer.text().unwrap_or_default())
    ///     }
    /// }
    /// ```
    pub async fn create_message(
        &self,
        request: CreateMessageRequest,
    ) -> Result<CreateMessageResult, PeerError> {
        if let Err(PeerError::MissingCapability(capability)) =
            check_sampling(self.client_capabilities(), &request)
        {
            return Err(self.missing_capability(capability).await);
        }
        let answer = self
            .request("sampling/createMessage", to_params(&request))
            .await?;
        serde_json::from_value(answer)
            .map_err(|e| PeerError::Malformed(format!("sampling/createMessage: {e}")))
    }

    /// Asks the client's model to answer `prompt` in at most `max_tokens` tokens, and returns
    /// the text of its answer.
    ///
    /// # Errors
    /// Those of [`create_message`](Self::create_message), and [`PeerError::Malformed`] when
    /// the answer holds no text.
    ///
    /// ```no_run
    /// use mcp_runtime::{mcp_server, tool, Context, PeerError};
    ///
    /// struct Helper;
    ///
    /// #[mcp_server]
    /// impl Helper {
    ///     /// Summarize `text`.
    ///     #[tool]
    ///     async fn summarize(&self, text: String, ctx: Context) -> Result<String, PeerError> {
    ///         ctx.sample_text(format!("Summarize:\n{text}"), 300).await
    ///     }
    /// }
    /// ```
    pub async fn sample_text(
        &self,
        prompt: impl Into<String>,
        max_tokens: u32,
    ) -> Result<String, PeerError> {
        let request = CreateMessageRequest::new(max_tokens).user_text(prompt);
        let answer = self.create_message(request).await?;
        answer.text().ok_or_else(|| {
            PeerError::Malformed("sampling/createMessage: the answer holds no text".into())
        })
    }
}

/// Checks the capabilities a request needs before it is sent.
fn check_sampling(
    capabilities: &ClientCapabilities,
    request: &CreateMessageRequest,
) -> Result<(), PeerError> {
    let sampling = capabilities.0.get("sampling").filter(|s| !s.is_null());
    let Some(sampling) = sampling else {
        return Err(PeerError::MissingCapability("sampling"));
    };
    let declares = |name: &str| sampling.get(name).is_some_and(|v| !v.is_null());
    if (!request.tools.is_empty() || request.tool_choice.is_some()) && !declares("tools") {
        return Err(PeerError::MissingCapability("sampling.tools"));
    }
    let wants_context = matches!(
        request.include_context,
        Some(IncludeContext::ThisServer | IncludeContext::AllServers)
    );
    if wants_context && !declares("context") {
        return Err(PeerError::MissingCapability("sampling.context"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::protocol::{Tool, ToolChoice, ToolChoiceMode};

    fn caps(caps: Value) -> ClientCapabilities {
        serde_json::from_value(caps).unwrap()
    }

    #[test]
    fn sampling_needs_the_capability_and_its_sub_capabilities() {
        let plain = CreateMessageRequest::new(10).user_text("q");
        assert_eq!(
            check_sampling(&caps(json!({})), &plain),
            Err(PeerError::MissingCapability("sampling"))
        );
        assert_eq!(
            check_sampling(&caps(json!({"sampling": {}})), &plain),
            Ok(())
        );
        let with_tools = plain.clone().tool(Tool::new("t", Default::default()));
        assert_eq!(
            check_sampling(&caps(json!({"sampling": {}})), &with_tools),
            Err(PeerError::MissingCapability("sampling.tools"))
        );
        assert_eq!(
            check_sampling(&caps(json!({"sampling": {"tools": {}}})), &with_tools),
            Ok(())
        );
        let choice = plain
            .clone()
            .tool_choice(ToolChoice::new(ToolChoiceMode::None));
        assert_eq!(
            check_sampling(&caps(json!({"sampling": {}})), &choice),
            Err(PeerError::MissingCapability("sampling.tools"))
        );
        let context = plain.clone().include_context(IncludeContext::AllServers);
        assert_eq!(
            check_sampling(&caps(json!({"sampling": {}})), &context),
            Err(PeerError::MissingCapability("sampling.context"))
        );
        let none = plain.include_context(IncludeContext::None);
        assert_eq!(
            check_sampling(&caps(json!({"sampling": {}})), &none),
            Ok(())
        );
    }

    #[tokio::test]
    async fn a_detached_context_cannot_sample() {
        let ctx = Context::detached();
        assert_eq!(
            ctx.sample_text("hi", 10).await,
            Err(PeerError::MissingCapability("sampling"))
        );
    }
}
