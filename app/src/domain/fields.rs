//! Single fields people type, checked: email addresses, names, language tags, slugs and web links.

use super::*;
use serde::{Deserialize, Serialize};

/// An email address that passed Atrium's checks: ASCII only, one `@`, a plausible local part,
/// and a domain of dot-separated labels (internationalised domains in their `xn--` form). Compared case-insensitively through [`EmailAddress::normalized`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let email = input.trim();
        if email.is_empty() {
            return Err("Please enter your email address.".into());
        }
        if email.len() > 254 {
            return Err("This email address is too long.".into());
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err("Please enter an email address like name@example.com.".into());
        };
        // Mail servers need extensions (SMTPUTF8) for anything else, which many lack: such an
        // address would be accepted here and then never delivered.
        if !email.is_ascii() {
            return Err("Please use an email address made of Latin letters (a–z), digits and punctuation: addresses with other characters can't be delivered.".into());
        }
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if !local_ok || !domain_ok {
            return Err("Please enter an email address like name@example.com.".into());
        }
        Ok(Self(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two registrations are compared by: the whole address in lower case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A person's first or last name: trimmed, 1–100 characters, no control characters.
pub fn parse_name(input: &str, what: &str) -> Result<String, Invalid> {
    let name = input.trim();
    if name.is_empty() {
        return Err(format!("Please enter your {what}.").into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("Please keep your {what} under {MAX_NAME} characters.").into());
    }
    if has_control_chars(name, false) {
        return Err(format!("Your {what} contains characters that can't be used.").into());
    }
    Ok(name.to_string())
}

/// A BCP 47 language tag such as `en-US`: letters, digits and hyphens, at most 35 characters.
pub fn parse_language(input: &str) -> Result<String, Invalid> {
    let tag = input.trim();
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split('-')
            .all(|part| !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric()))
        && tag
            .split('-')
            .next()
            .is_some_and(|p| p.len() >= 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    if ok {
        Ok(tag.to_string())
    } else {
        Err("Please give a language tag such as en-US.".into())
    }
}

/// A URL-safe event slug: lower-case letters, digits and single hyphens, 3–80 characters.
pub fn parse_slug(input: &str) -> Result<String, Invalid> {
    let slug = input.trim();
    let ok = (3..=80).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(slug.to_string())
    } else {
        Err("Use 3–80 lower-case letters, digits and single hyphens.".into())
    }
}

/// An `http`/`https` URL suitable for a link shown to people (join links, terms, presenter sites).
pub fn parse_web_url(input: &str) -> Result<String, Invalid> {
    let url = input.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && url.len() <= 2048
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') =>
        {
            Ok(url.to_string())
        }
        _ => Err("Please enter a web address starting with https://.".into()),
    }
}
