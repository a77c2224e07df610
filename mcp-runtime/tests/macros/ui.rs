//! Compile errors of `#[mcp_server]` and `#[tool]`: each at the user's tokens, with a fix.
//!
//! The `.stderr` files are rustc's output on the pinned toolchain; regenerate them with
//! `TRYBUILD=overwrite cargo test -p mcp-runtime --test macros ui::` and review the diff.

#[test]
fn compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/macro_ui/*.rs");
}
