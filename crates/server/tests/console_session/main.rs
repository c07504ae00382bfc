//! The admin console's server side (issue 11, part 1), over real HTTP on
//! SQLite and PostgreSQL: sign-in with an admin API token for a session
//! cookie, the session's scope, expiry, revocation and sign-out, the CSRF
//! rule, the actor it leaves in the audit log; API tokens and realms through
//! the admin API; identity search.
//!
//! `sessions.rs`: the cookie and what it reaches; `tokens.rs`: API tokens and
//! realms; `search.rs`: `?q=` on the identities list; `logs.rs`: no secret
//! in the log; `helpers.rs`: requests with cookies and headers.

#[path = "../common/mod.rs"]
mod common;

mod helpers;
mod logs;
mod search;
mod sessions;
mod tokens;

use logs::*;
use search::*;
use sessions::*;
use tokens::*;

crate::on_both_databases!(
    sign_in_sets_a_strict_http_only_cookie_and_never_answers_the_token,
    behind_https_the_cookie_is_host_prefixed_and_secure,
    a_session_reaches_exactly_what_its_token_reaches,
    forged_expired_revoked_and_signed_out_sessions_are_unauthenticated,
    changes_through_a_session_follow_the_csrf_rule,
    a_change_through_a_session_is_recorded_with_the_session_as_actor,
    api_tokens_are_listed_created_once_and_revoked,
    a_realm_scoped_caller_is_confined_to_its_realm,
    last_use_time_is_recorded,
    realms_are_listed,
    identities_are_searched_by_username_email_or_display_name,
    search_pages_and_counts_the_filtered_set,
    neither_the_cookie_nor_the_token_is_logged,
);
