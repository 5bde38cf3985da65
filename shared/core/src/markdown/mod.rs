//! Markdown in and out: time logs (parser, checks, canonical renderer) and project
//! files with YAML frontmatter.

pub mod document;
pub mod log;
pub mod project_file;

pub use document::render_document;
pub use log::{ParsedLog, parse_document, parse_log, render_log};
pub use project_file::{parse_project_file, render_project_file};
