//! The browser entry point: installs the panic hook and hydrates the islands on the page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Pull in the islands so their hydration functions are exported from the bundle.
    #[allow(unused_imports)]
    use app::islands::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
