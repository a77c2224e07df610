//! [`Composite`]: one server made of several, each under a prefix of its own.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::engine::context::Context;
use crate::engine::{BoxFuture, Cacheable, MCPServer};
use crate::handler::arguments::ToolArguments;
use crate::handler::error::McpError;
use crate::handler::scopes::{RequiredScopes, ScopedKind};
use crate::handler::uri_template::match_uri_template;
use crate::protocol::{
    CacheHint, CacheScope, CallToolResult, CompleteParams, Completion, CompletionRef,
    GetPromptResult, Implementation, Prompt, ReadResourceResult, Resource, ResourceTemplate, Tool,
};

/// One server made of several: each member's tools and prompts are listed under
/// `{prefix}_{name}` ([`mount`](Self::mount)) or under their own names
/// ([`merge`](Self::merge)), and each call goes to the member that has it. Resources and
/// resource templates keep their URIs.
///
/// It is how a server grows past one `impl` block: `#[mcp_server]` goes on one block per type,
/// so split the tools across types (a module each, say) and put the types together here. A
/// `Composite` is an [`MCPServer`], served, tested and configured as any other.
///
/// What each member declares comes along: its tools' timeouts, which of its tools may ask the
/// client for input, the OAuth scopes of its tools, prompts and resources (its server-wide
/// `scopes` apply to its own items only), its completions, its caching hints (a list's hint is
/// the strictest of the members'). Its instructions are joined, each introduced by its prefix,
/// unless [`with_instructions`](Self::with_instructions) replaces them. Capabilities are
/// derived from what the composite has; a member's own [`MCPServer::capabilities`] is not
/// used. Two members giving the same name (or URI) is an error when the second is added.
///
/// ```
/// use mcp_runtime::testing::TestClient;
/// use mcp_runtime::{Composite, mcp_server, tool};
/// use serde_json::json;
///
/// struct Weather;
///
/// #[mcp_server]
/// impl Weather {
///     /// Tomorrow's forecast for a city.
///     #[tool]
///     fn forecast(&self, city: String) -> String {
///         format!("sunny in {city}")
///     }
/// }
///
/// struct Calendar;
///
/// #[mcp_server]
/// impl Calendar {
///     /// Today's first meeting.
///     #[tool]
///     fn next_meeting(&self) -> &'static str {
///         "stand-up at 9:30"
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mcp_runtime::CompositeError> {
/// let assistant = Composite::new("assistant", "1.0.0")
///     .mount("weather", Weather)?
///     .merge(Calendar)?;
///
/// let client = TestClient::new(assistant).await;
/// let tools = client.list_tools().await.unwrap();
/// let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(names, ["weather_forecast", "next_meeting"]);
/// let result = client.call_tool("weather_forecast", json!({"city": "Oslo"})).await.unwrap();
/// assert_eq!(result.content[0].as_text(), Some("sunny in Oslo"));
/// # Ok(())
/// # }
/// ```
pub struct Composite {
    info: Implementation,
    instructions: Option<String>,
    members: Vec<Member>,
    /// Every member's tools, renamed, in the order they were added.
    tools: Vec<Tool>,
    prompts: Vec<Prompt>,
    resources: Vec<Resource>,
    templates: Vec<ResourceTemplate>,
    /// A listed tool's name → its member and its name there.
    tool_routes: HashMap<String, Route>,
    prompt_routes: HashMap<String, Route>,
    /// A fixed URI or a URI template → its member.
    uri_routes: HashMap<String, usize>,
}

struct Member {
    prefix: Option<String>,
    server: Box<dyn MCPServer>,
    /// Its scopes, read once.
    scopes: RequiredScopes,
}

/// Where a renamed tool or prompt goes: a member, and its own name there.
struct Route {
    member: usize,
    name: String,
}

/// Why a member could not be added to a [`Composite`].
///
/// ```
/// use mcp_runtime::{Composite, CompositeError, mcp_server, tool};
///
/// struct Echo;
///
/// #[mcp_server]
/// impl Echo {
///     /// Say it back.
///     #[tool]
///     fn echo(&self, text: String) -> String {
///         text
///     }
/// }
///
/// let twice = Composite::new("echoes", "1.0.0").merge(Echo).and_then(|c| c.merge(Echo));
/// assert_eq!(twice.err(), Some(CompositeError::DuplicateTool("echo".into())));
/// assert!(matches!(
///     Composite::new("echoes", "1.0.0").mount("my echo", Echo),
///     Err(CompositeError::InvalidPrefix(_))
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompositeError {
    /// The prefix is empty or has a character a tool name may not have (MCP allows ASCII
    /// letters, digits, `_`, `-` and `.`).
    #[error("`{0}` cannot prefix tool names: use one or more ASCII letters, digits, `_`, `-`, `.`")]
    InvalidPrefix(String),
    /// Another member already has a tool of this name (prefix included).
    #[error("two members of the composite have a tool named `{0}`")]
    DuplicateTool(String),
    /// Another member already has a prompt of this name (prefix included).
    #[error("two members of the composite have a prompt named `{0}`")]
    DuplicatePrompt(String),
    /// Another member already has a resource at this URI.
    #[error("two members of the composite have a resource at `{0}`")]
    DuplicateResource(String),
    /// Another member already has this resource template.
    #[error("two members of the composite have the resource template `{0}`")]
    DuplicateTemplate(String),
}

impl Composite {
    /// An empty server of this name and version (its `serverInfo`).
    ///
    /// ```
    /// use mcp_runtime::{Composite, MCPServer};
    ///
    /// let empty = Composite::new("suite", "0.1.0");
    /// assert_eq!(empty.server_info().name, "suite");
    /// assert!(empty.tools().is_empty());
    /// ```
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Composite::with_info(Implementation::new(name, version))
    }

    /// An empty server that introduces itself with `info` (title, description, icons).
    ///
    /// ```
    /// use mcp_runtime::protocol::Implementation;
    /// use mcp_runtime::{Composite, MCPServer};
    ///
    /// let suite = Composite::with_info(Implementation::new("suite", "0.1.0"));
    /// assert_eq!(suite.server_info().version, "0.1.0");
    /// ```
    pub fn with_info(info: Implementation) -> Self {
        Composite {
            info,
            instructions: None,
            members: Vec::new(),
            tools: Vec::new(),
            prompts: Vec::new(),
            resources: Vec::new(),
            templates: Vec::new(),
            tool_routes: HashMap::new(),
            prompt_routes: HashMap::new(),
            uri_routes: HashMap::new(),
        }
    }

    /// The instructions sent in the `initialize` result, instead of the members' joined.
    ///
    /// ```
    /// use mcp_runtime::{Composite, MCPServer};
    ///
    /// let suite = Composite::new("suite", "0.1.0").with_instructions("Weather and calendar.");
    /// assert_eq!(suite.instructions().as_deref(), Some("Weather and calendar."));
    /// ```
    pub fn with_instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// Adds `server`, its tools and prompts named `{prefix}_{name}`.
    ///
    /// ```
    /// use mcp_runtime::{Composite, MCPServer, mcp_server, tool};
    ///
    /// struct Files;
    ///
    /// #[mcp_server]
    /// impl Files {
    ///     /// List a directory.
    ///     #[tool]
    ///     fn list(&self, path: String) -> Vec<String> {
    ///         vec![path]
    ///     }
    /// }
    ///
    /// let suite = Composite::new("suite", "0.1.0").mount("files", Files).unwrap();
    /// assert_eq!(suite.tools()[0].name, "files_list");
    /// ```
    pub fn mount(self, prefix: &str, server: impl MCPServer) -> Result<Self, CompositeError> {
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if prefix.is_empty() || !prefix.chars().all(valid) {
            return Err(CompositeError::InvalidPrefix(prefix.to_owned()));
        }
        self.add(Some(prefix.to_owned()), Box::new(server))
    }

    /// Adds `server` with its tools and prompts under their own names.
    ///
    /// ```
    /// use mcp_runtime::{Composite, MCPServer, mcp_server, tool};
    ///
    /// struct Clock;
    ///
    /// #[mcp_server]
    /// impl Clock {
    ///     /// The time.
    ///     #[tool]
    ///     fn now(&self) -> &'static str {
    ///         "noon"
    ///     }
    /// }
    ///
    /// let suite = Composite::new("suite", "0.1.0").merge(Clock).unwrap();
    /// assert_eq!(suite.tools()[0].name, "now");
    /// ```
    pub fn merge(self, server: impl MCPServer) -> Result<Self, CompositeError> {
        self.add(None, Box::new(server))
    }

    fn add(
        mut self,
        prefix: Option<String>,
        server: Box<dyn MCPServer>,
    ) -> Result<Self, CompositeError> {
        let member = self.members.len();
        let rename = |name: &str| match &prefix {
            Some(prefix) => format!("{prefix}_{name}"),
            None => name.to_owned(),
        };
        let mut tools = server.tools();
        let mut prompts = server.prompts();
        let resources = server.resources();
        let templates = server.resource_templates();
        let tool_names = tools.iter_mut().map(|t| &mut t.name);
        let tool_routes = renamed(tool_names, &rename, &self.tool_routes)
            .map_err(CompositeError::DuplicateTool)?;
        let prompt_names = prompts.iter_mut().map(|p| &mut p.name);
        let prompt_routes = renamed(prompt_names, &rename, &self.prompt_routes)
            .map_err(CompositeError::DuplicatePrompt)?;
        let mut uris = HashSet::new();
        for resource in &resources {
            let uri = resource.uri.as_str();
            if self.uri_routes.contains_key(uri) || !uris.insert(uri) {
                return Err(CompositeError::DuplicateResource(uri.to_owned()));
            }
        }
        for template in &templates {
            let uri = template.uri_template.as_str();
            if self.uri_routes.contains_key(uri) || !uris.insert(uri) {
                return Err(CompositeError::DuplicateTemplate(uri.to_owned()));
            }
        }
        for (full, name) in tool_routes {
            self.tool_routes.insert(full, Route { member, name });
        }
        for (full, name) in prompt_routes {
            self.prompt_routes.insert(full, Route { member, name });
        }
        for uri in resources
            .iter()
            .map(|r| &r.uri)
            .chain(templates.iter().map(|t| &t.uri_template))
        {
            self.uri_routes.insert(uri.clone(), member);
        }
        self.tools.extend(tools);
        self.prompts.extend(prompts);
        self.resources.extend(resources);
        self.templates.extend(templates);
        let scopes = server.required_scopes();
        self.members.push(Member {
            prefix,
            server,
            scopes,
        });
        Ok(self)
    }

    /// The member serving `uri`: the one listing it as a resource, else the one with the
    /// first template it matches.
    fn owner_of(&self, uri: &str) -> Option<usize> {
        self.uri_routes.get(uri).copied().or_else(|| {
            self.templates
                .iter()
                .find(|t| match_uri_template(&t.uri_template, uri).is_some())
                .and_then(|t| self.uri_routes.get(&t.uri_template).copied())
        })
    }

    fn tool(&self, name: &str) -> Option<(&dyn MCPServer, &str)> {
        let route = self.tool_routes.get(name)?;
        Some((&*self.members[route.member].server, &route.name))
    }
}

