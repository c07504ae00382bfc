//! Faults and resource bounds (issue 13, parts 5 and 6): what the service
//! answers when its clients, its SMTP server, its webhook receivers or its
//! database misbehave. Every test prints each fault and the service's answer.
//!
//! `slow_clients.rs`: 1,000 clients trickling header bytes while a normal
//! client binds; the header, idle, request and connection bounds (`src/serve.rs`).
//! `smtp.rs`: an SMTP server that drops, answers 4xx, or is too slow;
//! `webhooks.rs`: a webhook receiver down for a while; `postgres.rs`: PostgreSQL
//! restarted under load; `disk_full.rs`: the SQLite file's disk fills up.

#[path = "../common/mod.rs"]
mod common;

mod disk_full;
mod postgres;
mod slow_clients;
mod smtp;
mod webhooks;
