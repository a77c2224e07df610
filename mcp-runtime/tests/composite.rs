//! `Composite`: servers put together, driven through the in-process client in both eras.

use std::time::Duration;

use mcp_runtime::protocol::{
    CacheHint, CacheScope, CompletionRef, Era, Implementation, ResourceContents, Tool,
};
use mcp_runtime::testing::TestClient;
use mcp_runtime::{
    BoxFuture, Cacheable, Composite, CompositeError, Context, MCPServer, ToolArguments, mcp_server,
    prompt, resource, tool,
};
use serde_json::json;

struct Weather;

#[mcp_server(
    name = "weather",
    instructions = "Forecasts by city.",
    scopes = ["weather:read"]
)]
impl Weather {
    /// Tomorrow's forecast for a city.
    #[tool]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }

    /// Waits longer than it may.
    #[tool(timeout = "20ms")]
    async fn slow(&self) -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "done"
    }

    /// A report for a city.
    #[prompt(complete(city = cities))]
    fn report(&self, city: String) -> String {
        format!("Write the weather report for {city}.")
    }

    /// A station's readings.
    #[resource(uri = "weather://stations/{id}", complete(id = stations))]
    fn station(&self, id: String) -> String {
        format!("station {id}: 12 C")
    }

    fn cities(&self, value: String) -> Vec<String> {
        ["Oslo", "Osaka", "Lima"]
            .into_iter()
            .filter(|c| c.starts_with(&value))
            .map(str::to_owned)
            .collect()
    }

    fn stations(&self, value: String) -> Vec<String> {
        vec![format!("{value}1")]
    }
}

struct Calendar;

#[mcp_server(name = "calendar", instructions = "Meetings.")]
impl Calendar {
    /// Today's first meeting.
    #[tool]
    fn next_meeting(&self) -> &'static str {
        "stand-up at 9:30"
    }

    /// Asks the client to confirm.
    #[tool]
    async fn confirm(&self, ctx: Context) -> &'static str {
        let _ = ctx.is_cancelled();
        "confirmed"
    }

    /// A reminder.
    #[prompt]
    fn report(&self) -> String {
        "Remind me of today's meetings.".into()
    }

    /// Today's agenda.
    #[resource(uri = "calendar://today", scopes = ["calendar:read"])]
    fn today(&self) -> String {
        "stand-up".into()
    }
}

fn assistant() -> Composite {
    Composite::new("assistant", "1.0.0")
        .mount("weather", Weather)
        .and_then(|c| c.merge(Calendar))
        .expect("no clashes")
}

fn text_of(contents: &ResourceContents) -> &str {
    match contents {
        ResourceContents::Text { text, .. } => text,
        other => panic!("not text: {other:?}"),
    }
}

fn names(tools: Vec<Tool>) -> Vec<String> {
    tools.into_iter().map(|t| t.name).collect()
}

#[tokio::test]
async fn members_are_listed_renamed_and_called_in_both_eras() {
    for client in [
        TestClient::new(assistant()).await,
        TestClient::modern(assistant()).await,
    ] {
        assert_eq!(client.server_info().name, "assistant");
        assert_eq!(
            names(client.list_tools().await.unwrap()),
            [
                "weather_forecast",
                "weather_slow",
                "next_meeting",
                "confirm"
            ]
        );
        let forecast = client
            .call_tool("weather_forecast", json!({"city": "Oslo"}))
            .await
            .unwrap();
        assert_eq!(forecast.content[0].as_text(), Some("sunny in Oslo"));
        let meeting = client.call_tool("next_meeting", json!({})).await.unwrap();
        assert_eq!(meeting.content[0].as_text(), Some("stand-up at 9:30"));
        // A member's own name is not the composite's, and names do not leak across members.
        for unknown in ["forecast", "weather_next_meeting", "calendar_next_meeting"] {
            let error = client.call_tool(unknown, json!({})).await.unwrap_err();
            assert_eq!(error.code(), -32602, "{unknown}");
        }
    }
}

