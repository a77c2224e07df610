//! Runnable MCP servers built with `mcp-runtime`; each is an `[[example]]` of this package:
//! `cargo run --example quickstart`.

use mcp_runtime::HttpConfig;

/// Shares sessions, SSE events (when `config` keeps them), task state and the key that signs
/// 2026-07-28 `requestState` with the server's other nodes through Redis when `MCP_REDIS_URL` is set (for example `redis://127.0.0.1:6379/0`);
/// returns `config` unchanged otherwise. `MCP_TASK_LEASE_MS` sets how long a task outlives its
/// node's last lease renewal (default 30 s). Fails when the variable is set and Redis cannot be
/// reached.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use mcp_runtime::{HttpConfig, Mode};
/// let config = examples::redis_from_env(HttpConfig::new(Mode::Stateful)).await?;
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
pub async fn redis_from_env(config: HttpConfig) -> std::io::Result<HttpConfig> {
    let Ok(url) = std::env::var("MCP_REDIS_URL") else {
        return Ok(config);
    };
    let redis = mcp_redis::Redis::connect(mcp_redis::RedisConfig::new(url.as_str()))
        .await
        .map_err(std::io::Error::other)?;
    // A 2026-07-28 client's retry with `requestState` may land on another node.
    let key = redis
        .request_state_key()
        .await
        .map_err(std::io::Error::other)?;
    tracing::info!(redis = %url, "sessions shared through Redis");
    let mut tasks = config.server.tasks.clone().store(redis.task_store());
    // How long a task outlives its node's last renewal before a poll records it failed.
    if let Some(ms) = std::env::var("MCP_TASK_LEASE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        tasks = tasks.lease(std::time::Duration::from_millis(ms));
    }
    let server = config.server.clone().request_state_key(key).tasks(tasks);
    let mut config = config.server(server).cluster(redis.cluster());
    // Resumption on any node: the events in Redis Streams, kept as long as a session.
    if config.event_store.is_some() {
        let ttl = config
            .session_idle_timeout
            .unwrap_or(std::time::Duration::from_secs(1800));
        config = config.event_store(redis.event_store(1_000, ttl));
    }
    Ok(config)
}
