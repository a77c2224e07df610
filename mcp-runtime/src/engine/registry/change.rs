//! Changing what the server offers: each change is checked whole, then swapped in at once.

use std::collections::HashSet;
use std::sync::Arc;

use super::resource_def::Kind;
use super::{Base, Entries, Lists, Live, PromptDef, Registry, ResourceDef, ToolDef, tool_lists};
use crate::engine::lists::ListCache;
use crate::handler::uri_template::uri_template_variables;
use crate::recover::lock;

/// Why a tool, resource or prompt could not be added. Nothing of a refused change is applied.
///
/// ```
/// use mcp_runtime::{RegistrationError, ToolDef};
/// use mcp_runtime::testing::TestClient;
/// # use mcp_runtime::{mcp_server, tool};
/// # struct Static;
/// # #[mcp_server]
/// # impl Static {
/// #     /// Add.
/// #     #[tool]
/// #     fn add(&self, a: i64, b: i64) -> i64 { a + b }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Static).await;
/// let again = ToolDef::raw("add", "", serde_json::json!({"type": "object"}), |_, _| async { 0 });
/// assert_eq!(
///     client.server_handle().add_tool(again),
///     Err(RegistrationError::DuplicateTool("add".into()))
/// );
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// A tool of that name exists: the server's own, or one added before.
    #[error("there is already a tool named `{0}`")]
    DuplicateTool(String),
    /// A resource at that URI exists.
    #[error("there is already a resource at `{0}`")]
    DuplicateResource(String),
    /// A resource template with that URI template exists.
    #[error("there is already a resource template `{0}`")]
    DuplicateTemplate(String),
    /// A prompt of that name exists.
    #[error("there is already a prompt named `{0}`")]
    DuplicatePrompt(String),
    /// The tool, resource or prompt has an empty name (or URI).
    #[error("a {0} needs a name")]
    EmptyName(&'static str),
    /// The tool's input schema is not a JSON Schema object with `"type": "object"`.
    #[error("the input schema of tool `{0}` is not an object schema (`\"type\": \"object\"`)")]
    NotAnObjectSchema(String),
    /// The URI template has no `{name}`: add a fixed resource with [`ResourceDef::new`].
    #[error("`{0}` is not a URI template: it has no `{{name}}`")]
    NotATemplate(String),
    /// The server does not declare this capability (it had none of them at start), so clients
    /// would not look for them: declare it with
    /// [`ServerConfig::declare_tools`](crate::ServerConfig::declare_tools),
    /// [`declare_resources`](crate::ServerConfig::declare_resources) or
    /// [`declare_prompts`](crate::ServerConfig::declare_prompts).
    #[error(
        "the server does not declare `{0}`: it had none at start; declare them with `ServerConfig::declare_{0}`"
    )]
    NotDeclared(&'static str),
}

/// Which lists a change touched: each gets its `list_changed` notification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Changed {
    pub(crate) tools: bool,
    pub(crate) resources: bool,
    pub(crate) prompts: bool,
}

impl Changed {
    fn any(self) -> bool {
        self.tools || self.resources || self.prompts
    }
}

/// The next [`Live`], being made.
#[derive(Default)]
struct Draft {
    disabled: HashSet<String>,
    tools: Entries<ToolDef>,
    resources: Entries<ResourceDef>,
    templates: Entries<ResourceDef>,
    prompts: Entries<PromptDef>,
    changed: Changed,
}

impl Draft {
    fn of(live: &Live) -> Self {
        Draft {
            disabled: live.disabled.clone(),
            tools: live.tools.clone(),
            resources: live.resources.clone(),
            templates: live.templates.clone(),
            prompts: live.prompts.clone(),
            changed: Changed::default(),
        }
    }

    /// The new lists: those the change touched made anew, the others shared.
    fn build(self, base: &Base, previous: &Lists) -> Live {
        let mut lists = previous.clone();
        let changed = self.changed;
        if changed.tools {
            let disabled = &self.disabled;
            let tools = base
                .tools
                .iter()
                .chain(self.tools.iter().map(ToolDef::tool))
                .filter(|t| !disabled.contains(&t.name));
            (lists.tools, lists.legacy_tools) = tool_lists(tools);
        }
        if changed.resources {
            let resources: Vec<_> = (base.resources.iter())
                .chain(self.resources.iter().filter_map(ResourceDef::resource))
                .collect();
            lists.resources = Arc::new(ListCache::new("resources", &resources, |r| &r.uri));
            let templates: Vec<_> = (base.templates.iter())
                .chain(
                    self.templates
                        .iter()
                        .filter_map(ResourceDef::resource_template),
                )
                .collect();
            lists.templates = Arc::new(ListCache::new("resourceTemplates", &templates, |t| {
                &t.uri_template
            }));
        }
        if changed.prompts {
            let prompts: Vec<_> = (base.prompts.iter())
                .chain(self.prompts.iter().map(PromptDef::prompt))
                .collect();
            lists.prompts = Arc::new(ListCache::new("prompts", &prompts, |p| &p.name));
        }
        Live {
            disabled: self.disabled,
            tools: self.tools,
            resources: self.resources,
            templates: self.templates,
            prompts: self.prompts,
            lists,
        }
    }
}

