//! What a server offers, as it is now: the tools, resources, templates and prompts it listed
//! at start, those added while it runs, the tools disabled, and who may see which tool.
//!
//! Changes are rare and requests many. A change builds a new [`Live`] (the lists that changed
//! serialized anew) and swaps it in; a request reads it with one atomic load. A server that was
//! never changed at run time reads `None` there and answers from what it listed at start.

mod base;
mod change;
mod entries;
mod prompt_def;
mod resource_def;
mod tool_def;
mod visibility;

use base::tool_lists;
pub(crate) use base::{Base, Lists};
pub(crate) use change::Changed;
pub use change::RegistrationError;
use entries::Entries;
pub use prompt_def::PromptDef;
pub use resource_def::{ResourceDef, UriVariables};
pub use tool_def::ToolDef;
pub use visibility::ToolFilter;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use arc_swap::{ArcSwapOption, Guard};
use serde_json::{Map, Value};

use crate::engine::context::Context;
use crate::engine::principal::Principal;
use crate::engine::{BoxFuture, MCPServer};
use crate::handler::error::McpError;
use crate::handler::uri_template::match_uri_template;
use crate::protocol::{GetPromptResult, ReadResourceResult, Resource, Tool};

/// The lists a server declares (its capabilities): what may be added to at run time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Declared {
    pub(crate) tools: bool,
    pub(crate) resources: bool,
    pub(crate) prompts: bool,
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
        // Without a filter, no lookup: the server's `call_tool` says whether the tool exists.
        let Some(filter) = &self.filter else {
            return ToolRoute::Static;
        };
        match self.base.tool(name) {
            Some(tool) if !filter.allows(caller, tool) => ToolRoute::Unknown,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        let tool = Tool::new(
            "add",
            serde_json::json!({"type": "object"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let declared = Declared {
            tools: true,
            resources: true,
            prompts: true,
        };
        Registry::new(
            Base::new(vec![tool], Vec::new(), Vec::new(), Vec::new()),
            declared,
            None,
        )
    }

    /// A server nothing was changed on answers from its start-up lists: no snapshot to read.
    /// Changes that change nothing, and refused ones, leave it so.
    #[test]
    fn only_a_real_change_makes_a_snapshot() {
        let registry = registry();
        assert!(registry.live.load().is_none());
        assert_eq!(registry.set_tool_enabled("missing", false), None);
        assert_eq!(
            registry.set_tool_enabled("add", true),
            Some(Changed::default())
        );
        assert!(
            !registry.remove_tool("add").tools,
            "the server's own is not removed"
        );
        assert!(!registry.remove_prompt("none").prompts);
        let again = ToolDef::raw(
            "add",
            "",
            serde_json::json!({"type": "object"}),
            |_, _| async { 0 },
        );
        assert!(registry.add_tools([again]).is_err());
        assert!(registry.live.load().is_none());
        assert!(matches!(
            registry.route_tool("add", None),
            ToolRoute::Static
        ));

        let changed = registry.set_tool_enabled("add", false).unwrap();
        assert!(changed.tools);
        assert!(registry.live.load().is_some());
        assert!(matches!(
            registry.route_tool("add", None),
            ToolRoute::Unknown
        ));
        let now = registry.snapshot();
        let page = now.lists().tools.page(None, None, |_| false).unwrap();
        let listed = serde_json::to_value(&page).unwrap();
        assert_eq!(
            listed,
            serde_json::json!({"tools": []}),
            "disabled: not listed"
        );
    }
}