/// Renames each of a member's `names` in place; returns each new name with the old one, or
/// the first new name that `taken` (or the member itself) already has.
fn renamed<'a>(
    names: impl Iterator<Item = &'a mut String>,
    rename: &dyn Fn(&str) -> String,
    taken: &HashMap<String, Route>,
) -> Result<Vec<(String, String)>, String> {
    let mut routes = Vec::new();
    let mut seen = HashSet::new();
    for name in names {
        let own = std::mem::take(name);
        *name = rename(&own);
        if taken.contains_key(name.as_str()) || !seen.insert(name.clone()) {
            return Err(name.clone());
        }
        routes.push((name.clone(), own));
    }
    Ok(routes)
}

impl std::fmt::Debug for Composite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let members: Vec<_> = self
            .members
            .iter()
            .map(|m| (m.prefix.as_deref(), m.server.server_info().name))
            .collect();
        f.debug_struct("Composite")
            .field("info", &self.info)
            .field("members", &members)
            .finish_non_exhaustive()
    }
}

/// The strictest of several hints: the shortest time, and private if any is. `None` (the
/// dispatcher's default) when any member gives none.
fn strictest(hints: impl Iterator<Item = Option<CacheHint>>) -> Option<CacheHint> {
    let mut strictest: Option<CacheHint> = None;
    for hint in hints {
        let hint = hint?;
        strictest = Some(match strictest {
            None => hint,
            Some(so_far) => CacheHint {
                ttl_ms: so_far.ttl_ms.min(hint.ttl_ms),
                scope: if so_far.scope == CacheScope::Private || hint.scope == CacheScope::Private {
                    CacheScope::Private
                } else {
                    CacheScope::Public
                },
            },
        });
    }
    strictest
}

