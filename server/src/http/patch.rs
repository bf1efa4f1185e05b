//! Reading change (PATCH-style) bodies: a field left out keeps its value, a field sent as
//! `null` clears it, so the two must be told apart.

use serde::{Deserialize, Deserializer};

/// Deserializes a field that may be absent (`None`, with `#[serde(default)]`), `null`
/// (`Some(None)`) or a value (`Some(Some(v))`).
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Change {
        #[serde(default, deserialize_with = "super::double_option")]
        logo: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_a_value_are_three_things() {
        let read = |json: &str| serde_json::from_str::<Change>(json).unwrap().logo;
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"logo": null}"#), Some(None));
        assert_eq!(read(r#"{"logo": "x"}"#), Some(Some("x".into())));
    }
}
