//! An event's presenters, as an organizer sends them, and their checks.

use super::text_len;
use crate::events::Presenter;
use app::domain::{parse_web_url, FieldError};
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresenterInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub photo_url: Option<String>,
    #[serde(default)]
    pub linked_in_profile_web_url: Option<String>,
    #[serde(default)]
    pub personal_site_web_url: Option<String>,
    #[serde(default)]
    pub twitter_profile_web_url: Option<String>,
}

pub(super) fn optional_url(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>) -> Option<String> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => parse_web_url(v).map_err(|m| errors.push(FieldError::new(field, m))).ok(),
    }
}

pub(super) fn parse_presenters(inputs: &[PresenterInput], errors: &mut Vec<FieldError>) -> Vec<PresenterRecord> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let field = |name: &str| format!("presenters[{i}].{name}");
            text_len(errors, &field("name"), &p.name, 1, 200, "the presenter's name");
            text_len(errors, &field("bio"), &p.bio, 0, 2000, "the bio");
            text_len(errors, &field("company"), &p.company, 0, 200, "the company");
            text_len(errors, &field("jobTitle"), &p.job_title, 0, 200, "the job title");
            let email = match p.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                None => None,
                Some(e) => app::domain::EmailAddress::parse(e)
                    .map(|e| e.as_str().to_string())
                    .map_err(|m| errors.push(FieldError::new(field("email"), m)))
                    .ok(),
            };
            PresenterRecord {
                presenter: Presenter {
                    name: p.name.trim().into(),
                    company: p.company.trim().into(),
                    job_title: p.job_title.trim().into(),
                    bio: p.bio.trim().into(),
                    ..Default::default()
                },
                email,
                photo_url: optional_url(errors, &field("photoUrl"), &p.photo_url),
                linkedin_url: optional_url(errors, &field("linkedInProfileWebUrl"), &p.linked_in_profile_web_url),
                website_url: optional_url(errors, &field("personalSiteWebUrl"), &p.personal_site_web_url),
                x_url: optional_url(errors, &field("twitterProfileWebUrl"), &p.twitter_profile_web_url),
            }
        })
        .collect()
}

/// A presenter with everything Graph's `presenterDetails` holds.
#[derive(Clone, Debug)]
pub struct PresenterRecord {
    pub presenter: Presenter,
    pub email: Option<String>,
    pub photo_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub website_url: Option<String>,
    pub x_url: Option<String>,
}
