//! One server made of two: each part is its own type with its own `#[mcp_server]` block, put
//! together with `Composite` (tools `weather_forecast`, `weather_alerts`, `next_meeting`).
//!
//! ```text
//! cargo run --example composite              # http://127.0.0.1:8000/mcp
//! cargo run --example composite 127.0.0.1:9000
//! ```

use mcp_runtime::{Composite, Mode, mcp_server, tool};

/// Forecasts, in a module of their own in a real server.
struct Weather;

#[mcp_server(name = "weather", instructions = "Forecasts and alerts by city.")]
impl Weather {
    /// Tomorrow's forecast for a city.
    #[tool(read_only)]
    fn forecast(&self, city: String) -> String {
        format!("Sunny in {city}, 21 C.")
    }

    /// Weather alerts in force for a city.
    #[tool(read_only)]
    fn alerts(&self, city: String) -> Vec<String> {
        vec![format!("No alerts for {city}.")]
    }
}

/// Meetings.
struct Calendar;

#[mcp_server(name = "calendar")]
impl Calendar {
    /// Today's first meeting.
    #[tool(read_only)]
    fn next_meeting(&self) -> &'static str {
        "Stand-up at 9:30."
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let assistant = Composite::new("assistant", "1.0.0")
        .mount("weather", Weather)?
        .merge(Calendar)?;
    eprintln!("serving weather_forecast, weather_alerts and next_meeting on http://{addr}/mcp");
    mcp_runtime::serve(assistant, addr, Mode::Stateful).await?;
    Ok(())
}
