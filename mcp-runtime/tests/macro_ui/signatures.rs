use mcp_runtime::{Args, Context, mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    #[tool]
    fn mutates(&mut self) {}

    #[tool]
    fn consumes(self) {}

    #[tool]
    fn associated(a: i32) {}

    #[tool]
    fn generic<T: serde::de::DeserializeOwned>(&self, value: T) {}

    #[tool]
    fn borrowed(&self, text: &str, words: Vec<&str>) {}

    #[tool]
    fn destructured(&self, (a, b): (i32, i32)) {}

    #[tool]
    fn two_contexts(&self, a: Context, b: Context, c: &Context) {}

    #[tool]
    fn mixed(&self, Args(p): Args<String>, extra: i32) {}
}

fn main() {}
