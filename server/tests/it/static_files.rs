//! The built site's files: the brotli or gzip copy the release build wrote, to browsers that
//! accept it, with `Vary: Accept-Encoding`; the plain file to the rest.

use crate::common::{Backend, TestApp};

#[tokio::test]
async fn precompressed_copies_are_served_to_browsers_that_accept_them() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/atrium.js"), "console.log('plain');").unwrap();
    std::fs::write(site.join("pkg/atrium.js.br"), b"brotli bytes").unwrap();
    std::fs::write(site.join("pkg/atrium.js.gz"), b"gzip bytes").unwrap();
    let mut config = crate::common::config_for(Backend::Sqlite, &dir).await;
    config.site_root = site;
    let app = TestApp::spawn_with(config, dir).await;
    // The tests' client decodes nothing itself (reqwest without its compression features), so
    // the bytes on the wire are compared.
    let raw = &app.client;
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "console.log('plain');"),
    ] {
        let r = raw
            .get(app.url("/pkg/atrium.js"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers().get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert!(
            r.headers()
                .get_all("vary")
                .iter()
                .any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("accept-encoding")),
            "{accept}: {:?}",
            r.headers()
        );
        assert_eq!(r.text().await.unwrap(), body);
    }
}
