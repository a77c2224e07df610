//! What the server listed when it started, and the list answers made from it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::engine::lists::ListCache;
use crate::protocol::{Prompt, Resource, ResourceTemplate, Tool};

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
pub(super) fn tool_lists<'a>(
    tools: impl Iterator<Item = &'a Tool>,
) -> (Arc<ListCache>, Arc<ListCache>) {
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
    pub(super) tools: Vec<Tool>,
    pub(super) tool_index: HashMap<String, usize>,
    pub(super) resources: Vec<Resource>,
    pub(super) resource_uris: HashSet<String>,
    pub(super) templates: Vec<ResourceTemplate>,
    pub(super) prompts: Vec<Prompt>,
    pub(super) prompt_names: HashSet<String>,
    pub(super) lists: Lists,
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

    pub(super) fn tool(&self, name: &str) -> Option<&Tool> {
        self.tool_index.get(name).map(|&i| &self.tools[i])
    }
}
