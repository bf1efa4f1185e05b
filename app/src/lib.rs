//! Atrium's user interface: the domain model shared with the browser, the page views rendered on
//! the server, and the small interactive islands hydrated in the browser.

pub mod domain;
pub mod islands;
pub mod rpc;
pub mod views;

#[cfg(feature = "ssr")]
pub mod book;
#[cfg(feature = "ssr")]
pub mod booking;
#[cfg(feature = "ssr")]
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod registration_fields;
#[cfg(feature = "ssr")]
pub mod render;
#[cfg(feature = "ssr")]
pub mod tz;
