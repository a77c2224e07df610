//! What a server offers, as it is now: the tools, resources, templates and prompts it listed
//! at start, those added while it runs, the tools disabled, and who may see which tool.
//!
//! Changes are rare and requests many. A change builds a new [`Live`] (the lists that changed
//! serialized anew) and swaps it in; a request reads it with one atomic load. A server that was
//! never changed at run time reads `None` there and answers from what it listed at start.

mod change;
mod prompt_def;
mod resource_def;
mod tool_def;
mod visibility;

pub(crate) use change::Changed;
pub use change::RegistrationError;
pub use prompt_def::PromptDef;
pub use resource_def::{ResourceDef, UriVariables};
pub use tool_def::ToolDef;
pub use visibility::ToolFilter;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use arc_swap::{ArcSwapOption, Guard};
use serde_json::{Map, Value};

use crate::engine::context::Context;
use crate::engine::lists::ListCache;
use crate::engine::principal::Principal;
use crate::engine::{BoxFuture, MCPServer};
use crate::handler::error::McpError;
use crate::handler::uri_template::match_uri_template;
use crate::protocol::{
    GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate, Tool,
};

/// The lists a server declares (its capabilities): what may be added to at run time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Declared {
    pub(crate) tools: bool,
    pub(crate) resources: bool,
    pub(crate) prompts: bool,
}

/// The list methods' answers, each serialized once.
#[derive(Debug, Clone)]
pub(crate) struct Lists {
    /// `tools/list` for 2026-07-28 clients, with each tool's `execution`.
    pub(crate) tools: Arc<ListCache>,
    /// `tools/list` for handshake-era clients, without `execution`: tasks are a 2026-07-28
    /// extension, and a 2025-11-25 client would read `taskSupport` as the experimental tasks
    /// of that revision.
    pub(crate) legacy_tools: Arc<ListCache>,
    pub(crate) resources: Arc<ListCache>,
    pub(crate) templates: Arc<ListCache>,
    pub(crate) prompts: Arc<ListCache>,
}

/// The two `tools/list` answers for `tools`.
fn tool_lists<'a>(tools: impl Iterator<Item = &'a Tool>) -> (Arc<ListCache>, Arc<ListCache>) {
    let tools: Vec<&Tool> = tools.collect();
    let modern = Arc::new(ListCache::new("tools", &tools, |t| &t.name));
    if tools.iter().all(|t| t.execution.is_none()) {
        return (modern.clone(), modern);
    }
    let legacy: Vec<Tool> = tools
        .iter()
        .map(|t| Tool {
            execution: None,
            ..(*t).clone()
        })
        .collect();
    (
        modern,
        Arc::new(ListCache::new("tools", &legacy, |t| &t.name)),
    )
}

/// What the server listed when it started.
#[derive(Debug)]
pub(crate) struct Base {
    tools: Vec<Tool>,
    tool_index: HashMap<String, usize>,
    resources: Vec<Resource>,
    resource_uris: HashSet<String>,
    templates: Vec<ResourceTemplate>,
    prompts: Vec<Prompt>,
    prompt_names: HashSet<String>,
    lists: Lists,
}

impl Base {
    /// What a server listed, serialized once.
    pub(crate) fn new(
        tools: Vec<Tool>,
        resources: Vec<Resource>,
        templates: Vec<ResourceTemplate>,
        prompts: Vec<Prompt>,
    ) -> Self {
        let (modern, legacy) = tool_lists(tools.iter());
        let lists = Lists {
            tools: modern,
            legacy_tools: legacy,
            resources: Arc::new(ListCache::new("resources", &resources, |r| &r.uri)),
            templates: Arc::new(ListCache::new("resourceTemplates", &templates, |t| {
                &t.uri_template
            })),
            prompts: Arc::new(ListCache::new("prompts", &prompts, |p| &p.name)),
        };
        Base {
            tool_index: tools
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i))
                .collect(),
            resource_uris: resources.iter().map(|r| r.uri.clone()).collect(),
            prompt_names: prompts.iter().map(|p| p.name.clone()).collect(),
            tools,
            resources,
            templates,
            prompts,
            lists,
        }
    }

    fn tool(&self, name: &str) -> Option<&Tool> {
        self.tool_index.get(name).map(|&i| &self.tools[i])
    }
}

