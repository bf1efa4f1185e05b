//! A business's look and its prices as organizers give them: a logo at an https address, a
//! brand colour checked for contrast with white text (WCAG AA), an ISO 4217 currency, and each
//! service's price in Graph's terms.

use super::input::{BusinessInput, ServiceInput};
use crate::appointments::model::{Branding, Service};
use app::domain::FieldError;

const PRICE_TYPES: [&str; 7] = ["fixedPrice", "startingAt", "hourly", "free", "priceVaries", "callUs", "notSet"];
const MAX_PRICE: f64 = 1_000_000.0;

/// WCAG's contrast ratio of `#rrggbb` with white.
fn contrast_with_white(hex: &str) -> Option<f64> {
    let hex = hex
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).ok()?) / 255.0;
        Some(if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    let luminance = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (luminance + 0.05))
}

pub(super) fn apply_branding(b: &mut Branding, input: &BusinessInput, errors: &mut Vec<FieldError>) {
    match &input.logo_url {
        Some(Some(url)) => {
            let url = url.trim();
            match reqwest::Url::parse(url) {
                Ok(u) if u.scheme() == "https" && u.host().is_some() && url.len() <= 500 => b.logo_url = Some(url.to_string()),
                _ => errors.push(FieldError::new(
                    "logoUrl",
                    "Give the logo's https address, such as https://contoso.example/logo.png.",
                )),
            }
        }
        Some(None) => b.logo_url = None,
        None => {}
    }
    match &input.brand_color {
        Some(Some(colour)) => match contrast_with_white(colour.trim()) {
            Some(ratio) if ratio >= 4.5 => b.brand_color = Some(colour.trim().to_ascii_lowercase()),
            Some(ratio) => errors.push(FieldError::new(
                "brandColor",
                format!("White text on this colour has a contrast of {ratio:.1}:1; choose a darker colour (at least 4.5:1)."),
            )),
            None => errors.push(FieldError::new("brandColor", "Give a colour such as #1d4ed8.")),
        },
        Some(None) => b.brand_color = None,
        None => {}
    }
    if let Some(currency) = &input.default_currency_iso {
        let currency = currency.trim();
        if currency.len() == 3 && currency.bytes().all(|c| c.is_ascii_uppercase()) {
            b.currency = currency.to_string();
        } else {
            errors.push(FieldError::new("defaultCurrencyIso", "Give a currency code such as USD or EUR."));
        }
    }
}

pub(super) fn apply_price(s: &mut Service, input: &ServiceInput, errors: &mut Vec<FieldError>) {
    match input.default_price {
        Some(Some(p)) if p.is_finite() && (0.0..=MAX_PRICE).contains(&p) => s.price = Some(p),
        Some(Some(_)) => errors.push(FieldError::new("defaultPrice", "Give a price from 0 to 1,000,000.")),
        Some(None) => s.price = None,
        None => {}
    }
    if let Some(kind) = &input.default_price_type {
        match PRICE_TYPES.iter().find(|k| **k == kind) {
            Some(k) => s.price_type = (*k).to_string(),
            // Graph's "undefined" means the same as not set.
            None if kind == "undefined" => s.price_type = "notSet".into(),
            None => errors.push(FieldError::new(
                "defaultPriceType",
                format!("Use one of {}.", PRICE_TYPES.join(", ")),
            )),
        }
    }
    if matches!(s.price_type.as_str(), "fixedPrice" | "startingAt" | "hourly") && s.price.is_none() {
        errors.push(FieldError::new("defaultPrice", "Give the price this price type needs."));
    }
}

#[cfg(test)]
mod tests {
    use super::contrast_with_white;

    #[test]
    fn colours_are_checked_for_contrast_with_white_text() {
        assert!(contrast_with_white("#4338ca").unwrap() > 4.5, "Atrium's own");
        assert!(contrast_with_white("#ffff00").unwrap() < 1.2);
        assert!((contrast_with_white("#000000").unwrap() - 21.0).abs() < 0.01);
        assert!((contrast_with_white("#777777").unwrap() - 4.48).abs() < 0.01, "just too light");
        assert_eq!(contrast_with_white("blue"), None);
        assert_eq!(contrast_with_white("#12345"), None);
    }
}