#[tokio::test]
async fn prompts_resources_and_completions_reach_their_member() {
    for client in [
        TestClient::new(assistant()).await,
        TestClient::modern(assistant()).await,
    ] {
        let prompts: Vec<String> = client
            .list_prompts()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(prompts, ["weather_report", "report"]);
        let weather = client
            .get_prompt("weather_report", json!({"city": "Lima"}))
            .await
            .unwrap();
        assert_eq!(
            weather.messages[0].content.as_text(),
            Some("Write the weather report for Lima.")
        );
        let calendar = client.get_prompt("report", json!(null)).await.unwrap();
        assert_eq!(
            calendar.messages[0].content.as_text(),
            Some("Remind me of today's meetings.")
        );

        // Resources keep their URIs; each read goes to the member that has it.
        let today = client.read_resource("calendar://today").await.unwrap();
        assert_eq!(text_of(&today.contents[0]), "stand-up");
        let station = client.read_resource("weather://stations/7").await.unwrap();
        assert_eq!(text_of(&station.contents[0]), "station 7: 12 C");
        let missing = client
            .read_resource("calendar://tomorrow")
            .await
            .unwrap_err();
        let not_found = match client.protocol_version().era() {
            Era::Handshake => -32002,
            _ => -32602,
        };
        assert_eq!(missing.code(), not_found, "{missing:?}");
        assert!(format!("{missing:?}").contains("not found"), "{missing:?}");

        // A prompt's completion goes by its composite name; a template's by its URI.
        let cities = client
            .complete(CompletionRef::prompt("weather_report"), "city", "Os")
            .await
            .unwrap();
        assert_eq!(cities.values, ["Oslo", "Osaka"]);
        let stations = client
            .complete(
                CompletionRef::resource("weather://stations/{id}"),
                "id",
                "n",
            )
            .await
            .unwrap();
        assert_eq!(stations.values, ["n1"]);
        assert!(client.capabilities().completions.is_some());
    }
}

#[tokio::test]
async fn a_members_timeout_comes_along() {
    let client = TestClient::new(assistant()).await;
    let slow = client.call_tool("weather_slow", json!({})).await.unwrap();
    assert_eq!(slow.is_error, Some(true));
    assert_eq!(
        slow.content[0].as_text(),
        Some("tool `weather_slow` timed out after 20ms and was cancelled")
    );
}

#[test]
fn what_members_declare_is_kept_under_the_new_names() {
    let assistant = assistant();
    assert_eq!(
        assistant.instructions().as_deref(),
        Some("Tools and prompts named `weather_*`: Forecasts by city.\n\nMeetings.")
    );
    assert_eq!(
        Composite::new("a", "1")
            .with_instructions("Mine.")
            .merge(Calendar)
            .unwrap()
            .instructions()
            .as_deref(),
        Some("Mine.")
    );
    assert_eq!(
        assistant.tool_timeout("weather_slow"),
        Some(Duration::from_millis(20))
    );
    assert_eq!(assistant.tool_timeout("slow"), None);
    // The macro knows which tools take a `Context`.
    assert!(!assistant.tool_may_ask_input("weather_forecast"));
    assert!(assistant.tool_may_ask_input("confirm"));

    // A member's server-wide scopes cover its own items, not the others'.
    let scopes = assistant.required_scopes();
    assert_eq!(scopes.for_tool("weather_forecast"), ["weather:read"]);
    assert_eq!(scopes.for_prompt("weather_report"), ["weather:read"]);
    assert_eq!(
        scopes.for_resource("weather://stations/7"),
        ["weather:read"]
    );
    assert!(scopes.for_tool("next_meeting").is_empty());
    assert!(scopes.for_prompt("report").is_empty());
    assert_eq!(scopes.for_resource("calendar://today"), ["calendar:read"]);
}

struct Echo;

#[mcp_server]
impl Echo {
    /// Say it back.
    #[tool]
    fn echo(&self, text: String) -> String {
        text
    }

    /// Repeat.
    #[prompt]
    fn again(&self) -> String {
        "again".into()
    }

    /// The same page.
    #[resource(uri = "echo://page")]
    fn page(&self) -> String {
        "page".into()
    }

    /// Pages by number.
    #[resource(uri = "echo://pages/{n}")]
    fn pages(&self, n: u32) -> String {
        n.to_string()
    }
}