impl MCPServer for Composite {
    fn server_info(&self) -> Implementation {
        self.info.clone()
    }

    fn instructions(&self) -> Option<String> {
        if self.instructions.is_some() {
            return self.instructions.clone();
        }
        let parts: Vec<String> = self
            .members
            .iter()
            .filter_map(|m| {
                let text = m.server.instructions()?;
                Some(match &m.prefix {
                    Some(prefix) => format!("Tools and prompts named `{prefix}_*`: {text}"),
                    None => text,
                })
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }

    fn tools(&self) -> Vec<Tool> {
        self.tools.clone()
    }

    fn call_tool<'a>(
        &'a self,
        name: &str,
        arguments: ToolArguments,
        ctx: Context,
    ) -> Option<BoxFuture<'a, CallToolResult>> {
        let (server, name) = self.tool(name)?;
        server.call_tool(name, arguments, ctx)
    }

    fn resources(&self) -> Vec<Resource> {
        self.resources.clone()
    }

    fn resource_templates(&self) -> Vec<ResourceTemplate> {
        self.templates.clone()
    }

    fn read_resource<'a>(
        &'a self,
        uri: &str,
        ctx: Context,
    ) -> Option<BoxFuture<'a, Result<ReadResourceResult, McpError>>> {
        if let Some(member) = self.owner_of(uri) {
            return self.members[member].server.read_resource(uri, ctx);
        }
        // A URI no member lists (a hand-written server may serve more than it lists): the
        // first member that reads it. Not one with scopes: they would not be checked here.
        self.members
            .iter()
            .filter(|m| m.scopes.is_empty())
            .find_map(|m| m.server.read_resource(uri, ctx.clone()))
    }

    fn prompts(&self) -> Vec<Prompt> {
        self.prompts.clone()
    }

    fn get_prompt<'a>(
        &'a self,
        name: &str,
        arguments: Option<Map<String, Value>>,
        ctx: Context,
    ) -> Option<BoxFuture<'a, Result<GetPromptResult, McpError>>> {
        let route = self.prompt_routes.get(name)?;
        self.members[route.member]
            .server
            .get_prompt(&route.name, arguments, ctx)
    }

    fn supports_completions(&self) -> bool {
        self.members.iter().any(|m| m.server.supports_completions())
    }

    fn complete<'a>(
        &'a self,
        mut request: CompleteParams,
        ctx: Context,
    ) -> BoxFuture<'a, Result<Completion, McpError>> {
        let member = match &mut request.reference {
            CompletionRef::Prompt { name } => self.prompt_routes.get(name.as_str()).map(|route| {
                name.clone_from(&route.name);
                route.member
            }),
            CompletionRef::Resource { uri } => self.owner_of(uri),
        };
        match member {
            Some(member) => self.members[member].server.complete(request, ctx),
            None => Box::pin(async { Ok(Completion::default()) }),
        }
    }

    fn required_scopes(&self) -> RequiredScopes {
        let mut all = RequiredScopes::default();
        // In listed order: a URI is checked against the first template it matches.
        for tool in &self.tools {
            if let Some(route) = self.tool_routes.get(&tool.name) {
                let needed = self.members[route.member].scopes.for_tool(&route.name);
                if !needed.is_empty() {
                    all.push_owned(ScopedKind::Tool, tool.name.clone(), needed);
                }
            }
        }
        for prompt in &self.prompts {
            if let Some(route) = self.prompt_routes.get(&prompt.name) {
                let needed = self.members[route.member].scopes.for_prompt(&route.name);
                if !needed.is_empty() {
                    all.push_owned(ScopedKind::Prompt, prompt.name.clone(), needed);
                }
            }
        }
        let uris = self.resources.iter().map(|r| &r.uri);
        for uri in uris.chain(self.templates.iter().map(|t| &t.uri_template)) {
            if let Some(&member) = self.uri_routes.get(uri) {
                let needed = self.members[member].scopes.for_resource(uri);
                if !needed.is_empty() {
                    all.push_owned(ScopedKind::Resource, uri.clone(), needed);
                }
            }
        }
        all
    }

    fn tool_timeout(&self, name: &str) -> Option<std::time::Duration> {
        let (server, name) = self.tool(name)?;
        server.tool_timeout(name)
    }

    fn tool_may_ask_input(&self, name: &str) -> bool {
        self.tool(name)
            .is_none_or(|(server, name)| server.tool_may_ask_input(name))
    }

    fn cache_hint(&self, result: Cacheable<'_>) -> Option<CacheHint> {
        if let Cacheable::ResourceRead { uri } = result
            && let Some(member) = self.owner_of(uri)
        {
            return self.members[member].server.cache_hint(result);
        }
        strictest(self.members.iter().map(|m| m.server.cache_hint(result)))
    }
}
