//! Atrium's integration tests, in one binary so the server and the Microsoft simulator compile
//! and link once: each module is one area (the portal, the back office, the REST API, security,
//! Teams sync against the simulator, mail over real SMTP, whole processes started and stopped).

#[macro_use]
mod common;
mod appointment_desk;
mod appointment_mail;
mod appointment_setup;
mod appointments;
mod architecture;
mod authorization;
mod bookings;
mod bookings_import;
mod calendar;
mod dashboard;
mod desk_settings;
mod front_desk;
mod graph_client;
mod graph_contracts;
mod html;
mod lifecycle;
mod microsoft_connect;
mod openapi;
mod organizer;
mod pages;
mod portal;
mod process;
mod reminders;
mod rpc;
mod security;
mod security_process;
mod smtp;
mod static_files;
mod teams_appointments;
mod teams_crash;
mod teams_meetings;
mod teams_sync;
mod webhooks;
