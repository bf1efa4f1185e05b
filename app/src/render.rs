//! Renders a page into a complete HTML document on the server.

use crate::pages::Frame;
use leptos::config::LeptosOptions;
use leptos::hydration::HydrationScripts;
use leptos::nonce::Nonce;
use leptos::prelude::*;
use leptos::reactive::owner::Owner;

/// A rendered document and the CSP nonce its inline script carries.
pub struct Document {
    pub html: String,
    pub nonce: String,
}

/// Renders `body` inside the site frame. `interactive` pages load the islands' JS and wasm;
/// the others send none.
pub fn document<V: IntoView + 'static>(
    options: &LeptosOptions,
    site_name: &str,
    title: &str,
    interactive: bool,
    body: impl FnOnce() -> V + Send + 'static,
) -> Document {
    // Islands hydrate from their own props, so no shared hydration context is needed: pages
    // render synchronously in the handler that computed their data.
    let owner = Owner::new_root(None);
    owner.with(|| {
        let nonce = Nonce::new();
        provide_context(nonce.clone());
        let page_title = if title.is_empty() {
            site_name.to_string()
        } else {
            format!("{title} · {site_name}")
        };
        let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
        let scripts = interactive.then(|| view! { <HydrationScripts options=options.clone() islands=true /> });
        let view = view! {
            <!DOCTYPE html>
            <html lang="en">
                <head>
                    <meta charset="utf-8" />
                    <meta name="viewport" content="width=device-width, initial-scale=1" />
                    <title>{page_title}</title>
                    <link rel="stylesheet" href=css />
                    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                    {scripts}
                </head>
                <body>
                    <Frame site_name=site_name.to_string()>{body()}</Frame>
                </body>
            </html>
        };
        let html = view.to_html();
        Document {
            html,
            nonce: nonce.to_string(),
        }
    })
}
