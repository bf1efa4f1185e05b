//! Static files from the built site (`pkg/` CSS, JS and wasm; public assets). The release build
//! (`cargo leptos build --release --precompress`) writes brotli and gzip copies beside each
//! file; they are served to browsers that accept them, and the plain file to the rest.

use crate::AppState;
use axum::http::{header, HeaderValue};
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn routes(site_root: &Path) -> Router<AppState> {
    let files = ServeDir::new(site_root).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip())
        .route_service("/favicon.svg", files.clone())
        .route_service("/robots.txt", files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300, must-revalidate"),
        ))
        // The answer depends on Accept-Encoding: caches must keep one copy per encoding.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}
