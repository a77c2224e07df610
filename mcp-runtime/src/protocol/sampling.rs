//! `sampling/createMessage`: the server asks the client's model for a completion.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::content::Content;
use super::prompts::Role;
use super::tools::Tool;

/// `sampling/createMessage` params, built step by step.
///
/// ```
/// use mcp_runtime::protocol::CreateMessageRequest;
/// let request = CreateMessageRequest::new(100)
///     .system_prompt("You are terse.")
///     .user_text("Name a colour.")
///     .temperature(0.2);
/// assert_eq!(
///     serde_json::to_value(&request).unwrap(),
///     serde_json::json!({
///         "messages": [{"role": "user", "content": {"type": "text", "text": "Name a colour."}}],
///         "systemPrompt": "You are terse.",
///         "temperature": 0.2,
///         "maxTokens": 100
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageRequest {
    /// The conversation so far.
    pub messages: Vec<SamplingMessage>,
    /// Which model the server would like (advisory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// A system prompt the client may use, modify or omit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Context from MCP servers to attach (needs the client's `sampling.context` capability
    /// for anything but `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<IncludeContext>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// The most tokens to sample; the client may sample fewer.
    pub max_tokens: u32,
    /// Sequences that stop sampling.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
    /// Provider-specific metadata passed through to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Tools the model may call (needs the client's `sampling.tools` capability).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// How the model uses `tools` (needs the client's `sampling.tools` capability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
}

impl CreateMessageRequest {
    /// A request with no messages yet that samples at most `max_tokens` tokens.
    ///
    /// ```
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50);
    /// assert_eq!(request.max_tokens, 50);
    /// assert!(request.messages.is_empty());
    /// ```
    pub fn new(max_tokens: u32) -> Self {
        CreateMessageRequest {
            messages: Vec::new(),
            model_preferences: None,
            system_prompt: None,
            include_context: None,
            temperature: None,
            max_tokens,
            stop_sequences: Vec::new(),
            metadata: None,
            tools: Vec::new(),
            tool_choice: None,
        }
    }

    /// Appends a message.
    ///
    /// ```
    /// use mcp_runtime::protocol::{CreateMessageRequest, SamplingMessage};
    /// let request = CreateMessageRequest::new(50).message(SamplingMessage::assistant_text("Hi."));
    /// assert_eq!(request.messages.len(), 1);
    /// ```
    pub fn message(mut self, message: SamplingMessage) -> Self {
        self.messages.push(message);
        self
    }

    /// Appends a user text message.
    ///
    /// ```
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50).user_text("Hello");
    /// assert_eq!(request.messages[0].text().as_deref(), Some("Hello"));
    /// ```
    pub fn user_text(self, text: impl Into<String>) -> Self {
        self.message(SamplingMessage::user_text(text))
    }

    /// Appends an assistant text message.
    ///
    /// ```
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50).assistant_text("Hi");
    /// assert_eq!(request.messages[0].role, mcp_runtime::protocol::Role::Assistant);
    /// ```
    pub fn assistant_text(self, text: impl Into<String>) -> Self {
        self.message(SamplingMessage::assistant_text(text))
    }

    /// Sets the system prompt.
    ///
    /// ```
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50).system_prompt("Be brief.");
    /// assert_eq!(request.system_prompt.as_deref(), Some("Be brief."));
    /// ```
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// Sets the temperature.
    ///
    /// ```
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50).temperature(0.7);
    /// assert_eq!(request.temperature, Some(0.7));
    /// ```
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the model preferences.
    ///
    /// ```
    /// use mcp_runtime::protocol::{CreateMessageRequest, ModelPreferences};
    /// let request = CreateMessageRequest::new(50)
    ///     .model_preferences(ModelPreferences::new().hint("sonnet").speed_priority(0.8));
    /// assert_eq!(request.model_preferences.unwrap().hints[0].name.as_deref(), Some("sonnet"));
    /// ```
    pub fn model_preferences(mut self, preferences: ModelPreferences) -> Self {
        self.model_preferences = Some(preferences);
        self
    }

    /// Adds a stop sequence.
    ///
    /// ```
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50).stop_sequence("\n\n");
    /// assert_eq!(request.stop_sequences, ["\n\n"]);
    /// ```
    pub fn stop_sequence(mut self, sequence: impl Into<String>) -> Self {
        self.stop_sequences.push(sequence.into());
        self
    }

    /// Asks the client to attach context from MCP servers.
    ///
    /// ```
    /// use mcp_runtime::protocol::{CreateMessageRequest, IncludeContext};
    /// let request = CreateMessageRequest::new(50).include_context(IncludeContext::ThisServer);
    /// assert_eq!(serde_json::to_value(&request).unwrap()["includeContext"], "thisServer");
    /// ```
    pub fn include_context(mut self, include: IncludeContext) -> Self {
        self.include_context = Some(include);
        self
    }

    /// Sets provider-specific metadata.
    ///
    /// ```
    /// let meta = serde_json::json!({"user": "u-1"}).as_object().cloned().unwrap_or_default();
    /// let request = mcp_runtime::protocol::CreateMessageRequest::new(50).metadata(meta);
    /// assert!(request.metadata.is_some());
    /// ```
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Offers the model a tool.
    ///
    /// ```
    /// use mcp_runtime::protocol::{CreateMessageRequest, Tool};
    /// let schema = serde_json::json!({"type": "object"}).as_object().cloned().unwrap_or_default();
    /// let request = CreateMessageRequest::new(50).tool(Tool::new("lookup", schema));
    /// assert_eq!(request.tools[0].name, "lookup");
    /// ```
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Sets how the model uses the tools.
    ///
    /// ```
    /// use mcp_runtime::protocol::{CreateMessageRequest, ToolChoice, ToolChoiceMode};
    /// let request = CreateMessageRequest::new(50).tool_choice(ToolChoice::new(ToolChoiceMode::Required));
    /// assert_eq!(serde_json::to_value(&request).unwrap()["toolChoice"]["mode"], "required");
    /// ```
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }
}

