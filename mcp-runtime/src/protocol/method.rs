//! [`Method`]: every request method the server answers, parsed once from its wire name, with
//! what each needs.

use std::fmt;

use super::version::Era;

/// A request method, parsed once from the wire name. Every layer routes on this value;
/// names the server does not know stay [`Other`](Method::Other) and are answered -32601.
///
/// ```
/// use mcp_runtime::protocol::{Era, Method};
///
/// let call = Method::parse("tools/call");
/// assert_eq!(call, Method::ToolsCall);
/// assert_eq!(call.as_str(), "tools/call");
/// assert!(call.exists_in(Era::Handshake) && call.exists_in(Era::Stateless));
/// assert_eq!(call.name_field(), Some("name"));
/// assert!(!Method::Initialize.exists_in(Era::Stateless));
/// assert_eq!(Method::parse("tools/frobnicate").as_str(), "tools/frobnicate");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `initialize` (handshake era).
    Initialize,
    /// `ping` (handshake era).
    Ping,
    /// `logging/setLevel` (handshake era).
    SetLogLevel,
    /// `server/discover` (2026-07-28).
    Discover,
    /// `tools/list`.
    ToolsList,
    /// `tools/call`.
    ToolsCall,
    /// `resources/list`.
    ResourcesList,
    /// `resources/templates/list`.
    ResourceTemplatesList,
    /// `resources/read`.
    ResourcesRead,
    /// `resources/subscribe` (handshake era).
    ResourcesSubscribe,
    /// `resources/unsubscribe` (handshake era).
    ResourcesUnsubscribe,
    /// `prompts/list`.
    PromptsList,
    /// `prompts/get`.
    PromptsGet,
    /// `completion/complete`.
    Complete,
    /// `subscriptions/listen` (2026-07-28).
    SubscriptionsListen,
    /// `tasks/get` (2026-07-28, tasks extension).
    TasksGet,
    /// `tasks/update` (2026-07-28, tasks extension).
    TasksUpdate,
    /// `tasks/cancel` (2026-07-28, tasks extension).
    TasksCancel,
    /// `skills/list` (skills extension).
    SkillsList,
    /// `skills/get` (skills extension).
    SkillsGet,
    /// `resources/directory/read` (skills extension, `directoryRead`).
    ResourcesDirectoryRead,
    /// A method this server does not know.
    Other(Box<str>),
}

/// What a server must offer for a method to exist on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Feature {
    /// Nothing: every server answers it.
    Always,
    /// The `tools` capability.
    Tools,
    /// The `resources` capability.
    Resources,
    /// `resources.subscribe`.
    ResourceSubscriptions,
    /// The `prompts` capability.
    Prompts,
    /// The `completions` capability.
    Completions,
    /// The `logging` capability.
    Logging,
    /// Some notification a listen stream can carry (a `listChanged`, subscriptions or tasks).
    Notifications,
    /// The tasks extension.
    Tasks,
    /// The skills extension (the server has [`Skills`](crate::Skills)).
    Skills,
    /// Nothing can: the method is unknown.
    Never,
}

impl Method {
    /// The method named `name`.
    pub fn parse(name: &str) -> Method {
        match name {
            "initialize" => Method::Initialize,
            "ping" => Method::Ping,
            "logging/setLevel" => Method::SetLogLevel,
            "server/discover" => Method::Discover,
            "tools/list" => Method::ToolsList,
            "tools/call" => Method::ToolsCall,
            "resources/list" => Method::ResourcesList,
            "resources/templates/list" => Method::ResourceTemplatesList,
            "resources/read" => Method::ResourcesRead,
            "resources/subscribe" => Method::ResourcesSubscribe,
            "resources/unsubscribe" => Method::ResourcesUnsubscribe,
            "prompts/list" => Method::PromptsList,
            "prompts/get" => Method::PromptsGet,
            "completion/complete" => Method::Complete,
            "subscriptions/listen" => Method::SubscriptionsListen,
            "tasks/get" => Method::TasksGet,
            "tasks/update" => Method::TasksUpdate,
            "tasks/cancel" => Method::TasksCancel,
            "skills/list" => Method::SkillsList,
            "skills/get" => Method::SkillsGet,
            "resources/directory/read" => Method::ResourcesDirectoryRead,
            other => Method::Other(other.into()),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Initialize => "initialize",
            Method::Ping => "ping",
            Method::SetLogLevel => "logging/setLevel",
            Method::Discover => "server/discover",
            Method::ToolsList => "tools/list",
            Method::ToolsCall => "tools/call",
            Method::ResourcesList => "resources/list",
            Method::ResourceTemplatesList => "resources/templates/list",
            Method::ResourcesRead => "resources/read",
            Method::ResourcesSubscribe => "resources/subscribe",
            Method::ResourcesUnsubscribe => "resources/unsubscribe",
            Method::PromptsList => "prompts/list",
            Method::PromptsGet => "prompts/get",
            Method::Complete => "completion/complete",
            Method::SubscriptionsListen => "subscriptions/listen",
            Method::TasksGet => "tasks/get",
            Method::TasksUpdate => "tasks/update",
            Method::TasksCancel => "tasks/cancel",
            Method::SkillsList => "skills/list",
            Method::SkillsGet => "skills/get",
            Method::ResourcesDirectoryRead => "resources/directory/read",
            Method::Other(name) => name,
        }
    }

