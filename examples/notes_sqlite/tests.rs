//! The notes server through `TestClient`, in both protocol eras, on a real SQLite database.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use mcp_runtime::protocol::{CompletionRef, Version};
use mcp_runtime::testing::{ServerNotification, TestClient};
use serde_json::{Value, json};

use super::Notes;
use super::store::Store;

/// A database file of its own in the temporary directory, removed when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "notes-test-{}-{}.sqlite3",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_file(&path);
        TempDb(path)
    }

    fn server(&self) -> Notes {
        Notes {
            store: Store::open(&self.0).expect("the test database opens"),
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn in_memory() -> Notes {
    Notes {
        store: Store::in_memory().expect("an in-memory database"),
    }
}

/// One client per era, each on a database of its own.
async fn clients() -> [TestClient; 2] {
    [
        TestClient::new(in_memory()).await,
        TestClient::modern(in_memory()).await,
    ]
}

/// Creates a note and returns its id, from the structured result.
async fn create(client: &TestClient, title: &str, body: &str) -> i64 {
    let result = client
        .call_tool("create_note", json!({"title": title, "body": body}))
        .await
        .expect("create_note answers");
    assert_eq!(result.is_error, None, "{result:?}");
    let created = result.structured_content.expect("structured content");
    assert_eq!(created["uri"], format!("notes://{}", created["id"]));
    created["id"].as_i64().expect("an integer id")
}

fn text(result: &mcp_runtime::CallToolResult) -> &str {
    result.content[0].as_text().unwrap_or("")
}

#[tokio::test]
async fn tools_are_annotated_for_what_they_do() {
    let client = TestClient::new(in_memory()).await;
    let tools = client.list_tools().await.unwrap();
    let annotations = |name: &str| {
        let tool = tools.iter().find(|t| t.name == name).expect(name);
        serde_json::to_value(&tool.annotations).unwrap()
    };
    assert_eq!(annotations("delete_note"), json!({"destructiveHint": true}));
    assert_eq!(annotations("search_notes"), json!({"readOnlyHint": true}));
    assert_eq!(annotations("update_note"), json!({"idempotentHint": true}));
    let create = tools.iter().find(|t| t.name == "create_note").unwrap();
    assert_eq!(create.input_schema["required"], json!(["title", "body"]));
}

#[tokio::test]
async fn create_search_read_and_complete_in_both_eras() {
    for client in clients().await {
        let era = client.protocol_version();
        let groceries = create(&client, "Groceries", "milk, eggs, 100% rye bread").await;
        let ideas = create(&client, "Ideas", "an MCP server for notes").await;
        assert!(ideas > groceries, "{era}");

        let found = client
            .call_tool("search_notes", json!({"query": "MCP"}))
            .await
            .unwrap();
        let notes = &found.structured_content.unwrap()["notes"];
        assert_eq!(notes.as_array().map(Vec::len), Some(1), "{era}: {notes}");
        assert_eq!(notes[0]["id"], ideas);
        assert_eq!(notes[0]["title"], "Ideas");
        assert_eq!(notes[0]["uri"], format!("notes://{ideas}"));
        // `%` is a character, not a wildcard; an empty query finds everything, newest first.
        let percent = client
            .call_tool("search_notes", json!({"query": "0% r"}))
            .await
            .unwrap();
        assert_eq!(
            percent.structured_content.unwrap()["notes"][0]["id"],
            groceries
        );
        let all = client
            .call_tool("search_notes", json!({"query": ""}))
            .await
            .unwrap();
        let ids: Vec<_> = all.structured_content.unwrap()["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].clone())
            .collect();
        assert_eq!(ids, [json!(ideas), json!(groceries)], "{era}");

        let read = client
            .read_resource(&format!("notes://{groceries}"))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&read.contents).unwrap(),
            json!([{
                "uri": format!("notes://{groceries}"),
                "mimeType": "text/markdown",
                "text": "# Groceries\n\nmilk, eggs, 100% rye bread\n",
            }]),
            "{era}"
        );

        let template = CompletionRef::resource("notes://{id}");
        let all_ids = client.complete(template.clone(), "id", "").await.unwrap();
        assert_eq!(
            all_ids.values,
            [groceries.to_string(), ideas.to_string()],
            "{era}"
        );
        let none = client.complete(template, "id", "9%").await.unwrap();
        assert!(none.values.is_empty(), "{era}: {none:?}");
    }
}

#[tokio::test]
async fn empty_titles_and_missing_notes_are_errors_the_model_can_read() {
    for client in clients().await {
        let era = client.protocol_version();
        let untitled = client
            .call_tool("create_note", json!({"title": "  ", "body": "x"}))
            .await
            .unwrap();
        assert_eq!(untitled.is_error, Some(true), "{era}");
        assert_eq!(text(&untitled), "a note needs a title");
        for (tool, arguments) in [
            ("update_note", json!({"id": 41, "body": "x"})),
            ("delete_note", json!({"id": 41})),
        ] {
            let result = client.call_tool(tool, arguments).await.unwrap();
            assert_eq!(result.is_error, Some(true), "{era}: {tool}");
            assert_eq!(text(&result), "no note 41", "{era}: {tool}");
        }
        let missing = client.read_resource("notes://41").await.unwrap_err();
        let code = if era == Version::V2026_07_28 {
            -32602
        } else {
            -32002
        };
        assert_eq!(missing.code(), code, "{era}");
        assert_eq!(missing.0.data, Some(json!({"uri": "notes://41"})), "{era}");
    }
}

#[tokio::test]
async fn subscribers_hear_of_updates_and_deletions_in_both_eras() {
    for client in clients().await {
        let era = client.protocol_version();
        let watched = create(&client, "Watched", "v1").await;
        let other = create(&client, "Other", "v1").await;
        let uri = format!("notes://{watched}");
        client.subscribe_resource(&uri).await.unwrap();
        client.take_notifications();

        let update = json!({"id": watched, "body": "v2"});
        let updated = client.call_tool("update_note", update).await.unwrap();
        assert_eq!(text(&updated), format!("updated note {watched}"), "{era}");
        let unwatched = json!({"id": other, "title": "Still other"});
        client.call_tool("update_note", unwatched).await.unwrap();
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ResourceUpdated { uri: uri.clone() }],
            "{era}"
        );
        let read = client.read_resource(&uri).await.unwrap();
        assert_eq!(
            serde_json::to_value(&read.contents[0]).unwrap()["text"],
            "# Watched\n\nv2\n"
        );

        let deleted = client
            .call_tool("delete_note", json!({"id": watched}))
            .await
            .unwrap();
        assert_eq!(text(&deleted), format!("deleted note {watched}"), "{era}");
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ResourceUpdated { uri: uri.clone() }],
            "{era}"
        );
        assert!(client.read_resource(&uri).await.is_err(), "{era}");
    }
}