/// Run-time entries of one kind, in the order they were added, found by key.
#[derive(Debug)]
struct Entries<T> {
    items: Vec<Arc<T>>,
    index: HashMap<String, usize>,
}

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Clone for Entries<T> {
    fn clone(&self) -> Self {
        Entries {
            items: self.items.clone(),
            index: self.index.clone(),
        }
    }
}

impl<T> Entries<T> {
    fn get(&self, key: &str) -> Option<&Arc<T>> {
        self.index.get(key).map(|&i| &self.items[i])
    }

    fn contains(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|item| &**item)
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds `item` under `key` (known to be free).
    fn push(&mut self, key: String, item: T) {
        self.index.insert(key, self.items.len());
        self.items.push(Arc::new(item));
    }

    /// Removes the entry `key`; `false` when there is none.
    fn remove(&mut self, key: &str, key_of: impl Fn(&T) -> &str) -> bool {
        let Some(at) = self.index.remove(key) else {
            return false;
        };
        self.items.remove(at);
        for (i, item) in self.items.iter().enumerate().skip(at) {
            self.index.insert(key_of(item).to_owned(), i);
        }
        true
    }
}

/// What changed since the server started.
#[derive(Debug)]
pub(crate) struct Live {
    disabled: HashSet<String>,
    tools: Entries<ToolDef>,
    resources: Entries<ResourceDef>,
    templates: Entries<ResourceDef>,
    prompts: Entries<PromptDef>,
    lists: Lists,
}

/// How a `tools/call` goes on.
pub(crate) enum ToolRoute {
    /// To the server's own `call_tool` (which says whether the tool exists).
    Static,
    /// To a tool added at run time.
    RunTime(Arc<ToolDef>),
    /// Nowhere: disabled, hidden from the caller, or removed.
    Unknown,
}

/// What the server offers now, and who may see which tool.
#[derive(Debug)]
pub(crate) struct Registry {
    base: Base,
    live: ArcSwapOption<Live>,
    /// Changes are made one at a time, each on the one before.
    changes: Mutex<()>,
    filter: Option<ToolFilter>,
    declared: Declared,
}

/// The registry as one request reads it: the lists stay as they were when it started.
pub(crate) struct Snapshot<'a> {
    base: &'a Base,
    live: Guard<Option<Arc<Live>>>,
}

impl Snapshot<'_> {
    /// The lists to answer from.
    pub(crate) fn lists(&self) -> &Lists {
        match &*self.live {
            Some(live) => &live.lists,
            None => &self.base.lists,
        }
    }

    /// The tool `name`, the server's own or one added at run time.
    pub(crate) fn tool(&self, name: &str) -> Option<&Tool> {
        let added = self.live.as_ref().and_then(|live| live.tools.get(name));
        added.map(|def| def.tool()).or_else(|| self.base.tool(name))
    }
}

impl Registry {
    /// A registry of what the server listed at start.
    pub(crate) fn new(base: Base, declared: Declared, filter: Option<ToolFilter>) -> Self {
        Registry {
            base,
            live: ArcSwapOption::empty(),
            changes: Mutex::new(()),
            filter,
            declared,
        }
    }

