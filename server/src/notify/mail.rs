//! The emails Atrium sends to registrants: text and HTML, with the calendar invite attached.

use crate::config::Config;
use crate::events::Event;
use crate::notify::ics::Invite;
use crate::registrations::Registration;
use app::domain::EventKind;
use lettre::message::{header::ContentType, Attachment, Mailbox, Message, MultiPart, SinglePart};

pub use crate::jobs::email::Mail;

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Content {
    subject: String,
    lead: String,
    show_join: bool,
}

fn content(mail: Mail, event: &Event, reg: &Registration, position: Option<i64>) -> Content {
    let title = &event.title;
    let (subject, lead) = match mail {
        Mail::Confirmation => (
            format!("You're registered: {title}"),
            "You're registered. We look forward to seeing you.".to_string(),
        ),
        Mail::Waitlisted => (
            format!("You're on the waitlist: {title}"),
            match position {
                Some(n) => {
                    format!("The event is full, so you're on the waitlist at position {n}. We'll email you as soon as a place opens up.")
                }
                None => "The event is full, so you're on the waitlist. We'll email you as soon as a place opens up.".into(),
            },
        ),
        Mail::PendingApproval => (
            format!("Registration received: {title}"),
            "Thanks for registering. The organizer reviews each registration; we'll email you once they decide.".into(),
        ),
        Mail::Promoted => (
            format!("A place opened up — you're in: {title}"),
            "Good news: a place opened up and you're now registered.".into(),
        ),
        Mail::Canceled => (
            format!("Registration canceled: {title}"),
            "Your registration is canceled. If this wasn't you, you can register again from the event page.".into(),
        ),
        Mail::Approved => (
            format!("You're in: {title}"),
            "The organizer approved your registration. You're registered.".into(),
        ),
        Mail::Rejected => (
            format!("Registration not accepted: {title}"),
            "Unfortunately the organizer could not accept your registration for this event.".into(),
        ),
        Mail::EventCanceled => (format!("Canceled: {title}"), "The organizer has canceled this event.".into()),
        Mail::Announcement => (format!("Update: {title}"), "The organizer sent a message about this event.".into()),
        Mail::Reminder => (
            format!("Reminder: {title} is coming up"),
            "A reminder that you're registered for this event.".into(),
        ),
        Mail::Details => (
            format!("Your registration: {title}"),
            format!("Here are the details of your registration again. {}", reg.status.describe()),
        ),
        Mail::ConfirmAddress => (
            format!("Please confirm your email address: {title}"),
            format!(
                "Someone, hopefully you, registered this address for the event below. Confirm it within {} to keep your place; \
                 if it wasn't you, ignore this email and the place is released.",
                hold_duration(event.confirm_hold_minutes)
            ),
        ),
    };
    let show_join =
        matches!(mail, Mail::Confirmation | Mail::Promoted | Mail::Details) && reg.status == app::domain::RegistrationStatus::Registered;
    Content { subject, lead, show_join }
}

/// "90 minutes", "2 hours", "1 day".
fn hold_duration(minutes: i64) -> String {
    match minutes {
        m if m % 1440 == 0 && m >= 1440 => format!("{} day{}", m / 1440, if m == 1440 { "" } else { "s" }),
        m if m % 60 == 0 && m >= 60 => format!("{} hour{}", m / 60, if m == 60 { "" } else { "s" }),
        m => format!("{m} minute{}", if m == 1 { "" } else { "s" }),
    }
}

/// Said where Teams, not Atrium, sends the personal join link.
pub const TEAMS_LINK_NOTE: &str =
    "Microsoft Teams emails you a personal join link for this webinar; join with it in the Teams app or on the web, no account needed.";

/// Why a message could not be built; none of these gets better by trying again.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("neither the registrant's nor the event's time zone is known: {0}")]
    Zone(app::domain::Invalid),
    #[error("the sender address ATRIUM_MAIL_FROM is not an address: {0}")]
    Sender(lettre::address::AddressError),
    #[error("the recipient address is not an address: {0}")]
    Recipient(lettre::address::AddressError),
    #[error("{0} is gone")]
    Gone(&'static str),
    #[error("the message could not be assembled: {0}")]
    Message(lettre::error::Error),
}

