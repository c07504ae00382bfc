//! What must hold after the kills: read through the admin API and straight
//! from the database (SQLite's file or PostgreSQL), on both the same way.

use crate::clients::{Ack, Ctx};
use std::collections::{HashMap, HashSet};

/// One row of `events`.
pub struct EventRow {
    pub id: String,
    pub event_type: String,
    pub job_id: Option<String>,
    pub credential_id: Option<String>,
    pub state_before: Option<String>,
    pub state_after: String,
}

/// The tables the checks read, as they are on disk.
#[derive(Default)]
pub struct Snapshot {
    /// Job ID → (state, credential_record_id).
    pub jobs: HashMap<String, (String, Option<String>)>,
    /// Credential record ID → its job's ID.
    pub credentials: HashMap<String, String>,
    pub events: Vec<EventRow>,
    /// Event ID → its webhook delivery's state.
    pub deliveries: HashMap<String, String>,
}

const JOBS_SQL: &str = "SELECT id, state, credential_record_id FROM credential_binding_jobs";
const CREDENTIALS_SQL: &str = "SELECT id, job_id FROM credentials";
const EVENTS_SQL: &str = "SELECT id, event_type, job_id, credential_id, state_before, state_after FROM events";
const DELIVERIES_SQL: &str = "SELECT event_id, state FROM webhook_deliveries";

/// Reads the tables (the server may be running: SQLite readers see the last commit, WAL included).
pub async fn snapshot(database_url: &str) -> Snapshot {
    let mut s = Snapshot::default();
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        fn rows<T>(conn: &rusqlite::Connection, sql: &str, f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>) -> Vec<T> {
            conn.prepare(sql).unwrap().query_map([], f).unwrap().collect::<Result<_, _>>().unwrap()
        }
        s.jobs = rows(&conn, JOBS_SQL, |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))).into_iter().collect();
        s.credentials = rows(&conn, CREDENTIALS_SQL, |r| Ok((r.get(0)?, r.get(1)?))).into_iter().collect();
        s.events = rows(&conn, EVENTS_SQL, |r| {
            Ok(EventRow {
                id: r.get(0)?,
                event_type: r.get(1)?,
                job_id: r.get(2)?,
                credential_id: r.get(3)?,
                state_before: r.get(4)?,
                state_after: r.get(5)?,
            })
        });
        s.deliveries = rows(&conn, DELIVERIES_SQL, |r| Ok((r.get(0)?, r.get(1)?))).into_iter().collect();
    } else {
        use sqlx::Row;
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        let rows = |sql: &'static str| sqlx::query(sql).fetch_all(&pool);
        for r in rows(JOBS_SQL).await.unwrap() {
            s.jobs.insert(r.get(0), (r.get(1), r.get(2)));
        }
        for r in rows(CREDENTIALS_SQL).await.unwrap() {
            s.credentials.insert(r.get(0), r.get(1));
        }
        for r in rows(EVENTS_SQL).await.unwrap() {
            let row = EventRow {
                id: r.get(0),
                event_type: r.get(1),
                job_id: r.get(2),
                credential_id: r.get(3),
                state_before: r.get(4),
                state_after: r.get(5),
            };
            s.events.push(row);
        }
        for r in rows(DELIVERIES_SQL).await.unwrap() {
            s.deliveries.insert(r.get(0), r.get(1));
        }
        pool.close().await;
    }
    s
}

const JOB_CHANGE: &str = "CredentialBindingJobChange";
const CREDENTIAL_CHANGE: &str = "CredentialChange";