    /// Whether the method exists in `era` (2026-07-28 removed `initialize`, `ping`,
    /// `logging/setLevel` and `resources/(un)subscribe`, and added `server/discover`,
    /// `subscriptions/listen` and the tasks extension's methods).
    pub fn exists_in(&self, era: Era) -> bool {
        match self {
            Method::Initialize
            | Method::Ping
            | Method::SetLogLevel
            | Method::ResourcesSubscribe
            | Method::ResourcesUnsubscribe => era == Era::Handshake,
            Method::Discover
            | Method::SubscriptionsListen
            | Method::TasksGet
            | Method::TasksUpdate
            | Method::TasksCancel => era == Era::Stateless,
            Method::Other(_) => false,
            _ => true,
        }
    }

    /// What the server must offer for the method to exist on it.
    pub fn feature(&self) -> Feature {
        match self {
            Method::Initialize | Method::Ping | Method::Discover => Feature::Always,
            Method::SetLogLevel => Feature::Logging,
            Method::ToolsList | Method::ToolsCall => Feature::Tools,
            Method::ResourcesList | Method::ResourceTemplatesList | Method::ResourcesRead => {
                Feature::Resources
            }
            Method::ResourcesSubscribe | Method::ResourcesUnsubscribe => {
                Feature::ResourceSubscriptions
            }
            Method::PromptsList | Method::PromptsGet => Feature::Prompts,
            Method::Complete => Feature::Completions,
            Method::SubscriptionsListen => Feature::Notifications,
            Method::TasksGet | Method::TasksUpdate | Method::TasksCancel => Feature::Tasks,
            Method::SkillsList | Method::SkillsGet | Method::ResourcesDirectoryRead => {
                Feature::Skills
            }
            Method::Other(_) => Feature::Never,
        }
    }

    /// Whether a 2026-07-28 result of the method carries `ttlMs` and `cacheScope`.
    pub fn is_cacheable(&self) -> bool {
        matches!(
            self,
            Method::Discover
                | Method::ToolsList
                | Method::PromptsList
                | Method::ResourcesList
                | Method::ResourceTemplatesList
                | Method::ResourcesRead
                | Method::SkillsList
                | Method::SkillsGet
                | Method::ResourcesDirectoryRead
        )
    }

    /// The params field that the 2026-07-28 `Mcp-Name` header mirrors, if any.
    pub fn name_field(&self) -> Option<&'static str> {
        match self {
            Method::ToolsCall | Method::PromptsGet => Some("name"),
            Method::ResourcesRead => Some("uri"),
            Method::TasksGet | Method::TasksUpdate | Method::TasksCancel => Some("taskId"),
            _ => None,
        }
    }

    /// Whether the method's handler may ask the client for input (sampling, elicitation,
    /// roots), which 2026-07-28 answers with an `InputRequiredResult`.
    pub fn may_ask_input(&self) -> bool {
        matches!(
            self,
            Method::ToolsCall | Method::PromptsGet | Method::ResourcesRead
        )
    }

    /// Whether the method belongs to the tasks extension.
    pub fn is_task_method(&self) -> bool {
        self.feature() == Feature::Tasks
    }
}

/// For messages and logs: an unknown name a client sent is clipped to a few hundred bytes.
impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::clip::clip(self.as_str()))
    }
}

impl PartialEq<str> for Method {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Method {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &[
        "initialize",
        "ping",
        "logging/setLevel",
        "server/discover",
        "tools/list",
        "tools/call",
        "resources/list",
        "resources/templates/list",
        "resources/read",
        "resources/subscribe",
        "resources/unsubscribe",
        "prompts/list",
        "prompts/get",
        "completion/complete",
        "subscriptions/listen",
        "tasks/get",
        "tasks/update",
        "tasks/cancel",
        "skills/list",
        "skills/get",
        "resources/directory/read",
    ];

    #[test]
    fn every_known_name_round_trips_and_exists_in_some_era() {
        for name in KNOWN {
            let method = Method::parse(name);
            assert!(!matches!(method, Method::Other(_)), "{name} is known");
            assert_eq!(method.as_str(), *name);
            assert!(method.exists_in(Era::Handshake) || method.exists_in(Era::Stateless));
            assert_ne!(method.feature(), Feature::Never);
        }
        let other = Method::parse("Tools/Call");
        assert_eq!(other, Method::Other("Tools/Call".into()));
        assert!(!other.exists_in(Era::Handshake) && !other.exists_in(Era::Stateless));
    }
}