/// One message of a sampling conversation: a role and one or more content blocks.
///
/// One block is sent as an object (what clients before 2025-11-25 expect), several as an
/// array; both forms are accepted from the client.
///
/// ```
/// use mcp_runtime::protocol::SamplingMessage;
/// let m = SamplingMessage::user_text("hi");
/// assert_eq!(
///     serde_json::to_value(&m).unwrap(),
///     serde_json::json!({"role": "user", "content": {"type": "text", "text": "hi"}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingMessage {
    /// Who says it.
    pub role: Role,
    /// What is said.
    #[serde(with = "one_or_many")]
    pub content: Vec<SamplingContent>,
}

impl SamplingMessage {
    /// A message with one block.
    ///
    /// ```
    /// use mcp_runtime::protocol::{Role, SamplingContent, SamplingMessage};
    /// let m = SamplingMessage::new(Role::User, SamplingContent::image("iVBORw0KGgo=", "image/png"));
    /// assert_eq!(m.content.len(), 1);
    /// ```
    pub fn new(role: Role, content: SamplingContent) -> Self {
        SamplingMessage {
            role,
            content: vec![content],
        }
    }

    /// A user text message.
    ///
    /// ```
    /// let m = mcp_runtime::protocol::SamplingMessage::user_text("What is 2 + 2?");
    /// assert_eq!(m.role, mcp_runtime::protocol::Role::User);
    /// ```
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::new(Role::User, SamplingContent::text(text))
    }

    /// An assistant text message.
    ///
    /// ```
    /// let m = mcp_runtime::protocol::SamplingMessage::assistant_text("4");
    /// assert_eq!(m.role, mcp_runtime::protocol::Role::Assistant);
    /// ```
    pub fn assistant_text(text: impl Into<String>) -> Self {
        Self::new(Role::Assistant, SamplingContent::text(text))
    }

    /// The text blocks joined, or `None` when there are none.
    ///
    /// ```
    /// let m = mcp_runtime::protocol::SamplingMessage::user_text("hi");
    /// assert_eq!(m.text().as_deref(), Some("hi"));
    /// ```
    pub fn text(&self) -> Option<String> {
        joined_text(&self.content)
    }
}

fn joined_text(content: &[SamplingContent]) -> Option<String> {
    let mut texts = content
        .iter()
        .filter_map(SamplingContent::as_text)
        .peekable();
    texts.peek()?;
    Some(texts.collect())
}