/// Every acknowledged binding is stored and has its events (through the API
/// and in the tables), and the tables agree with each other. Answers the
/// violations found.
pub async fn check(ctx: &Ctx, acks: &[Ack], s: &Snapshot) -> Vec<String> {
    let mut violations = Vec::new();
    // Per job: its creation events, and the states its events moved it to.
    let mut created: HashMap<&str, usize> = HashMap::new();
    let mut reached: HashSet<(&str, &str)> = HashSet::new();
    for e in s.events.iter().filter(|e| e.event_type == JOB_CHANGE) {
        let Some(job) = e.job_id.as_deref() else { continue };
        if e.state_before.is_none() {
            *created.entry(job).or_default() += 1;
        }
        reached.insert((job, e.state_after.as_str()));
    }
    let mut complete_events: HashMap<&str, usize> = HashMap::new();
    let mut credential_events: HashMap<&str, usize> = HashMap::new();
    for e in &s.events {
        match (e.event_type.as_str(), e.state_after.as_str(), &e.job_id, &e.credential_id) {
            (JOB_CHANGE, "COMPLETE", Some(job), _) => *complete_events.entry(job).or_default() += 1,
            (CREDENTIAL_CHANGE, "ACTIVE", _, Some(credential)) => *credential_events.entry(credential).or_default() += 1,
            _ => {}
        }
    }
    for ack in acks {
        let (job_id, record_id) = (&ack.link.job_id, &ack.passkey.id);
        // Through the API, as a client of the service would look.
        let job = get(ctx, &format!("{}{}", ctx.base, ack.link.job_path())).await;
        if job["state"] != "COMPLETE" {
            violations.push(format!("acknowledged job {job_id} is {} through the API", job["state"]));
        }
        let listed = get(ctx, &format!("{}{}/identities/{}/credentials", ctx.base, ctx.realm_path, ack.identity_id)).await;
        if !listed["credentials"].as_array().is_some_and(|l| l.iter().any(|c| c["id"] == record_id.as_str())) {
            violations.push(format!("acknowledged credential {record_id} (job {job_id}) is not listed through the API"));
        }
        // In the tables.
        if s.jobs.get(job_id.as_str()) != Some(&("COMPLETE".to_owned(), Some(record_id.clone()))) {
            violations.push(format!("acknowledged job {job_id} is {:?} in the database", s.jobs.get(job_id.as_str())));
        }
        if s.credentials.get(record_id.as_str()) != Some(job_id) {
            violations.push(format!("acknowledged credential {record_id} is not stored for job {job_id}"));
        }
        if complete_events.get(job_id.as_str()) != Some(&1) {
            violations.push(format!("acknowledged job {job_id} has {:?} COMPLETE events", complete_events.get(job_id.as_str())));
        }
        if credential_events.get(record_id.as_str()) != Some(&1) {
            violations.push(format!("acknowledged credential {record_id} has {:?} events", credential_events.get(record_id.as_str())));
        }
    }
    // Whatever was acknowledged or not: no half of a binding without the other half.
    for (job_id, (state, record)) in &s.jobs {
        // Every change of a job has its event: its creation, and the state it is in.
        if created.get(job_id.as_str()) != Some(&1) {
            violations.push(format!("job {job_id} has {:?} creation events", created.get(job_id.as_str())));
        }
        if !reached.contains(&(job_id.as_str(), state.as_str())) {
            violations.push(format!("job {job_id} is {state} without an event that made it so"));
        }
        let bound = record.as_ref().is_some_and(|r| s.credentials.get(r) == Some(job_id));
        if state == "COMPLETE" && !bound {
            violations.push(format!("job {job_id} is COMPLETE without its credential ({record:?})"));
        }
        if state == "COMPLETE" && complete_events.get(job_id.as_str()) != Some(&1) {
            violations.push(format!("job {job_id} is COMPLETE with {:?} COMPLETE events", complete_events.get(job_id.as_str())));
        }
    }
    for (record_id, job_id) in &s.credentials {
        if s.jobs.get(job_id) != Some(&("COMPLETE".to_owned(), Some(record_id.clone()))) {
            violations.push(format!("credential {record_id} without its COMPLETE job {job_id} ({:?})", s.jobs.get(job_id)));
        }
        if credential_events.get(record_id.as_str()) != Some(&1) {
            violations.push(format!("credential {record_id} has {:?} events", credential_events.get(record_id.as_str())));
        }
    }
    for job_id in complete_events.keys() {
        if s.jobs.get(*job_id).map(|j| j.0.as_str()) != Some("COMPLETE") {
            violations.push(format!("a COMPLETE event for job {job_id}, which is not COMPLETE"));
        }
    }
    violations
}

async fn get(ctx: &Ctx, url: &str) -> serde_json::Value {
    let res = ctx.http.get(url).bearer_auth(&ctx.token).send().await.expect("the server answers");
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}

/// Webhooks after the kills: the events the receiver got, and those it did
/// not (with their delivery rows' states, if any).
pub struct Delivered {
    pub received: usize,
    /// Events not received yet that have a PENDING delivery (retried once a killed instance's lease runs out).
    pub pending: usize,
    /// Events with no delivery row, or whose delivery FAILED.
    pub lost: Vec<String>,
}

pub fn delivered(s: &Snapshot, received: &HashSet<String>) -> Delivered {
    let mut d = Delivered { received: 0, pending: 0, lost: Vec::new() };
    for e in &s.events {
        if received.contains(&e.id) {
            d.received += 1;
        } else if s.deliveries.get(&e.id).is_some_and(|state| state == "PENDING") {
            d.pending += 1;
        } else {
            d.lost.push(format!("event {} ({} {}): delivery {:?}", e.id, e.event_type, e.state_after, s.deliveries.get(&e.id)));
        }
    }
    d
}
