//! The emails about appointments: booked, moved, canceled and reminders, to the customer (with their
//! manage link) and to the staff member (with the customer's details), each with the calendar
//! entry. Every change raises the entry's `SEQUENCE` under the same `UID`, so a moved
//! appointment replaces the old entry and a canceled one withdraws it.

use super::ics::{Invite, Standing};
use super::mail::{escape_html, letter, ComposeError};
use crate::appointments::Details;
use crate::config::Config;
use crate::jobs::email::{AppointmentEmailJob, AppointmentMail};
use lettre::message::Mailbox;
use lettre::Message;

/// Who an appointment email is for.
enum Reader<'a> {
    Customer { manage_url: String },
    Staff(&'a crate::appointments::model::Staff),
}

/// Builds the email `job` asks for about the appointment in `d`; `token` is the customer's
/// manage token.
pub fn compose(config: &Config, job: &AppointmentEmailJob, d: &Details, token: &str, message_id: &str) -> Result<Message, ComposeError> {
    let a = &d.appointment;
    let reader = match &job.staff_id {
        None => Reader::Customer {
            manage_url: format!("{}/appointments/{token}", config.public_url),
        },
        Some(id) => Reader::Staff(d.staff.iter().find(|s| &s.id == id).ok_or(ComposeError::Gone("the staff member"))?),
    };
    let zone_name = match &reader {
        Reader::Customer { .. } => &a.customer_time_zone,
        Reader::Staff(s) => &s.time_zone,
    };
    let zone = app::tz::parse_zone(zone_name)
        .or_else(|_| app::tz::parse_zone(&d.business.time_zone))
        .map_err(ComposeError::Zone)?;
    let when = app::tz::format_range(a.start, a.end, &zone);
    let service = &d.service_name;
    let business = &d.business.display_name;
    let staff_names = d.assigned().map(|s| s.display_name.as_str()).collect::<Vec<_>>().join(", ");
    let customer = &a.customer_name;
    let (to_name, to_address, subject, lead) = match (&reader, job.mail) {
        (Reader::Customer { .. }, AppointmentMail::Booked) => (
            customer,
            &a.customer_email,
            format!("Booked: {service} with {business}"),
            "Your appointment is booked.".to_string(),
        ),
        (Reader::Customer { .. }, AppointmentMail::Rescheduled) => (
            customer,
            &a.customer_email,
            format!("New time: {service} with {business}"),
            "Your appointment has moved to the time below; your calendar entry is updated.".to_string(),
        ),
        (Reader::Customer { .. }, AppointmentMail::Canceled) => (
            customer,
            &a.customer_email,
            format!("Canceled: {service} with {business}"),
            "Your appointment is canceled. You can book another time from the business's booking page.".to_string(),
        ),
        (Reader::Staff(s), AppointmentMail::Booked) => (
            &s.display_name,
            &s.email_address,
            format!("New booking: {service} with {customer}"),
            format!("{customer} booked {service} with you."),
        ),
        (Reader::Staff(s), AppointmentMail::Rescheduled) => (
            &s.display_name,
            &s.email_address,
            format!("Moved: {service} with {customer}"),
            format!("{customer} moved their {service} to the time below."),
        ),
        (Reader::Customer { .. }, AppointmentMail::Reminder) => (
            customer,
            &a.customer_email,
            format!("Reminder: {service} with {business}"),
            "Your appointment is coming up.".to_string(),
        ),
        (Reader::Staff(s), AppointmentMail::Reminder) => (
            &s.display_name,
            &s.email_address,
            format!("Reminder: {service} with {customer}"),
            format!("Your {service} with {customer} is coming up."),
        ),
        (Reader::Staff(s), AppointmentMail::Canceled) => (
            &s.display_name,
            &s.email_address,
            format!("Canceled: {service} with {customer}"),
            format!("{customer} canceled their {service}; the time is free again."),
        ),
    };
    // A reminder carries the service's own words after the lead.
    let lead = match job.message.as_deref().filter(|_| job.mail == AppointmentMail::Reminder) {
        Some(message) => format!("{lead} {message}"),
        None => lead,
    };
    let canceled = job.mail == AppointmentMail::Canceled || a.status == "canceled";
    let mut facts = vec![("When", when), ("Where", "Online".to_string())];
    let mut link = None;
    match &reader {
        Reader::Customer { manage_url } => {
            facts.insert(1, ("With", staff_names));
            if !canceled {
                link = Some((manage_url.clone(), "See, move or cancel your appointment"));
            }
        }
        Reader::Staff(_) => {
            facts.insert(1, ("Customer", format!("{customer} <{}>", a.customer_email)));
            // What the customer answered, for the staff member to prepare.
            for answer in &a.answers {
                facts.push(("Asked", format!("{} — {}", answer.question, answer.answer)));
            }
        }
    }
    // In Microsoft mode, once Teams has made the meeting: the customer joins in the browser,
    // staff in Teams. An email sent before that points to the manage page, which shows it.
    let join = match &reader {
        Reader::Customer { .. } => a.join_url.as_ref(),
        Reader::Staff(_) => a.teams_join_url.as_ref(),
    };
    if let Some(join) = join.filter(|_| !canceled) {
        facts.push(("Join", join.clone()));
    }
    let title = match &reader {
        Reader::Customer { .. } => format!("{service} with {business}"),
        Reader::Staff(_) => format!("{service} with {customer}"),
    };
    let mut text = format!("Hello {to_name},\n\n{lead}\n\n{title}\n");
    for (label, value) in &facts {
        text.push_str(&format!("{label}: {value}\n"));
    }
    if let Some((url, words)) = &link {
        text.push_str(&format!(
            "\n{words}: {url}\n\nKeep this link private: anyone with it can manage your appointment.\n"
        ));
    }
    text.push_str(&format!("\n{}\n", config.site_name));
    let facts_html = facts
        .iter()
        .map(|(label, value)| format!("<strong>{label}:</strong> {}", escape_html(value)))
        .collect::<Vec<_>>()
        .join("<br>");
    let link_html = link
        .as_ref()
        .map(|(url, words)| {
            format!(
                "<p><a href=\"{}\">{words}</a></p><p style=\"color:#6b7280;font-size:13px\">Keep this link private: anyone with it can manage your appointment.</p>",
                escape_html(url)
            )
        })
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937\">\
         <p>Hello {name},</p><p>{lead}</p><h2 style=\"margin-bottom:4px\">{title}</h2><p style=\"margin-top:0\">{facts_html}</p>{link_html}\
         <p>{site}</p></body></html>",
        name = escape_html(to_name),
        lead = escape_html(&lead),
        title = escape_html(&title),
        site = escape_html(&config.site_name),
    );
    let url = match &link {
        Some((url, _)) => url.clone(),
        None => format!("{}/book/{}", config.public_url, d.business.slug),
    };
    // A reminder changes nothing in the calendar: it carries no entry.
    let invite = (job.mail != AppointmentMail::Reminder).then(|| invite(config, d, &title, &url, canceled));
    letter(config, (to_name, to_address), &subject, (text, html), invite, message_id)
}

/// The calendar entry of an appointment: its text and the media type of an email part with it.
pub fn invite(config: &Config, d: &Details, title: &str, url: &str, canceled: bool) -> (String, String) {
    let a = &d.appointment;
    let uid = format!("appointment-{}@atrium", a.id);
    let from_email = config.mail_from.parse::<Mailbox>().map(|m| m.email.to_string()).unwrap_or_default();
    let description = format!("{} at {}\n\n{url}", d.service_name, d.business.display_name);
    let invite = Invite {
        uid: &uid,
        sequence: u32::try_from(a.sequence).unwrap_or(u32::MAX),
        title,
        description: &description,
        location: "Online",
        url,
        start: a.start,
        end: a.end,
        organizer_name: &d.business.display_name,
        organizer_email: &from_email,
        standing: if canceled { Standing::Canceled } else { Standing::Confirmed },
    };
    (invite.render(), invite.content_type())
}
