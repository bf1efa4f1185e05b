//! Pages are rendered by `leptos_axum`. A handler answers with [`page`]: its status and headers,
//! and the view still to render; the [`render_pages`] layer then renders that view into the
//! site's [`Shell`] with `leptos_axum` (which provides the request, the response options and the
//! CSP nonce), so handlers stay plain functions that compute their data first.

use crate::http::security::csp;
use crate::AppState;
use app::render::Shell;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::stream::{once, Stream, StreamExt};
use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

type Chunks = Pin<Box<dyn Stream<Item = String> + Send>>;

/// A view waiting to be rendered, carried in the response's extensions.
#[derive(Clone)]
struct Pending {
    title: String,
    interactive: bool,
    body: Arc<Mutex<Option<Children>>>,
}

/// A page answering `status`, titled `title`; `interactive` pages load the islands. `body`
/// builds the view inside the renderer, where islands find the context they hydrate from.
pub fn page<V: IntoView + 'static>(
    status: StatusCode,
    title: &str,
    interactive: bool,
    body: impl FnOnce() -> V + Send + 'static,
) -> Response {
    let mut response = status.into_response();
    let body: Children = Box::new(move || body().into_any());
    response.extensions_mut().insert(Pending {
        title: title.to_string(),
        interactive,
        body: Arc::new(Mutex::new(Some(body))),
    });
    response
}

/// Renders the page a handler answered with, if any; other responses pass untouched.
pub async fn render_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut for_leptos = Request::new(Body::empty());
    *for_leptos.method_mut() = request.method().clone();
    *for_leptos.uri_mut() = request.uri().clone();
    *for_leptos.headers_mut() = request.headers().clone();
    let mut response = next.run(request).await;
    let Some(pending) = response.extensions_mut().remove::<Pending>() else {
        return response;
    };
    let Some(body) = pending.body.lock().ok().and_then(|mut b| b.take()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let options = (*state.leptos).clone();
    let site_name = state.config.site_name.clone();
    let app = move || {
        // The page's inline hydration script carries the nonce leptos_axum provided.
        if let Some(response) = use_context::<ResponseOptions>() {
            let policy = csp(use_nonce().map(|n| n.to_string()).as_deref());
            if let Ok(value) = HeaderValue::from_str(&policy) {
                response.insert_header(header::CONTENT_SECURITY_POLICY, value);
            }
        }
        view! {
            <Shell options site_name title=pending.title interactive=pending.interactive>
                {body()}
            </Shell>
        }
    };
    let rendered = leptos_axum::handle_response_inner(|| {}, app, for_leptos, in_order).await;
    let (parts, html) = rendered.into_parts();
    for (name, value) in &parts.headers {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    *response.body_mut() = html;
    response
}

/// Renders the whole view in order, then whatever leptos adds after it.
fn in_order<V: IntoView + 'static>(
    view: V,
    rest: Box<dyn FnOnce() -> Chunks + Send>,
    _out_of_order: bool,
) -> Pin<Box<dyn Future<Output = Chunks> + Send>> {
    Box::pin(async move {
        let html = view.to_html_stream_in_order().collect::<String>().await;
        Box::pin(once(async move { html }).chain(rest())) as Chunks
    })
}
