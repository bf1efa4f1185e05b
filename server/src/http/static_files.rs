//! Static files from the built site (`pkg/` CSS, JS and wasm; public assets), served from
//! brotli and gzip copies made once at start-up rather than compressed on every request.

use crate::AppState;
use axum::http::{header, HeaderValue};
use axum::Router;
use std::io::Write;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

const COMPRESSIBLE: &[&str] = &["js", "wasm", "css", "svg", "json", "txt", "html", "mjs"];

/// Writes `file.br` and `file.gz` beside each compressible file that lacks an up-to-date copy.
pub fn precompress(root: &Path) -> std::io::Result<usize> {
    let mut made = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !COMPRESSIBLE.contains(&ext) {
                continue;
            }
            let modified = entry.metadata()?.modified()?;
            let data = std::fs::read(&path)?;
            for (suffix, encode) in [("br", brotli_bytes as fn(&[u8]) -> std::io::Result<Vec<u8>>), ("gz", gzip_bytes)] {
                let target = PathBuf::from(format!("{}.{suffix}", path.display()));
                let fresh = std::fs::metadata(&target).and_then(|m| m.modified()).is_ok_and(|t| t >= modified);
                if !fresh {
                    std::fs::write(&target, encode(&data)?)?;
                    made += 1;
                }
            }
        }
    }
    Ok(made)
}

fn brotli_bytes(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(data)?;
    }
    Ok(out)
}

fn gzip_bytes(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

pub fn routes(site_root: &Path) -> Router<AppState> {
    match precompress(site_root) {
        Ok(n) if n > 0 => tracing::info!(files = n, "precompressed static files"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, root = %site_root.display(), "could not precompress static files"),
    }
    let files = ServeDir::new(site_root).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip())
        .route_service("/favicon.svg", files.clone())
        .route_service("/robots.txt", files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300, must-revalidate"),
        ))
}