/// One block of a sampling message.
///
/// ```
/// use mcp_runtime::protocol::SamplingContent;
/// let c: SamplingContent =
///     serde_json::from_str(r#"{"type":"tool_use","id":"t1","name":"lookup","input":{"q":"x"}}"#).unwrap();
/// assert!(matches!(c, SamplingContent::ToolUse { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SamplingContent {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, base64-encoded.
    Image {
        /// Base64 data.
        data: String,
        /// The MIME type, e.g. `image/png`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// Audio, base64-encoded.
    Audio {
        /// Base64 data.
        data: String,
        /// The MIME type, e.g. `audio/wav`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// The model asks to call a tool.
    ToolUse {
        /// Identifies this call; the matching result carries it.
        id: String,
        /// The tool's name.
        name: String,
        /// The arguments.
        input: Map<String, Value>,
    },
    /// The result of a tool call the model asked for.
    ToolResult {
        /// The `id` of the matching [`ToolUse`](SamplingContent::ToolUse).
        #[serde(rename = "toolUseId")]
        tool_use_id: String,
        /// The result's content.
        content: Vec<Content>,
        /// The structured result, if any.
        #[serde(
            rename = "structuredContent",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        structured_content: Option<Map<String, Value>>,
        /// Whether the call failed.
        #[serde(rename = "isError", default, skip_serializing_if = "Option::is_none")]
        is_error: Option<bool>,
    },
}

impl SamplingContent {
    /// A text block.
    ///
    /// ```
    /// let c = mcp_runtime::protocol::SamplingContent::text("hi");
    /// assert_eq!(c.as_text(), Some("hi"));
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        SamplingContent::Text { text: text.into() }
    }

    /// An image block from base64 data.
    ///
    /// ```
    /// let c = mcp_runtime::protocol::SamplingContent::image("iVBORw0KGgo=", "image/png");
    /// assert_eq!(c.as_text(), None);
    /// ```
    pub fn image(data_base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        SamplingContent::Image {
            data: data_base64.into(),
            mime_type: mime_type.into(),
        }
    }

    /// An audio block from base64 data.
    ///
    /// ```
    /// let c = mcp_runtime::protocol::SamplingContent::audio("UklGRg==", "audio/wav");
    /// assert_eq!(serde_json::to_value(&c).unwrap()["type"], "audio");
    /// ```
    pub fn audio(data_base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        SamplingContent::Audio {
            data: data_base64.into(),
            mime_type: mime_type.into(),
        }
    }

    /// The text of a text block.
    ///
    /// ```
    /// assert_eq!(mcp_runtime::protocol::SamplingContent::text("x").as_text(), Some("x"));
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            SamplingContent::Text { text } => Some(text),
            _ => None,
        }
    }
}

/// Which MCP servers' context the client should attach to the prompt.
///
/// ```
/// use mcp_runtime::protocol::IncludeContext;
/// assert_eq!(serde_json::to_value(IncludeContext::AllServers).unwrap(), "allServers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    /// No context (the default).
    None,
    /// Context from this server (soft-deprecated by the spec).
    ThisServer,
    /// Context from every server the client is connected to (soft-deprecated by the spec).
    AllServers,
}

/// The server's priorities for the client's choice of model; all advisory.
///
/// ```
/// use mcp_runtime::protocol::ModelPreferences;
/// let p = ModelPreferences::new().hint("claude").intelligence_priority(0.9);
/// assert_eq!(
///     serde_json::to_value(&p).unwrap(),
///     serde_json::json!({"hints": [{"name": "claude"}], "intelligencePriority": 0.9})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences {
    /// Model name hints, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<ModelHint>,
    /// How much cost matters, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_priority: Option<f64>,
    /// How much speed matters, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_priority: Option<f64>,
    /// How much capability matters, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intelligence_priority: Option<f64>,
}

impl ModelPreferences {
    /// No preferences.
    ///
    /// ```
    /// assert!(mcp_runtime::protocol::ModelPreferences::new().hints.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a model name hint (matched as a substring by the client).
    ///
    /// ```
    /// let p = mcp_runtime::protocol::ModelPreferences::new().hint("haiku");
    /// assert_eq!(p.hints[0].name.as_deref(), Some("haiku"));
    /// ```
    pub fn hint(mut self, name: impl Into<String>) -> Self {
        self.hints.push(ModelHint {
            name: Some(name.into()),
        });
        self
    }

    /// Sets how much cost matters (0 to 1).
    ///
    /// ```
    /// let p = mcp_runtime::protocol::ModelPreferences::new().cost_priority(0.5);
    /// assert_eq!(p.cost_priority, Some(0.5));
    /// ```
    pub fn cost_priority(mut self, priority: f64) -> Self {
        self.cost_priority = Some(priority);
        self
    }

    /// Sets how much speed matters (0 to 1).
    ///
    /// ```
    /// let p = mcp_runtime::protocol::ModelPreferences::new().speed_priority(0.5);
    /// assert_eq!(p.speed_priority, Some(0.5));
    /// ```
    pub fn speed_priority(mut self, priority: f64) -> Self {
        self.speed_priority = Some(priority);
        self
    }

    /// Sets how much capability matters (0 to 1).
    ///
    /// ```
    /// let p = mcp_runtime::protocol::ModelPreferences::new().intelligence_priority(0.5);
    /// assert_eq!(p.intelligence_priority, Some(0.5));
    /// ```
    pub fn intelligence_priority(mut self, priority: f64) -> Self {
        self.intelligence_priority = Some(priority);
        self
    }
}

/// A hint for the client's choice of model.
///
/// ```
/// let h: mcp_runtime::protocol::ModelHint = serde_json::from_str(r#"{"name":"sonnet"}"#).unwrap();
/// assert_eq!(h.name.as_deref(), Some("sonnet"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelHint {
    /// A substring of a model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How the model may use the tools of a sampling request.
