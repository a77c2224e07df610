//! Protocol revisions and version negotiation.

/// `2024-11-05`, the first revision.
pub const V2024_11_05: &str = "2024-11-05";
/// `2025-03-26`: Streamable HTTP; the version assumed when a request has no header.
pub const V2025_03_26: &str = "2025-03-26";
/// `2025-06-18`: structured tool output, elicitation.
pub const V2025_06_18: &str = "2025-06-18";
/// `2025-11-25`: the last revision of the handshake era.
pub const V2025_11_25: &str = "2025-11-25";

/// `2026-07-28`: the stateless revision (no handshake, `server/discover`, per-request `_meta`).
pub const V2026_07_28: &str = "2026-07-28";

/// The newest handshake-era revision; `initialize` answers it when it cannot echo the client's.
pub const LATEST: &str = V2025_11_25;

/// Every handshake-era revision this server speaks, newest first.
pub const SUPPORTED: &[&str] = &[V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05];

/// Every stateless-era revision this server speaks, newest first.
pub const MODERN: &[&str] = &[V2026_07_28];

/// Every revision this server speaks, of both eras, newest first: what `server/discover`
/// advertises and what an unsupported-version error lists.
pub const ALL: &[&str] = &[
    V2026_07_28,
    V2025_11_25,
    V2025_06_18,
    V2025_03_26,
    V2024_11_05,
];

/// Whether `version` is a stateless-era revision this server speaks.
///
/// ```
/// use mcp_runtime::protocol::version::is_modern;
/// assert!(is_modern("2026-07-28"));
/// assert!(!is_modern("2025-11-25"));
/// ```
pub fn is_modern(version: &str) -> bool {
    MODERN.contains(&version)
}

/// Whether `version` is a handshake-era revision this server speaks.
///
/// ```
/// assert!(mcp_runtime::protocol::version::is_supported("2025-06-18"));
/// assert!(!mcp_runtime::protocol::version::is_supported("1999-01-01"));
/// ```
pub fn is_supported(version: &str) -> bool {
    SUPPORTED.contains(&version)
}

/// The version `initialize` answers: the client's if supported, else [`LATEST`].
///
/// ```
/// use mcp_runtime::protocol::version::{negotiate, LATEST};
/// assert_eq!(negotiate("2025-03-26"), "2025-03-26");
/// assert_eq!(negotiate("2099-01-01"), LATEST);
/// ```
pub fn negotiate(requested: &str) -> &'static str {
    SUPPORTED
        .iter()
        .copied()
        .find(|v| *v == requested)
        .unwrap_or(LATEST)
}

/// Whether `version` is at least `other` (revisions are ISO dates, so they sort as strings).
pub fn at_least(version: &str, other: &str) -> bool {
    version >= other
}
