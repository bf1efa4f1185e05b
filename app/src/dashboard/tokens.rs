//! API tokens: issue, list, revoke.

use super::Csrf;
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created: String,
    pub last_used: String,
    /// "Active", "Revoked" or "Expired".
    pub state: String,
    /// When it stops working, or "never".
    pub expires: String,
    /// "Read only" or "Read and write".
    pub scope: String,
}

#[component]
pub fn TokensPage(tokens: Vec<TokenView>, new_token: Option<String>, csrf: String) -> impl IntoView {
    let rows = tokens
        .into_iter()
        .map(|t| {
            let revoke = (t.state == "Active").then(|| {
                view! {
                    <form method="post" action=format!("/dashboard/tokens/{}/revoke", t.id) class="inline">
                        <Csrf token=csrf.clone() />
                        <button type="submit" class="small danger">"Revoke"</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td>{t.name}</td>
                    <td>{t.created_by}</td>
                    <td>{t.created}</td>
                    <td>{t.last_used}</td>
                    <td>{t.scope}</td>
                    <td>{t.expires}</td>
                    <td>{t.state}</td>
                    <td>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"API tokens"</h1>
        <p class="hint">"Tokens let integrations use the REST API (/api/v1) as your organization. Send one as Authorization: Bearer <token>."</p>
        {new_token.map(|t| view! {
            <div class="banner" role="status">
                <p>"Your new token. Copy it now: it won't be shown again."</p>
                <p><code class="token">{t}</code></p>
            </div>
        })}
        <form method="post" action="/dashboard/tokens" class="filters">
            <Csrf token=csrf.clone() />
            <label for="token-name">"Name"</label>
            <input id="token-name" name="name" required=true placeholder="CRM sync" />
            <label for="token-expires">"Expires after"</label>
            <select id="token-expires" name="expires">
                <option value="30">"30 days"</option>
                <option value="90" selected=true>"90 days"</option>
                <option value="365">"1 year"</option>
                <option value="never">"Never"</option>
            </select>
            <label class="choice"><input type="checkbox" name="scope" value="read" /> "Read only"</label>
            <button type="submit" class="primary">"Create token"</button>
        </form>
        <table class="grid">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Created by"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Access"</th><th scope="col">"Expires"</th><th scope="col">"State"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
