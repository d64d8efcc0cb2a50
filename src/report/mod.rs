//! Reports: text for people, JSON for tools.

pub mod dot;
pub mod html;
pub mod json;
pub mod run;
pub mod svg;
pub mod text;
