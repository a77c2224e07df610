//! The notes in SQLite: versioned migrations, and each query on tokio's blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

/// The schema, one migration per version: `PRAGMA user_version` counts those applied. Add a
/// migration at the end; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the notes. AUTOINCREMENT: a deleted note's id (and URI) never names another note.
    "CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );",
];

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// No note has this id (or it was deleted).
    #[error("no note {0}")]
    NotFound(i64),
    /// A note's title cannot be empty.
    #[error("a note needs a title")]
    EmptyTitle,
    /// The database was written by a newer version of this server.
    #[error("the database has schema version {found}; this server knows up to {known}")]
    NewerSchema { found: i64, known: usize },
    /// SQLite refused.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The blocking task that ran the query failed.
    #[error("the database task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A note as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Note {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) updated_at: String,
}

/// The notes database: one connection, shared. SQLite calls block, so each runs on tokio's
/// blocking pool, never on the threads that serve requests.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    connection: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Store, StoreError> {
        Self::with(Connection::open(path)?)
    }

    /// A database that lives as long as the store (for tests).
    #[cfg(test)]
    pub(crate) fn in_memory() -> Result<Store, StoreError> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(mut connection: Connection) -> Result<Store, StoreError> {
        // Another process holding the file (a second server, the sqlite3 shell) waits a little.
        connection.busy_timeout(Duration::from_secs(5))?;
        migrate(&mut connection)?;
        Ok(Store {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `query` on the blocking pool with the connection.
    async fn run<T, F>(&self, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let connection = self.connection.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            // A panic mid-query rolled its statement back: the connection is sound.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            query(&mut connection)
        })
        .await
        .map_err(StoreError::from)
        .and_then(|outcome| outcome);
        if let Err(e @ (StoreError::Database(_) | StoreError::Task(_))) = &outcome {
            tracing::error!(error = %e, "notes database");
        }
        outcome
    }

    /// Adds a note; returns its id.
    pub(crate) async fn create(&self, title: String, body: String) -> Result<i64, StoreError> {
        if title.trim().is_empty() {
            return Err(StoreError::EmptyTitle);
        }
        self.run(move |db| {
            db.execute(
                "INSERT INTO notes (title, body) VALUES (?1, ?2)",
                params![title, body],
            )?;
            Ok(db.last_insert_rowid())
        })
        .await
    }

    /// Changes a note's title, body, or both.
    pub(crate) async fn update(
        &self,
        id: i64,
        title: Option<String>,
        body: Option<String>,
    ) -> Result<(), StoreError> {
        if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(StoreError::EmptyTitle);
        }
        let changed = self
            .run(move |db| {
                Ok(db.execute(
                    "UPDATE notes SET title = coalesce(?2, title), body = coalesce(?3, body),
                        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                     WHERE id = ?1",
                    params![id, title, body],
                )?)
            })
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// The note `id`.
    pub(crate) async fn get(&self, id: i64) -> Result<Note, StoreError> {
        self.run(move |db| {
            db.query_row(
                "SELECT id, title, body, updated_at FROM notes WHERE id = ?1",
                [id],
                note,
            )
            .optional()?
            .ok_or(StoreError::NotFound(id))
        })
        .await
    }

    /// At most `limit` notes whose title or body contains `text` (ASCII letters in any case),
    /// the newest first; every note for an empty `text`.
    pub(crate) async fn search(&self, text: String, limit: u32) -> Result<Vec<Note>, StoreError> {
        self.run(move |db| {
            let pattern = format!("%{}%", escape_like(&text));
            let mut statement = db.prepare(
                "SELECT id, title, body, updated_at FROM notes
                 WHERE title LIKE ?1 ESCAPE '\\' OR body LIKE ?1 ESCAPE '\\'
                 ORDER BY id DESC LIMIT ?2",
            )?;
            let notes = statement
                .query_map(params![pattern, limit], note)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(notes)
        })
        .await
    }

    /// Deletes the note `id`.
    pub(crate) async fn delete(&self, id: i64) -> Result<(), StoreError> {
        let deleted = self
            .run(move |db| Ok(db.execute("DELETE FROM notes WHERE id = ?1", [id])?))
            .await?;
        if deleted == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// The ids that start with `typed` (at most 100, smallest first): completions.
    pub(crate) async fn ids_starting_with(&self, typed: String) -> Result<Vec<i64>, StoreError> {
        self.run(move |db| {
            let pattern = format!("{}%", escape_like(&typed));
            let mut statement = db.prepare(
                "SELECT id FROM notes WHERE CAST(id AS TEXT) LIKE ?1 ESCAPE '\\'
                 ORDER BY id LIMIT 100",
            )?;
            let ids = statement
                .query_map([pattern], |row| row.get(0))?
                .collect::<Result<Vec<i64>, _>>()?;
            Ok(ids)
        })
        .await
    }
}

fn note(row: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: row.get(0)?,
        title: row.get(1)?,
        body: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

/// `text` for a LIKE pattern: its `%`, `_` and `\` match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Applies the migrations the database lacks, each in a transaction with its version bump.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let applied: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = MIGRATIONS.len();
    let Ok(start) = usize::try_from(applied) else {
        return Err(StoreError::NewerSchema {
            found: applied,
            known,
        });
    };
    if start > known {
        return Err(StoreError::NewerSchema {
            found: applied,
            known,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        let version = index + 1;
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", version as i64)?;
        transaction.commit()?;
        tracing::info!(version, "notes database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(store: &Store) -> i64 {
        let db = store.connection.lock().unwrap();
        db.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_every_migration_and_a_newer_one_is_refused() {
        let store = Store::in_memory().unwrap();
        assert_eq!(version(&store), MIGRATIONS.len() as i64);
        {
            let mut db = store.connection.lock().unwrap();
            // Migrating again is a no-op (the table exists: re-running would fail).
            migrate(&mut db).unwrap();
            db.pragma_update(None, "user_version", 99).unwrap();
            let refused = migrate(&mut db).unwrap_err();
            assert_eq!(
                refused.to_string(),
                "the database has schema version 99; this server knows up to 1"
            );
        }
    }

    #[test]
    fn like_patterns_match_their_wildcards_literally() {
        assert_eq!(escape_like(r"50% off_now\"), r"50\% off\_now\\");
    }

    #[tokio::test]
    async fn searches_match_literally_and_newest_first() {
        let store = Store::in_memory().unwrap();
        let a = store.create("sale".into(), "50% off".into()).await.unwrap();
        let b = store
            .create("plain".into(), "500 off".into())
            .await
            .unwrap();
        let found = store.search("0%".into(), 10).await.unwrap();
        assert_eq!(found.iter().map(|n| n.id).collect::<Vec<_>>(), [a]);
        let all = store.search("OFF".into(), 10).await.unwrap();
        assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), [b, a]);
        assert!(matches!(
            store.update(99, Some("x".into()), None).await,
            Err(StoreError::NotFound(99))
        ));
    }
}
