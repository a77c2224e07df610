use mcp_runtime::{Args, Context, mcp_server, prompt};

struct Server;

#[derive(serde::Deserialize)]
struct Params;

#[mcp_server]
impl Server {
    #[prompt]
    fn borrowed(
        &self,
        name: &str,
        params: Args<Params>,
        #[arg(name = "x")] ctx: Context,
    ) -> String {
        let _ = (params, ctx);
        name.to_owned()
    }

    #[prompt(name = "borrowed")]
    fn nothing(&self, _a: String, #[arg(name = "_a")] _b: String) {}
}

fn main() {}
