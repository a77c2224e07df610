//! What the macros target: the traits that turn a method's parameters into a tool's,
//! prompt's or resource's arguments, and its return value into a result. Depends only on
//! [`protocol`](crate::protocol).

pub(crate) mod args;
pub(crate) mod arguments;
pub(crate) mod completion;
pub(crate) mod error;
pub(crate) mod input_schema;
pub(crate) mod prompt;
pub(crate) mod resource;
pub(crate) mod scopes;
pub(crate) mod structured;
pub(crate) mod tool;
pub(crate) mod uri_template;
