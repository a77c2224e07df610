use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    #[tool]
    fn add(&self) {}

    #[tool(name = "add")]
    fn plus(&self) {}

    #[tool(name = "sum")]
    fn total(&self) {}

    #[tool(name = "sum")]
    fn addition(&self) {}

    #[tool(name = "add numbers")]
    fn spaced(&self) {}

    #[tool(name = "")]
    fn empty(&self) {}

    #[tool(
        name = "a_name_that_is_longer_than_one_hundred_and_twenty_eight_characters_is_not_a_valid_tool_name_in_the_protocol_so_the_macro_says_so_at_once_and_here"
    )]
    fn long(&self) {}

    #[tool]
    fn café(&self) {}
}

fn main() {}