#[tokio::test]
async fn summarize_notes_embeds_the_notes_it_covers() {
    for client in clients().await {
        let era = client.protocol_version();
        let empty = client
            .get_prompt("summarize_notes", Value::Null)
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&empty.messages).unwrap(),
            json!([{"role": "user", "content": {"type": "text", "text": "There are no notes. Say so."}}]),
            "{era}"
        );
        let tea = create(&client, "Tea", "green, then black").await;
        create(&client, "Coffee", "espresso").await;
        let prompt = client
            .get_prompt("summarize_notes", json!({"query": "green"}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&prompt.messages).unwrap(),
            json!([
                {"role": "user", "content": {"type": "text",
                    "text": "Summarize these 1 notes containing \"green\" in a few sentences."}},
                {"role": "user", "content": {"type": "resource", "resource": {
                    "uri": format!("notes://{tea}"),
                    "mimeType": "text/markdown",
                    "text": "# Tea\n\ngreen, then black\n",
                }}},
            ]),
            "{era}"
        );
        let all = client
            .get_prompt("summarize_notes", json!({}))
            .await
            .unwrap();
        assert_eq!(all.messages.len(), 3, "{era}");
    }
}

#[tokio::test]
async fn notes_survive_a_restart_and_ids_are_not_reused() {
    let db = TempDb::new();
    let (kept, gone) = {
        let client = TestClient::new(db.server()).await;
        let kept = create(&client, "Kept", "across restarts").await;
        let gone = create(&client, "Gone", "deleted before the restart").await;
        client
            .call_tool("delete_note", json!({"id": gone}))
            .await
            .unwrap();
        (kept, gone)
    };
    // A new server on the same file: the schema is not migrated twice, the note is there.
    let client = TestClient::modern(db.server()).await;
    let read = client
        .read_resource(&format!("notes://{kept}"))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&read.contents[0]).unwrap()["text"],
        "# Kept\n\nacross restarts\n"
    );
    let next = create(&client, "Next", "after the restart").await;
    assert!(next > gone, "a deleted note's id is not given again");
}