    /// The lists and tools as they are now.
    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            base: &self.base,
            live: self.live.load(),
        }
    }

    /// Which tools a caller sees, when the server filters them.
    pub(crate) fn filter(&self) -> Option<&ToolFilter> {
        self.filter.as_ref()
    }

    /// The tools the server listed at start.
    pub(crate) fn static_tools(&self) -> &[Tool] {
        &self.base.tools
    }

    /// Where a call of the tool `name` by `caller` goes. A server that was never changed at
    /// run time and filters nothing pays one atomic load here.
    pub(crate) fn route_tool(&self, name: &str, caller: Option<&Principal>) -> ToolRoute {
        let live = self.live.load();
        if let Some(live) = &*live {
            if live.disabled.contains(name) {
                return ToolRoute::Unknown;
            }
            if let Some(def) = live.tools.get(name) {
                return match &self.filter {
                    Some(filter) if !filter.allows(caller, def.tool()) => ToolRoute::Unknown,
                    _ => ToolRoute::RunTime(def.clone()),
                };
            }
        }
        match (&self.filter, self.base.tool(name)) {
            (Some(filter), Some(tool)) if !filter.allows(caller, tool) => ToolRoute::Unknown,
            _ => ToolRoute::Static,
        }
    }

    /// Whether the tool `name` exists, is enabled and `caller` sees it.
    pub(crate) fn callable(&self, name: &str, caller: Option<&Principal>) -> bool {
        match self.route_tool(name, caller) {
            ToolRoute::Unknown => false,
            ToolRoute::RunTime(_) => true,
            ToolRoute::Static => self.base.tool_index.contains_key(name),
        }
    }

    /// The tool `name` when it was added at run time, is enabled and `caller` sees it.
    pub(crate) fn run_time_tool(
        &self,
        name: &str,
        caller: Option<&Principal>,
    ) -> Option<Arc<ToolDef>> {
        match self.route_tool(name, caller) {
            ToolRoute::RunTime(def) => Some(def),
            _ => None,
        }
    }

    /// Whether a tool of that name exists and is enabled (whoever calls).
    pub(crate) fn is_tool_enabled(&self, name: &str) -> bool {
        let live = self.live.load();
        match &*live {
            None => self.base.tool_index.contains_key(name),
            Some(live) => {
                !live.disabled.contains(name)
                    && (live.tools.contains(name) || self.base.tool_index.contains_key(name))
            }
        }
    }

    /// Reads the resource at `uri`: a fixed URI added at run time, then the server's own
    /// resources and templates, then templates added at run time. `None` when none serves it.
    pub(crate) fn read_resource<'a>(
        &self,
        server: &'a dyn MCPServer,
        uri: &str,
        ctx: Context,
    ) -> Option<BoxFuture<'a, Result<ReadResourceResult, McpError>>> {
        let Some(live) = self.live.load_full() else {
            return server.read_resource(uri, ctx);
        };
        if let Some(def) = live.resources.get(uri) {
            return Some(def.read(uri, ctx));
        }
        if live.templates.is_empty() {
            return server.read_resource(uri, ctx);
        }
        if let Some(reading) = server.read_resource(uri, ctx.clone()) {
            return Some(reading);
        }
        live.templates
            .iter()
            .find_map(|def| def.read_matching(uri, ctx.clone()))
    }

    /// Renders the prompt `name`, one added at run time or the server's own.
    pub(crate) fn get_prompt<'a>(
        &self,
        server: &'a dyn MCPServer,
        name: &str,
        arguments: Option<Map<String, Value>>,
        ctx: Context,
    ) -> Option<BoxFuture<'a, Result<GetPromptResult, McpError>>> {
        let live = self.live.load();
        let added = live.as_ref().and_then(|live| live.prompts.get(name));
        match added {
            Some(def) => Some(def.get(arguments, ctx)),
            None => server.get_prompt(name, arguments, ctx),
        }
    }

    /// Whether a client may subscribe to `uri`: a listed resource, or one a template matches.
    pub(crate) fn knows_resource(&self, uri: &str) -> bool {
        let known = self.base.resource_uris.contains(uri)
            || self
                .base
                .templates
                .iter()
                .any(|t| match_uri_template(&t.uri_template, uri).is_some());
        known
            || self.live.load().as_ref().is_some_and(|live| {
                live.resources.contains(uri) || live.templates.iter().any(|t| t.serves(uri))
            })
    }

    /// Every fixed resource now: the server's own, then those added at run time.
    pub(crate) fn resources(&self) -> Vec<Resource> {
        let mut all = self.base.resources.clone();
        if let Some(live) = &*self.live.load() {
            all.extend(
                live.resources
                    .iter()
                    .filter_map(ResourceDef::resource)
                    .cloned(),
            );
        }
        all
    }
}
