//! A notes server on SQLite: tools to create, update, search and delete notes; each note a
//! resource (`notes://{id}`) with completions on ids, whose subscribers hear when it changes;
//! a prompt that summarizes notes. The notes survive a restart.
//!
//! ```text
//! cargo run --example notes_sqlite                 # http://127.0.0.1:8000/mcp
//! NOTES_DB=./notes.sqlite3 cargo run --example notes_sqlite 127.0.0.1:9000
//! ```
//!
//! The database is the file `NOTES_DB` names, by default `mcp-notes.sqlite3` in the system's
//! temporary directory; its schema is migrated at start (see `store.rs`). SQLite
//! comes through `rusqlite` with SQLite compiled in, and each query runs on tokio's blocking
//! pool: a SQLite call blocks, and the server's worker threads must not.

mod store;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use mcp_runtime::{
    Content, Context, Json, McpError, Mode, PromptMessage, mcp_server, prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Serialize;

use self::store::{Note, Store, StoreError};

/// How many notes a search returns, and a summary reads.
const LIMIT: u32 = 50;

/// The notes server: its state is the database.
#[derive(Debug, Clone)]
struct Notes {
    store: Store,
}

/// A note just created.
#[derive(Debug, Serialize, JsonSchema)]
struct Created {
    /// The note's id.
    id: i64,
    /// The note as a resource.
    uri: String,
}

/// What a search found.
#[derive(Debug, Serialize, JsonSchema)]
struct Found {
    /// The notes, newest first.
    notes: Vec<Summary>,
}

/// A note in search results.
#[derive(Debug, Serialize, JsonSchema)]
struct Summary {
    id: i64,
    uri: String,
    title: String,
    /// The start of the body.
    preview: String,
    /// When it last changed (UTC, ISO 8601).
    updated: String,
}

impl From<Note> for Summary {
    fn from(note: Note) -> Self {
        Summary {
            uri: uri(note.id),
            id: note.id,
            title: note.title,
            preview: note.body.chars().take(80).collect(),
            updated: note.updated_at,
        }
    }
}

fn uri(id: i64) -> String {
    format!("notes://{id}")
}

/// A note as the text of its resource.
fn markdown(note: &Note) -> String {
    format!("# {}\n\n{}\n", note.title, note.body)
}

impl From<StoreError> for McpError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(id) => McpError::resource_not_found(&uri(id)),
            other => McpError::internal(other),
        }
    }
}

#[mcp_server(
    name = "notes",
    version = "1.0.0",
    instructions = "Notes kept in SQLite. Each note is the resource notes://{id}."
)]
impl Notes {
    /// Create a note; returns its id and its resource URI.
    #[tool]
    async fn create_note(&self, title: String, body: String) -> Result<Json<Created>, StoreError> {
        let id = self.store.create(title, body).await?;
        Ok(Json(Created { id, uri: uri(id) }))
    }

    /// Change a note's title, body or both; subscribers of its URI hear about it.
    #[tool(idempotent)]
    async fn update_note(
        &self,
        id: i64,
        title: Option<String>,
        body: Option<String>,
        ctx: Context,
    ) -> Result<String, StoreError> {
        self.store.update(id, title, body).await?;
        ctx.server().notify_resource_updated(uri(id));
        Ok(format!("updated note {id}"))
    }

    /// Find notes whose title or body contains `query` (any case), newest first.
    #[tool(read_only)]
    async fn search_notes(&self, query: String) -> Result<Json<Found>, StoreError> {
        let notes = self.store.search(query, LIMIT).await?;
        Ok(Json(Found {
            notes: notes.into_iter().map(Summary::from).collect(),
        }))
    }

    /// Delete a note for good; subscribers of its URI hear about it.
    #[tool(destructive)]
    async fn delete_note(&self, id: i64, ctx: Context) -> Result<String, StoreError> {
        self.store.delete(id).await?;
        ctx.server().notify_resource_updated(uri(id));
        Ok(format!("deleted note {id}"))
    }

    /// A note, as Markdown.
    #[resource(uri = "notes://{id}", mime_type = "text/markdown", complete(id = note_ids))]
    async fn note(&self, id: i64) -> Result<String, McpError> {
        Ok(markdown(&self.store.get(id).await?))
    }

    /// Summarize the notes (those containing `query`, or all).
    #[prompt(title = "Summarize notes")]
    async fn summarize_notes(
        &self,
        /// Only the notes containing this text.
        query: Option<String>,
    ) -> Result<Vec<PromptMessage>, McpError> {
        let notes = self
            .store
            .search(query.clone().unwrap_or_default(), LIMIT)
            .await?;
        let which = match &query {
            Some(query) => format!("notes containing {query:?}"),
            None => "notes".to_owned(),
        };
        if notes.is_empty() {
            return Ok(vec![PromptMessage::user(format!(
                "There are no {which}. Say so."
            ))]);
        }
        let mut messages = vec![PromptMessage::user(format!(
            "Summarize these {} {which} in a few sentences.",
            notes.len()
        ))];
        messages.extend(notes.iter().map(|note| {
            let text = Content::embedded_text(uri(note.id), "text/markdown", markdown(note));
            PromptMessage::new(mcp_runtime::protocol::Role::User, text)
        }));
        Ok(messages)
    }

    /// Completes note ids from the digits typed so far.
    async fn note_ids(&self, typed: String) -> Result<Vec<String>, McpError> {
        let ids = self.store.ids_starting_with(typed).await?;
        Ok(ids.iter().map(i64::to_string).collect())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let path = std::env::var_os("NOTES_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("mcp-notes.sqlite3"));
    let store = Store::open(&path)?;
    tracing::info!(db = %path.display(), "notes database open");
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    mcp_runtime::serve(Notes { store }, addr, Mode::Stateful).await?;
    Ok(())
}