impl Registry {
    /// Applies `edit` to what the server offers now, whole or not at all.
    fn change<T>(
        &self,
        edit: impl FnOnce(&Base, &mut Draft) -> Result<T, RegistrationError>,
    ) -> Result<(T, Changed), RegistrationError> {
        let _one_at_a_time = lock(&self.changes);
        let current = self.live.load_full();
        let mut draft = current.as_deref().map(Draft::of).unwrap_or_default();
        let outcome = edit(&self.base, &mut draft)?;
        let changed = draft.changed;
        if changed.any() {
            let previous = current.as_deref().map_or(&self.base.lists, |l| &l.lists);
            let live = draft.build(&self.base, previous);
            self.live.store(Some(Arc::new(live)));
        }
        Ok((outcome, changed))
    }

    /// Adds tools, all or none.
    pub(crate) fn add_tools(
        &self,
        defs: impl IntoIterator<Item = ToolDef>,
    ) -> Result<Changed, RegistrationError> {
        if !self.declared.tools {
            return Err(RegistrationError::NotDeclared("tools"));
        }
        let (_, changed) = self.change(|base, draft| {
            for def in defs {
                let name = def.tool().name.clone();
                if name.is_empty() {
                    return Err(RegistrationError::EmptyName("tool"));
                }
                let schema = &def.tool().input_schema;
                if def.not_an_object
                    || schema.get("type").and_then(|t| t.as_str()) != Some("object")
                {
                    return Err(RegistrationError::NotAnObjectSchema(name));
                }
                if base.tool_index.contains_key(&name) || draft.tools.contains(&name) {
                    return Err(RegistrationError::DuplicateTool(name));
                }
                draft.disabled.remove(&name);
                draft.tools.push(name, def);
                draft.changed.tools = true;
            }
            Ok(())
        })?;
        Ok(changed)
    }

    /// Removes a tool added at run time: `false` when there is none of that name (the server's
    /// own tools are disabled, not removed).
    pub(crate) fn remove_tool(&self, name: &str) -> Changed {
        self.change(|_, draft| {
            if draft.tools.remove(name, |def| &def.tool().name) {
                draft.disabled.remove(name);
                draft.changed.tools = true;
            }
            Ok(())
        })
        .map_or_else(|_| Changed::default(), |(_, changed)| changed)
    }

    /// Shows or hides a tool; `None` when there is no tool of that name.
    pub(crate) fn set_tool_enabled(&self, name: &str, enabled: bool) -> Option<Changed> {
        let known = self.change(|base, draft| {
            if !base.tool_index.contains_key(name) && !draft.tools.contains(name) {
                return Ok(false);
            }
            draft.changed.tools = if enabled {
                draft.disabled.remove(name)
            } else {
                draft.disabled.insert(name.to_owned())
            };
            Ok(true)
        });
        match known {
            Ok((true, changed)) => Some(changed),
            _ => None,
        }
    }

    /// Adds a resource or a template.
    pub(crate) fn add_resource(&self, def: ResourceDef) -> Result<Changed, RegistrationError> {
        if !self.declared.resources {
            return Err(RegistrationError::NotDeclared("resources"));
        }
        let (_, changed) = self.change(|base, draft| {
            let uri = def.uri().to_owned();
            let name_empty = match &def.kind {
                Kind::Fixed(r) => r.name.is_empty(),
                Kind::Template(t) => t.name.is_empty(),
            };
            if uri.is_empty() || name_empty {
                return Err(RegistrationError::EmptyName("resource"));
            }
            match &def.kind {
                Kind::Fixed(_) => {
                    if base.resource_uris.contains(&uri) || draft.resources.contains(&uri) {
                        return Err(RegistrationError::DuplicateResource(uri));
                    }
                    draft.resources.push(uri, def);
                }
                Kind::Template(_) => {
                    if uri_template_variables(&uri).is_empty() {
                        return Err(RegistrationError::NotATemplate(uri));
                    }
                    let taken = base.templates.iter().any(|t| t.uri_template == uri);
                    if taken || draft.templates.contains(&uri) {
                        return Err(RegistrationError::DuplicateTemplate(uri));
                    }
                    draft.templates.push(uri, def);
                }
            }
            draft.changed.resources = true;
            Ok(())
        })?;
        Ok(changed)
    }

    /// Removes a resource or template added at run time, by its URI or URI template.
    pub(crate) fn remove_resource(&self, uri: &str) -> Changed {
        self.change(|_, draft| {
            draft.changed.resources = draft.resources.remove(uri, ResourceDef::uri)
                || draft.templates.remove(uri, ResourceDef::uri);
            Ok(())
        })
        .map_or_else(|_| Changed::default(), |(_, changed)| changed)
    }

    /// Adds a prompt.
    pub(crate) fn add_prompt(&self, def: PromptDef) -> Result<Changed, RegistrationError> {
        if !self.declared.prompts {
            return Err(RegistrationError::NotDeclared("prompts"));
        }
        let (_, changed) = self.change(|base, draft| {
            let name = def.prompt().name.clone();
            if name.is_empty() {
                return Err(RegistrationError::EmptyName("prompt"));
            }
            if base.prompt_names.contains(&name) || draft.prompts.contains(&name) {
                return Err(RegistrationError::DuplicatePrompt(name));
            }
            draft.prompts.push(name, def);
            draft.changed.prompts = true;
            Ok(())
        })?;
        Ok(changed)
    }

    /// Removes a prompt added at run time.
    pub(crate) fn remove_prompt(&self, name: &str) -> Changed {
        self.change(|_, draft| {
            draft.changed.prompts = draft.prompts.remove(name, |def| &def.prompt().name);
            Ok(())
        })
        .map_or_else(|_| Changed::default(), |(_, changed)| changed)
    }
}