///
/// ```
/// use mcp_runtime::protocol::{ToolChoice, ToolChoiceMode};
/// let c = ToolChoice::new(ToolChoiceMode::None);
/// assert_eq!(serde_json::to_value(&c).unwrap(), serde_json::json!({"mode": "none"}));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolChoice {
    /// The mode (`auto` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ToolChoiceMode>,
}

impl ToolChoice {
    /// A choice with this mode.
    ///
    /// ```
    /// use mcp_runtime::protocol::{ToolChoice, ToolChoiceMode};
    /// assert_eq!(ToolChoice::new(ToolChoiceMode::Auto).mode, Some(ToolChoiceMode::Auto));
    /// ```
    pub fn new(mode: ToolChoiceMode) -> Self {
        ToolChoice { mode: Some(mode) }
    }
}

/// Whether the model may, must or must not call tools.
///
/// ```
/// assert_eq!(serde_json::to_value(mcp_runtime::protocol::ToolChoiceMode::Required).unwrap(), "required");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides.
    Auto,
    /// The model must call at least one tool.
    Required,
    /// The model must not call tools.
    None,
}

/// The client's answer to `sampling/createMessage`: the sampled message and the model used.
///
/// ```
/// use mcp_runtime::protocol::CreateMessageResult;
/// let r: CreateMessageResult = serde_json::from_str(
///     r#"{"role":"assistant","content":{"type":"text","text":"4"},"model":"m","stopReason":"endTurn"}"#,
/// ).unwrap();
/// assert_eq!(r.text().as_deref(), Some("4"));
/// assert_eq!(r.stop_reason.as_deref(), Some("endTurn"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageResult {
    /// Who says it (normally the assistant).
    pub role: Role,
    /// What the model said.
    #[serde(with = "one_or_many")]
    pub content: Vec<SamplingContent>,
    /// The model that produced it.
    pub model: String,
    /// Why sampling stopped: `endTurn`, `stopSequence`, `maxTokens`, `toolUse` or another
    /// provider-specific reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
}

impl CreateMessageResult {
    /// The text blocks joined, or `None` when the model answered without text.
    ///
    /// ```
    /// use mcp_runtime::protocol::{CreateMessageResult, Role, SamplingContent};
    /// let r = CreateMessageResult {
    ///     role: Role::Assistant,
    ///     content: vec![SamplingContent::text("a"), SamplingContent::text("b")],
    ///     model: "m".into(),
    ///     stop_reason: None,
    /// };
    /// assert_eq!(r.text().as_deref(), Some("ab"));
    /// ```
    pub fn text(&self) -> Option<String> {
        joined_text(&self.content)
    }
}

/// Content that is one block (an object) or several (an array).
mod one_or_many {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        content: &[SamplingContent],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match content {
            [one] => one.serialize(serializer),
            many => many.serialize(serializer),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<SamplingContent>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(SamplingContent),
            Many(Vec<SamplingContent>),
        }
        match OneOrMany::deserialize(deserializer) {
            Ok(OneOrMany::One(one)) => Ok(vec![one]),
            Ok(OneOrMany::Many(many)) => Ok(many),
            Err(_) => Err(serde::de::Error::custom(
                "`content` must be a content block or an array of content blocks",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_arrays_round_trip_and_single_blocks_stay_objects() {
        let many = json!({"role": "assistant", "content": [
            {"type": "text", "text": "calling"},
            {"type": "tool_use", "id": "t1", "name": "lookup", "input": {}}
        ]});
        let m: SamplingMessage = serde_json::from_value(many.clone()).unwrap();
        assert_eq!(m.content.len(), 2);
        assert_eq!(serde_json::to_value(&m).unwrap(), many);
        let one = SamplingMessage::user_text("x");
        assert!(serde_json::to_value(&one).unwrap()["content"].is_object());
    }

    #[test]
    fn a_bad_content_block_is_named() {
        let err = serde_json::from_value::<CreateMessageResult>(
            json!({"role": "assistant", "model": "m", "content": {"type": "video"}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("content"), "{err}");
    }

    #[test]
    fn the_full_request_uses_the_spec_field_names() {
        let request = CreateMessageRequest::new(10)
            .user_text("q")
            .model_preferences(ModelPreferences::new().cost_priority(0.1))
            .include_context(IncludeContext::None)
            .stop_sequence("END")
            .tool_choice(ToolChoice::new(ToolChoiceMode::Auto));
        let value = serde_json::to_value(&request).unwrap();
        let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "includeContext",
                "maxTokens",
                "messages",
                "modelPreferences",
                "stopSequences",
                "toolChoice"
            ]
        );
        assert_eq!(value["modelPreferences"], json!({"costPriority": 0.1}));
    }
}
