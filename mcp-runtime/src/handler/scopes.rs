//! [`RequiredScopes`]: the OAuth scopes a server's tools, resources and prompts require.

use std::borrow::Cow;

use crate::handler::uri_template::match_uri_template;

/// The OAuth scopes a caller needs, as `#[tool(scopes = [...])]`, `#[resource(scopes = [...])]`,
/// `#[prompt(scopes = [...])]` and `#[mcp_server(scopes = [...])]` declare them (the server's
/// apply to every tool, resource and prompt, on top of their own).
///
/// The transport checks them against the request's [`Principal`](crate::Principal) before the
/// handler runs, in both eras and for calls that become tasks: a caller without one of them
/// gets HTTP 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`, and
/// may step up to a token that has it in the same session.
///
/// ```
/// use mcp_runtime::RequiredScopes;
///
/// let scopes = RequiredScopes::new(&["mcp:read"])
///     .tool("admin_reset", &["mcp:admin"])
///     .resource("notes://{id}", &["notes:read"]);
/// assert_eq!(scopes.for_tool("admin_reset"), ["mcp:read", "mcp:admin"]);
/// assert_eq!(scopes.for_tool("whoami"), ["mcp:read"]);
/// assert_eq!(scopes.for_resource("notes://7"), ["mcp:read", "notes:read"]);
/// assert!(RequiredScopes::default().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequiredScopes {
    server: Vec<&'static str>,
    tools: Vec<Entry>,
    prompts: Vec<Entry>,
    /// Fixed URIs and URI templates.
    resources: Vec<Entry>,
}

/// A tool, prompt or resource and the scopes it requires: as the macros write them
/// (`'static`), or made at start ([`Composite`](crate::Composite) renames its members' tools).
type Entry = (Cow<'static, str>, Cow<'static, [&'static str]>);

impl RequiredScopes {
    /// Scopes every tool, resource and prompt requires.
    pub fn new(server: &[&'static str]) -> Self {
        RequiredScopes {
            server: server.to_vec(),
            ..Default::default()
        }
    }

    /// Scopes the tool `name` requires.
    pub fn tool(mut self, name: &'static str, scopes: &'static [&'static str]) -> Self {
        self.tools.push((name.into(), scopes.into()));
        self
    }

    /// Scopes the prompt `name` requires.
    pub fn prompt(mut self, name: &'static str, scopes: &'static [&'static str]) -> Self {
        self.prompts.push((name.into(), scopes.into()));
        self
    }

    /// Scopes the resource at `uri` (a fixed URI or a `{param}` template) requires.
    pub fn resource(mut self, uri: &'static str, scopes: &'static [&'static str]) -> Self {
        self.resources.push((uri.into(), scopes.into()));
        self
    }

    /// [`tool`](Self::tool), [`prompt`](Self::prompt) and [`resource`](Self::resource) for
    /// names made at run time.
    pub(crate) fn push_owned(&mut self, kind: ScopedKind, name: String, scopes: Vec<&'static str>) {
        let list = match kind {
            ScopedKind::Tool => &mut self.tools,
            ScopedKind::Prompt => &mut self.prompts,
            ScopedKind::Resource => &mut self.resources,
        };
        list.push((name.into(), scopes.into()));
    }

    /// Whether nothing requires a scope.
    pub fn is_empty(&self) -> bool {
        self.server.is_empty()
            && [&self.tools, &self.prompts, &self.resources]
                .iter()
                .all(|list| list.iter().all(|(_, scopes)| scopes.is_empty()))
    }

    /// What calling the tool `name` requires.
    pub fn for_tool(&self, name: &str) -> Vec<&'static str> {
        self.with_server(own(&self.tools, |n| n == name))
    }

    /// What getting the prompt `name` requires.
    pub fn for_prompt(&self, name: &str) -> Vec<&'static str> {
        self.with_server(own(&self.prompts, |n| n == name))
    }

    /// What reading the resource at `uri` requires: its fixed URI's scopes, else the first
    /// matching template's.
    pub fn for_resource(&self, uri: &str) -> Vec<&'static str> {
        let exact = self.resources.iter().find(|(u, _)| *u == uri);
        let matched = exact.or_else(|| {
            self.resources
                .iter()
                .find(|(template, _)| match_uri_template(template, uri).is_some())
        });
        self.with_server(matched.map_or(&[][..], |(_, scopes)| scopes))
    }

    fn with_server(&self, own: &[&'static str]) -> Vec<&'static str> {
        let mut all = self.server.clone();
        for scope in own {
            if !all.contains(scope) {
                all.push(scope);
            }
        }
        all
    }
}

/// Which list [`RequiredScopes::push_owned`] adds to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ScopedKind {
    Tool,
    Prompt,
    Resource,
}

fn own(list: &[Entry], is: impl Fn(&str) -> bool) -> &[&'static str] {
    list.iter().find(|(n, _)| is(n)).map_or(&[], |(_, s)| s)
}