/// Builds the complete message for one registrant.
#[allow(clippy::too_many_arguments)]
pub fn compose(
    config: &Config,
    mail: Mail,
    event: &Event,
    reg: &Registration,
    token: &str,
    position: Option<i64>,
    note: Option<&str>,
    message_id: &str,
) -> Result<Message, ComposeError> {
    let zone = app::tz::parse_zone(&reg.preferred_timezone)
        .or_else(|_| app::tz::parse_zone(&event.time_zone))
        .map_err(ComposeError::Zone)?;
    let when = app::tz::format_range(event.start_at, event.end_at, &zone);
    let manage_url = format!("{}/r/{token}", config.public_url);
    let c = content(mail, event, reg, position);
    if mail == Mail::ConfirmAddress {
        return confirmation_request(config, event, reg, &c, &format!("{manage_url}/confirm"), &when, message_id);
    }
    let join_line = event.join_link().filter(|_| c.show_join).map(str::to_string);
    let teams_note = (c.show_join && event.teams_sends_links()).then_some(TEAMS_LINK_NOTE);
    let where_line = match event.kind {
        EventKind::Webinar => "Online, in Microsoft Teams",
        EventKind::Meeting => "Online meeting",
    };

    let mut text = format!(
        "Hello {},\n\n{}\n\n{}\nWhen: {}\nWhere: {}\n",
        reg.first_name, c.lead, event.title, when, where_line
    );
    if let Some(url) = &join_line {
        text.push_str(&format!("Join: {url}\n"));
    }
    if let Some(n) = teams_note {
        text.push_str(&format!("\n{n}\n"));
    }
    if let Some(note) = note {
        text.push_str(&format!("\nMessage from the organizer:\n{note}\n"));
    }
    text.push_str(&format!("\nView, add to your calendar or cancel: {manage_url}\n\nKeep this link private: anyone with it can manage your registration.\n\n{}\n", config.site_name));

    let join_html = join_line
        .as_ref()
        .map(|url| format!("<p><a href=\"{}\" style=\"background:#4f46e5;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">Join the event</a></p>", escape_html(url)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937\">\
         <p>Hello {name},</p><p>{lead}</p><h2 style=\"margin-bottom:4px\">{title}</h2>\
         <p style=\"margin-top:0\"><strong>When:</strong> {when}<br><strong>Where:</strong> {where_line}</p>{join_html}{teams_html}{note_html}\
         <p><a href=\"{manage}\">View, add to your calendar or cancel</a></p>\
         <p style=\"color:#6b7280;font-size:13px\">Keep this link private: anyone with it can manage your registration.</p>\
         <p>{site}</p></body></html>",
        name = escape_html(&reg.first_name),
        lead = escape_html(&c.lead),
        title = escape_html(&event.title),
        when = escape_html(&when),
        where_line = where_line,
        join_html = join_html,
        teams_html = teams_note.map(|n| format!("<p>{n}</p>")).unwrap_or_default(),
        note_html = note
            .map(|n| format!(
                "<h3>Message from the organizer</h3><p style=\"white-space:pre-wrap\">{}</p>",
                escape_html(n)
            ))
            .unwrap_or_default(),
        manage = escape_html(&manage_url),
        site = escape_html(&config.site_name),
    );

    let (invite, invite_type) = invite(config, event, reg, token, mail == Mail::Canceled);
    letter(
        config,
        (&format!("{} {}", reg.first_name, reg.last_name), &reg.email),
        &c.subject,
        (text, html),
        Some((invite, invite_type)),
        message_id,
    )
}

/// A complete message to `to` (name, address): text and HTML alternatives, and the calendar
/// entry (its text and media type) attached when there is one.
pub(super) fn letter(
    config: &Config,
    to: (&str, &str),
    subject: &str,
    (text, html): (String, String),
    invite: Option<(String, String)>,
    message_id: &str,
) -> Result<Message, ComposeError> {
    let from: Mailbox = config.mail_from.parse().map_err(ComposeError::Sender)?;
    let to = Mailbox::new(Some(to.0.to_string()), to.1.parse().map_err(ComposeError::Recipient)?);
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .singlepart(SinglePart::html(html));
    let domain = from.email.domain().to_string();
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{message_id}@{domain}>")));
    match invite {
        Some((invite, invite_type)) => builder.multipart(MultiPart::mixed().multipart(body).singlepart(
            Attachment::new("invite.ics".into()).body(invite.into_bytes(), ContentType::parse(&invite_type).expect("valid content type")),
        )),
        None => builder.multipart(body),
    }
    .map_err(ComposeError::Message)
}

/// The email that asks someone to confirm their address: a link to the confirmation page and
/// nothing else (no calendar entry until the place is theirs).
fn confirmation_request(
    config: &Config,
    event: &Event,
    reg: &Registration,
    c: &Content,
    confirm_url: &str,
    when: &str,
    message_id: &str,
) -> Result<Message, ComposeError> {
    let text = format!(
        "Hello {},\n\n{}\n\n{}\nWhen: {when}\n\nConfirm your email address: {confirm_url}\n\n{}\n",
        reg.first_name, c.lead, event.title, config.site_name
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937\">\
         <p>Hello {name},</p><p>{lead}</p><h2 style=\"margin-bottom:4px\">{title}</h2><p style=\"margin-top:0\"><strong>When:</strong> {when}</p>\
         <p><a href=\"{url}\" style=\"background:#4f46e5;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">Confirm my email address</a></p>\
         <p>{site}</p></body></html>",
        name = escape_html(&reg.first_name),
        lead = escape_html(&c.lead),
        title = escape_html(&event.title),
        when = escape_html(when),
        url = escape_html(confirm_url),
        site = escape_html(&config.site_name),
    );
    letter(
        config,
        (&format!("{} {}", reg.first_name, reg.last_name), &reg.email),
        &c.subject,
        (text, html),
        None,
        message_id,
    )
}

/// The calendar entry for a registration: its text and the media type of an email part
/// carrying it (with the matching iTIP `method`).
pub fn invite(config: &Config, event: &Event, reg: &Registration, token: &str, canceled: bool) -> (String, String) {
    use crate::notify::ics::Standing;
    let manage_url = format!("{}/r/{token}", config.public_url);
    let from_email = config.mail_from.parse::<Mailbox>().map(|m| m.email.to_string()).unwrap_or_default();
    let join = event
        .join_link()
        .filter(|_| reg.status == app::domain::RegistrationStatus::Registered);
    let description = match join {
        Some(url) => format!("{}\n\nJoin: {url}\nManage your registration: {manage_url}", event.summary),
        None => format!("{}\n\nManage your registration: {manage_url}", event.summary),
    };
    let standing = if canceled
        || event.status == app::domain::EventStatus::Canceled
        || matches!(
            reg.status,
            app::domain::RegistrationStatus::Canceled | app::domain::RegistrationStatus::RejectedByOrganizer
        ) {
        Standing::Canceled
    } else if reg.status == app::domain::RegistrationStatus::Registered {
        Standing::Confirmed
    } else {
        Standing::Tentative
    };
    let uid = format!("{}@atrium", event.id);
    let invite = Invite {
        uid: &uid,
        sequence: u32::try_from(event.ics_sequence + reg.ics_sequence).unwrap_or(u32::MAX),
        title: &event.title,
        description: &description,
        location: join.unwrap_or("Online"),
        url: &manage_url,
        start: event.start_at,
        end: event.end_at,
        organizer_name: &config.site_name,
        organizer_email: &from_email,
        standing,
    };
    (invite.render(), invite.content_type())
}
