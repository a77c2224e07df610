use mcp_runtime::{mcp_server, resource, tool};

struct Weather;

#[mcp_server]
impl Weather {
    /// Links a view no `#[resource(..., app)]` of this impl block serves.
    #[tool(app = "ui://weather/missing.html")]
    fn forecast(&self) -> &'static str {
        "sunny"
    }

    /// Links a web page, not a `ui://` view.
    #[tool(app = "https://example.com/weather.html")]
    fn radar(&self) -> &'static str {
        "rain"
    }

    /// Links a `ui://` resource that is not marked `app`.
    #[tool(app = "ui://weather/plain.html", visibility = ["model", "agent", "model"])]
    fn summary(&self) -> &'static str {
        "mild"
    }

    /// Nobody could call it.
    #[tool(visibility = [])]
    fn hidden(&self) -> &'static str {
        "?"
    }

    #[resource(uri = "ui://weather/view.html", app(prefers_border, csp(connect_domains = ["https://api.example.com"])))]
    fn view(&self) -> &'static str {
        "<!doctype html>"
    }

    #[resource(uri = "ui://weather/plain.html", mime_type = "text/html")]
    fn plain(&self) -> &'static str {
        "<!doctype html>"
    }

    /// An app resource is a `ui://` URI, served as the app MIME type.
    #[resource(uri = "https://example.com/app.html", mime_type = "text/html", app)]
    fn web(&self) -> &'static str {
        "<!doctype html>"
    }

    #[resource(uri = "ui://views/{name}", app(permissions(camera, usb), borders))]
    fn views(&self, name: String) -> String {
        name
    }
}

fn main() {}
