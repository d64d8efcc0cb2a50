//! Reports: text for people, JSON for tools.

pub mod json;
pub mod run;
pub mod text;
