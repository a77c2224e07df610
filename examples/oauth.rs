//! An MCP server that is an OAuth 2.1 resource server: tokens from your authorization server,
//! checked by `mcp-auth`.
//!
//! ```text
//! MCP_ISSUER=https://auth.example.com cargo run --example oauth              # 127.0.0.1:8000
//! MCP_ISSUER=https://auth.example.com MCP_RESOURCE=http://127.0.0.1:9000/mcp \
//!     cargo run --example oauth 127.0.0.1:9000
//! curl -i http://127.0.0.1:8000/mcp   # 401 with WWW-Authenticate: Bearer resource_metadata="..."
//! ```
//!
//! - `MCP_ISSUER` (required): the authorization server's issuer identifier. Its metadata and
//!   keys are read on the first request, so the server starts even while it is down.
//! - `MCP_RESOURCE`: this server's canonical URL, the audience its tokens must name (default
//!   `http://127.0.0.1:8000/mcp`).
//! - `MCP_INTROSPECTION_CLIENT_ID` and `MCP_INTROSPECTION_CLIENT_SECRET`: check tokens by RFC
//!   7662 introspection as this confidential client (opaque tokens) instead of as JWTs.
//! - `MCP_JWKS_REFETCH_SECS`: least time between two key-set fetches for a token signed with
//!   an unknown key (default 30; the CI suite lowers it to see a key rotation quickly).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mcp_auth::{IntrospectionVerifier, JwtVerifier, ResourceServer, ResourceServerConfig};
use mcp_runtime::{Context, HttpConfig, Mode, Principal, StreamableHttp, mcp_server, tool};
use serde_json::{Value, json};

#[derive(Default)]
struct Account {
    /// How often `whoami` answered since the last `admin_reset`.
    calls: AtomicU64,
}

#[mcp_server(name = "oauth-example", version = "0.1.0")]
impl Account {
    /// Who is calling: the access token's subject and scopes (any valid token; every request
    /// needs `mcp:read`).
    #[tool(read_only)]
    async fn whoami(&self, ctx: Context) -> Value {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let principal = ctx.auth();
        json!({
            "subject": principal.map(Principal::subject),
            "issuer": principal.and_then(Principal::issuer),
            "scopes": principal.map(Principal::scopes),
        })
    }

    /// Reset the call counter (needs the `mcp:admin` scope: a token without it gets 403 with
    /// an `insufficient_scope` challenge naming it, and may step up).
    #[tool(scopes = ["mcp:admin"])]
    async fn admin_reset(&self) -> Value {
        json!({"reset": true, "calls_before": self.calls.swap(0, Ordering::Relaxed)})
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let Some(issuer) = std::env::var("MCP_ISSUER").ok().filter(|s| !s.is_empty()) else {
        eprintln!(
            "MCP_ISSUER is not set: set it to your authorization server's issuer URL \
             (for example MCP_ISSUER=https://auth.example.com); this server accepts only its tokens"
        );
        std::process::exit(2);
    };
    let resource =
        std::env::var("MCP_RESOURCE").unwrap_or_else(|_| "http://127.0.0.1:8000/mcp".into());
    let refetch = match std::env::var("MCP_JWKS_REFETCH_SECS") {
        Ok(secs) => Duration::from_secs(secs.parse()?),
        Err(_) => Duration::from_secs(30),
    };

    let config = ResourceServerConfig::new(&resource)
        .issuer(&issuer)
        .scopes_supported(["mcp:read", "mcp:admin"])
        // Every request needs mcp:read; the 401 challenge asks for just that, so clients start
        // small and step up to mcp:admin when a tool asks for it.
        .required_scopes(["mcp:read"])
        .resource_name("mcp-auth example");
    let introspection = (
        std::env::var("MCP_INTROSPECTION_CLIENT_ID"),
        std::env::var("MCP_INTROSPECTION_CLIENT_SECRET"),
    );
    let auth = match introspection {
        (Ok(id), Ok(secret)) => ResourceServer::with_verifier(
            config,
            IntrospectionVerifier::new(&issuer, &resource, id, secret)?,
        )?,
        _ => ResourceServer::with_verifier(
            config,
            JwtVerifier::new(&issuer, &resource)?.unknown_kid_refetch(refetch),
        )?,
    };

    let mcp = StreamableHttp::new(Account::default(), HttpConfig::new(Mode::Stateful));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(
        url = %format!("http://{}/mcp", listener.local_addr()?),
        %resource,
        %issuer,
        metadata = %auth.metadata_url(),
        "MCP server listening (OAuth resource server)"
    );
    // Bearer tokens checked before the endpoint, the metadata routes beside it; with the
    // runtime's connection limits, timeouts and draining shutdown.
    let metadata = auth.metadata_router();
    mcp.serve_guarded(listener, auth, metadata, mcp_runtime::shutdown_signal())
        .await?;
    Ok(())
}
