use mcp_runtime::{Args, Context, mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    #[tool]
    fn mutates(&mut self) {}

    #[tool]
    fn consumes(self) {}

    #[tool]
    fn boxed(self: Box<Self>) {}

    #[tool]
    fn associated(_a: i32) {}

    #[tool]
    fn generic<T: serde::de::DeserializeOwned>(&self, _value: T) {}

    #[tool]
    fn const_generic<const N: usize>(&self) {}

    #[tool]
    fn impl_trait(&self, _value: impl serde::de::DeserializeOwned) {}

    #[tool]
    fn borrowed(&self, _text: &str, _words: Vec<&str>) {}

    #[tool]
    fn destructured(&self, (_a, _b): (i32, i32)) {}

    #[tool]
    fn two_contexts(&self, _a: Context, _b: Context, _c: &Context) {}

    #[tool]
    fn mixed(&self, Args(_p): Args<String>, _extra: i32) {}

    #[tool]
    unsafe fn dangerous(&self) {}

    #[tool(local)]
    fn not_async(&self) {}
}

fn main() {}
