//! The event editor: details, capacity and window, questions and presenters, in one form.

use super::{error_for, Csrf, Field};
use crate::domain::{FieldError, PredefinedLabel};
use leptos::prelude::*;

/// A question row in the editor.
#[derive(Clone, Debug, Default)]
pub struct QuestionRow {
    pub label: String,
    pub answer_input_type: String,
    pub choices: String,
    pub is_required: bool,
}

/// A presenter row in the editor.
#[derive(Clone, Debug, Default)]
pub struct PresenterRow {
    pub name: String,
    pub email: String,
    pub photo: String,
    pub x: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    pub linkedin: String,
    pub website: String,
}

/// What the event editor shows: stored values, or what was typed when saving failed.
#[derive(Clone, Debug, Default)]
pub struct EventForm {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: String,
    pub start: String,
    pub end: String,
    pub time_zone: String,
    pub capacity: String,
    pub waitlist: bool,
    pub approval: bool,
    /// Teams (rather than Atrium) emails webinar attendees their personal join links.
    pub teams_emails: bool,
    pub opens: String,
    pub closes: String,
    pub join_url: String,
    pub terms_url: String,
    /// Minutes a seat is held for a registrant to confirm their email address; "0" when not asked.
    pub confirm_minutes: String,
    /// Predefined questions asked, with whether each is required.
    pub predefined: Vec<(PredefinedLabel, bool)>,
    pub questions: Vec<QuestionRow>,
    pub presenters: Vec<PresenterRow>,
}

