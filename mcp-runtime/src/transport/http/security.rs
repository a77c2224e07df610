//! DNS-rebinding protection: `Host` and `Origin` checked against allow lists.
//!
//! Checked at the top of each handler rather than in a middleware layer: a `from_fn` layer
//! boxes every request's future once more, which the benchmark's profile showed.

use axum::http::Uri;

use super::error::HttpError;
use super::headers::{Head, clip};
use crate::transport::http::config::Checks;

/// Refuses requests whose `Host` (421) or `Origin` (403) is not allowed.
pub(super) fn check(checks: &Checks, head: &Head<'_>, uri: &Uri) -> Result<(), HttpError> {
    if checks.hosts.is_some() {
        let host = head
            .host
            .and_then(|v| v.to_str().ok())
            .or_else(|| uri.authority().map(|a| a.as_str()));
        match host {
            Some(host) if checks.host_allowed(host) => {}
            other => {
                let host = other.map_or_else(|| "(none)".to_owned(), |h| clip(h.as_bytes()));
                return Err(HttpError::BadHost(host));
            }
        }
    }
    if checks.origins.is_some()
        && let Some(origin) = head.origin
    {
        let origin = origin.to_str().unwrap_or("");
        if !checks.origin_allowed(origin) {
            return Err(HttpError::BadOrigin(clip(origin.as_bytes())));
        }
    }
    Ok(())
}
