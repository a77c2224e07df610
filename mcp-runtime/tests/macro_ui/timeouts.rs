use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    /// A unit the macro does not know.
    #[tool(timeout = "30x")]
    fn unknown_unit(&self) -> &'static str {
        "x"
    }

    /// No unit at all.
    #[tool(timeout = "30")]
    fn no_unit(&self) -> &'static str {
        "x"
    }

    /// Zero would fail every call.
    #[tool(timeout = "0s")]
    fn zero(&self) -> &'static str {
        "x"
    }

    /// Not a string.
    #[tool(timeout = 30)]
    fn number(&self) -> &'static str {
        "x"
    }

    /// Fractions are not whole numbers.
    #[tool(timeout = "1.5s")]
    fn fraction(&self) -> &'static str {
        "x"
    }
}

fn main() {}
