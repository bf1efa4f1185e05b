//! Test support: a page read as a browser's accessibility tree would present it — fields by
//! their label, buttons and links by their name, status messages by role — instead of matching
//! substrings of its HTML.

use scraper::{ElementRef, Html, Selector};

pub struct Page(Html);

/// A form field found by its label.
#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub value: String,
    /// The text of the element its `aria-describedby` names (its error message), if any.
    pub description: Option<String>,
    pub invalid: bool,
}

fn text(e: ElementRef) -> String {
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn select(s: &str) -> Selector {
    Selector::parse(s).expect("a valid selector")
}

impl Page {
    pub fn parse(html: &str) -> Page {
        Page(Html::parse_document(html))
    }

    fn by_id(&self, id: &str) -> Option<ElementRef<'_>> {
        self.0.select(&select("[id]")).find(|e| e.value().attr("id") == Some(id))
    }

    /// The control whose `<label for>` reads `label` (the label's own text, before any hint).
    fn labelled(&self, label: &str) -> Option<ElementRef<'_>> {
        let target = self
            .0
            .select(&select("label[for]"))
            .find(|l| text(*l).starts_with(label))?
            .value()
            .attr("for")?;
        self.by_id(target)
    }

    /// The field labelled `label`.
    pub fn field(&self, label: &str) -> Option<Field> {
        let input = self.labelled(label)?;
        let description = input.value().attr("aria-describedby").and_then(|ids| {
            ids.split_whitespace()
                .filter_map(|id| self.by_id(id))
                .map(text)
                .find(|t| !t.is_empty())
        });
        Some(Field {
            name: input.value().attr("name").unwrap_or_default().to_string(),
            value: input.value().attr("value").unwrap_or_default().to_string(),
            invalid: input.value().attr("aria-invalid") == Some("true"),
            description,
        })
    }

    /// Whether there is a button named `name` (its text, or a submit input's value).
    pub fn has_button(&self, name: &str) -> bool {
        self.0.select(&select("button")).any(|b| text(b) == name)
            || self
                .0
                .select(&select("input[type=submit]"))
                .any(|i| i.value().attr("value") == Some(name))
    }

    /// Where the link named `name` goes, if there is one.
    pub fn link(&self, name: &str) -> Option<String> {
        self.0
            .select(&select("a[href]"))
            .find(|a| text(*a) == name)
            .and_then(|a| a.value().attr("href").map(str::to_string))
    }

    /// The text of every element with `role="status"` or `role="alert"`, joined.
    pub fn announcements(&self) -> String {
        self.0
            .select(&select("[role=status], [role=alert]"))
            .map(text)
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// The actions of the page's forms.
    pub fn form_actions(&self) -> Vec<String> {
        self.0
            .select(&select("form[action]"))
            .filter_map(|f| f.value().attr("action").map(str::to_string))
            .collect()
    }

    /// The chosen option of the `<select>` whose label reads `label`.
    pub fn selected(&self, label: &str) -> Option<String> {
        self.labelled(label)?
            .select(&select("option[selected]"))
            .next()
            .and_then(|o| o.value().attr("value").map(str::to_string))
    }

    /// The page's visible text, whitespace collapsed.
    pub fn text(&self) -> String {
        text(self.0.root_element())
    }
}
