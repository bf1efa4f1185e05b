//! HTTP plumbing shared by every surface: problem+json errors, security headers and the
//! cross-site guard, cookies, JSON bodies, the client's address, change bodies, page rendering, and the built site's static files.

pub mod client_addr;
pub mod cookies;
pub mod json_body;
pub mod patch;
pub mod problem;
pub mod render;
pub mod security;
pub mod static_files;