#[test]
fn clashes_and_bad_prefixes_are_refused() {
    let echo = || Composite::new("echoes", "1").merge(Echo).unwrap();
    assert_eq!(
        echo().merge(Echo).err(),
        Some(CompositeError::DuplicateTool("echo".into()))
    );
    // Under a prefix the names differ, but the URIs do not.
    assert_eq!(
        echo().mount("second", Echo).err(),
        Some(CompositeError::DuplicateResource("echo://page".into()))
    );
    for bad in ["", "my echo", "é", "a/b"] {
        assert_eq!(
            Composite::new("x", "1").mount(bad, Echo).err(),
            Some(CompositeError::InvalidPrefix(bad.into())),
            "{bad:?}"
        );
    }
    let message = CompositeError::DuplicateTool("echo".into()).to_string();
    assert_eq!(
        message,
        "two members of the composite have a tool named `echo`"
    );
}

/// A hand-written server that gives fixed caching hints.
struct Hinted(Option<CacheHint>);

impl MCPServer for Hinted {
    fn server_info(&self) -> Implementation {
        Implementation::new("hinted", "1")
    }

    fn tools(&self) -> Vec<Tool> {
        Vec::new()
    }

    fn call_tool<'a>(
        &'a self,
        _name: &str,
        _arguments: ToolArguments,
        _ctx: Context,
    ) -> Option<BoxFuture<'a, mcp_runtime::protocol::CallToolResult>> {
        None
    }

    fn cache_hint(&self, _result: Cacheable<'_>) -> Option<CacheHint> {
        self.0
    }
}

#[test]
fn a_lists_caching_hint_is_the_strictest_of_the_members() {
    let public = |ms| {
        Some(CacheHint {
            ttl_ms: ms,
            scope: CacheScope::Public,
        })
    };
    let both = Composite::new("x", "1")
        .merge(Hinted(public(60_000)))
        .and_then(|c| c.merge(Hinted(public(5_000))))
        .unwrap();
    assert_eq!(both.cache_hint(Cacheable::ToolsList), public(5_000));
    let private = Composite::new("x", "1")
        .merge(Hinted(public(60_000)))
        .and_then(|c| {
            c.merge(Hinted(Some(CacheHint {
                ttl_ms: 90_000,
                scope: CacheScope::Private,
            })))
        })
        .unwrap();
    assert_eq!(
        private.cache_hint(Cacheable::PromptsList),
        Some(CacheHint {
            ttl_ms: 60_000,
            scope: CacheScope::Private,
        })
    );
    // One member without a hint leaves it to the dispatcher's default.
    let unsure = Composite::new("x", "1")
        .merge(Hinted(public(60_000)))
        .and_then(|c| c.merge(Hinted(None)))
        .unwrap();
    assert_eq!(unsure.cache_hint(Cacheable::ToolsList), None);
}

struct Dials;

#[mcp_server]
impl Dials {
    /// Show the dial.
    #[tool(read_only, app = "ui://dials/main")]
    fn show(&self) -> &'static str {
        "shown"
    }

    /// The dial's page.
    #[resource(uri = "ui://dials/main", app)]
    fn page(&self) -> &'static str {
        "<html></html>"
    }
}

/// A mounted member's MCP App keeps its link: the renamed tool still points at the view,
/// which the composite serves (a link to nothing would not start, `InvalidServer`).
#[tokio::test]
async fn a_members_app_view_is_still_linked_and_served() {
    let composite = Composite::new("x", "1").mount("dials", Dials).unwrap();
    let client = TestClient::modern(composite).await;
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools[0].name, "dials_show");
    let meta = serde_json::to_value(&tools[0]).unwrap()["_meta"].clone();
    assert_eq!(meta["ui"]["resourceUri"], "ui://dials/main", "{meta}");
    let page = client.read_resource("ui://dials/main").await.unwrap();
    assert_eq!(text_of(&page.contents[0]), "<html></html>");
    let shown = client.call_tool("dials_show", json!({})).await.unwrap();
    assert_eq!(shown.content[0].as_text(), Some("shown"));
}
