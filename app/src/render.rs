//! The HTML document every page is rendered into. The server renders it through `leptos_axum`,
//! which provides the CSP nonce the hydration scripts carry.

use crate::pages::Frame;
use leptos::config::LeptosOptions;
use leptos::hydration::HydrationScripts;
use leptos::prelude::*;

/// The document around a page's `children`. `interactive` pages load the islands' JS and wasm;
/// the others send none.
#[component]
pub fn Shell(options: LeptosOptions, site_name: String, title: String, interactive: bool, children: Children) -> impl IntoView {
    let page_title = if title.is_empty() {
        site_name.clone()
    } else {
        format!("{title} · {site_name}")
    };
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    let scripts = interactive.then(|| view! { <HydrationScripts options=options.clone() islands=true /> });
    view! {
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
                <Frame site_name=site_name>{children()}</Frame>
            </body>
        </html>
    }
}