#[component]
pub fn EventEditor(
    form: EventForm,
    errors: Vec<FieldError>,
    csrf: String,
    action: String,
    zones: Vec<String>,
    is_new: bool,
    /// Microsoft mode: offer the choice of who emails webinar attendees.
    #[prop(optional)]
    microsoft: bool,
) -> impl IntoView {
    let e = errors.clone();
    let zone_options = zones
        .into_iter()
        .map(|z| {
            let selected = z == form.time_zone;
            view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
        })
        .collect_view();
    let predefined = PredefinedLabel::ALL
        .iter()
        .map(|label| {
            let asked = form.predefined.iter().find(|(l, _)| l == label);
            let name = format!("predefined.{}", label.as_str());
            let req = format!("predefined.{}.required", label.as_str());
            view! {
                <tr>
                    <td><label class="choice"><input type="checkbox" name=name value="true" checked=asked.is_some() /> {label.display_name()}</label></td>
                    <td><label class="choice"><input type="checkbox" name=req value="true" checked=asked.is_some_and(|(_, r)| *r) /> "Required"</label></td>
                </tr>
            }
        })
        .collect_view();
    let mut question_rows = form.questions.clone();
    question_rows.push(QuestionRow::default());
    question_rows.push(QuestionRow::default());
    let questions = question_rows
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let types = ["text", "multilineText", "singleChoice", "multiChoice", "boolean"]
                .into_iter()
                .map(|t| view! { <option value=t selected=q.answer_input_type == t>{t}</option> })
                .collect_view();
            let err = [format!("questions[{i}].label"), format!("questions[{i}].choices"), format!("questions[{i}].answerInputType")]
                .iter()
                .find_map(|f| error_for(&errors, f));
            let invalid = err.is_some();
            view! {
                <tr class:invalid=invalid>
                    <td><input name=format!("q.{i}.label") value=q.label aria-label=format!("Question {}", i + 1) /></td>
                    <td><select name=format!("q.{i}.type") aria-label=format!("Answer type {}", i + 1)>{types}</select></td>
                    <td><input name=format!("q.{i}.choices") value=q.choices aria-label=format!("Choices {}", i + 1) placeholder="One; Two; Three" /></td>
                    <td><input type="checkbox" name=format!("q.{i}.required") value="true" checked=q.is_required aria-label=format!("Required {}", i + 1) /></td>
                    <td><input type="number" name=format!("q.{i}.position") value=(i + 1).to_string() min="1" class="short" aria-label=format!("Position {}", i + 1) /></td>
                    <td class="field-error">{err}</td>
                </tr>
            }
        })
        .collect_view();
    let mut presenter_rows = form.presenters.clone();
    presenter_rows.push(PresenterRow::default());
    let presenters = presenter_rows
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            view! {
                <fieldset class="presenter">
                    <legend>{format!("Presenter {}", i + 1)}</legend>
                    <label>"Name" <input name=format!("p.{i}.name") value=p.name /></label>
                    <label>"Company" <input name=format!("p.{i}.company") value=p.company /></label>
                    <label>"Job title" <input name=format!("p.{i}.jobTitle") value=p.job_title /></label>
                    <label>"LinkedIn" <input name=format!("p.{i}.linkedin") value=p.linkedin type="url" /></label>
                    <label>"Website" <input name=format!("p.{i}.website") value=p.website type="url" /></label>
                    <label>"X" <input name=format!("p.{i}.x") value=p.x type="url" /></label>
                    <label>"Email" <input name=format!("p.{i}.email") value=p.email type="email" /></label>
                    <label>"Photo URL" <input name=format!("p.{i}.photo") value=p.photo type="url" /></label>
                    <label class="wide">"Bio" <textarea name=format!("p.{i}.bio") rows="2">{p.bio}</textarea></label>
                </fieldset>
            }
        })
        .collect_view();
    let general = error_for(&errors, "form");
    view! {
        <h1>{if is_new { "New event" } else { "Edit event" }}</h1>
        {general.map(|g| view! { <p class="closed" role="alert">{g}</p> })}
        {(!errors.is_empty()).then(|| view! { <p class="closed" role="alert">"Some fields need attention; see the messages below."</p> })}
        <form method="post" action=action class="editor">
            <Csrf token=csrf />
            <Field name="title" label="Title" value=form.title errors=e.clone() />
            <Field name="slug" label="Address" value=form.slug errors=e.clone() hint="The page is /events/<address>. Lower-case letters, digits and hyphens." />
            <Field name="summary" label="Summary" value=form.summary errors=e.clone() />
            <div class="field" class:invalid=error_for(&e, "description").is_some()>
                <label for="description">"Description"</label>
                <textarea id="description" name="description" rows="6">{form.description}</textarea>
                <p class="field-error">{error_for(&e, "description")}</p>
            </div>
            <div class="field">
                <label for="kind">"Kind"</label>
                <select id="kind" name="kind">
                    <option value="webinar" selected=form.kind != "meeting">"Webinar (attendees join in Teams)"</option>
                    <option value="meeting" selected=form.kind == "meeting">"Meeting (attendees can join in the browser)"</option>
                </select>
            </div>
            <div class="row">
                <Field name="startDateTime" label="Starts" value=form.start errors=e.clone() kind="datetime-local" />
                <Field name="endDateTime" label="Ends" value=form.end errors=e.clone() kind="datetime-local" />
            </div>
            <div class="field" class:invalid=error_for(&e, "timeZone").is_some()>
                <label for="timeZone">"Time zone"</label>
                <select id="timeZone" name="timeZone">{zone_options}</select>
                <p class="field-error">{error_for(&e, "timeZone")}</p>
            </div>
            <div class="row">
                <Field name="capacity" label="Capacity" value=form.capacity errors=e.clone() kind="number" hint="Empty for no limit." />
                <div class="field">
                    <label class="choice"><input type="checkbox" name="isWaitlistEnabled" value="true" checked=form.waitlist /> "Waitlist when full"</label>
                    <label class="choice"><input type="checkbox" name="isManualApprovalEnabled" value="true" checked=form.approval /> "Approve each registration"</label>
                    {microsoft.then(|| view! {
                        <input type="hidden" name="teamsEmailsShown" value="1" />
                        <label class="choice"><input type="checkbox" name="isAttendeeEmailNotificationEnabled" value="true" checked=form.teams_emails /> "Teams emails attendees their join links"</label>
                        <p class="hint">"Webinars: Teams sends each attendee a personal join link. Untick to have only Atrium email them, with the webinar's join link."</p>
                    })}
                </div>
            </div>
            <div class="row">
                <Field name="registrationOpensDateTime" label="Registration opens" value=form.opens errors=e.clone() kind="datetime-local" hint="Empty: as soon as it's published." />
                <Field name="registrationClosesDateTime" label="Registration closes" value=form.closes errors=e.clone() kind="datetime-local" hint="Empty: when the event ends." />
            </div>
            <Field name="joinUrl" label="Join link" value=form.join_url errors=e.clone() kind="url" hint="Shown only to registered attendees." />
            <Field name="termsUrl" label="Terms and privacy link" value=form.terms_url errors=e.clone() kind="url" hint="When set, registrants must accept it." />
            <Field
                name="emailConfirmationMinutes"
                label="Confirm email addresses within (minutes)"
                value=form.confirm_minutes
                errors=e.clone()
                kind="number"
                hint="0: don't ask. Otherwise registrants get a link to confirm their address; their seat is held this long, then released to the next person."
            />
            <h2>"Registration questions"</h2>
            <table class="grid compact"><tbody>{predefined}</tbody></table>
            <table class="grid compact">
                <thead><tr><th scope="col">"Your question"</th><th scope="col">"Answer type"</th><th scope="col">"Choices (separate with ;)"</th><th scope="col">"Required"</th><th scope="col">"Order"</th><th></th></tr></thead>
                <tbody>{questions}</tbody>
            </table>
            <p class="hint">"Clear a question's text to remove it. Save to get more empty rows."</p>
            <h2>"Presenters"</h2>
            {presenters}
            <button type="submit" class="primary">{if is_new { "Create draft" } else { "Save changes" }}</button>
        </form>
    }
}
