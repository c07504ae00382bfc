//! Sending over SMTP, SMTP failures and refusals, TLS, and the dev outbox.

use crate::common::*;
use crate::helpers::*;
use crate::mime::*;
use crate::smtp_sink::*;
use passbind_protocol::wire::BindCredentialResponse;
use passbind_protocol::BindingLink;
use passbind_server::config::SmtpTls;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_email_job_sends_text_and_html_over_smtp_with_a_link_that_binds() {
    let sink = smtp_sink(Behaviour::Accept).await;
    let s = server_with_smtp(sink.port).await;
    let identity = s.create_identity("ada").await;

    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, Some("https://app.example.com/welcome")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The seeds' answer: the job, LINK_SENT, and no link.
    assert_eq!(r.body.as_object().unwrap().keys().collect::<Vec<_>>(), ["credential_binding_job"]);
    let job = &r.body["credential_binding_job"];
    assert_eq!((job["delivery_method"].as_str(), job["state"].as_str()), (Some("EMAIL"), Some("LINK_SENT")));

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.mail_from, "passkeys@acme.test");
    assert_eq!(m.rcpt_to, ["ada@example.com"]);
    let mail = parse_mail(&m.data);
    let to = header(&mail.headers, "to").unwrap();
    assert!(to.contains("ada display") && to.contains("<ada@example.com>"), "{to}");
    assert!(header(&mail.headers, "from").unwrap().contains("<passkeys@acme.test>"));
    assert_eq!(header(&mail.headers, "subject"), Some("Create your passkey for Dev realm"));
    assert!(header(&mail.headers, "message-id").unwrap().contains(id(job)));
    assert!(header(&mail.headers, "date").is_some());
    assert!(mail.text.contains("Hello ada display,"), "{}", mail.text);
    assert!(mail.html.contains("Hello ada display,"), "{}", mail.html);
    assert!(mail.text.contains("expires on ") && mail.text.contains(" UTC"), "{}", mail.text);

    // The same link in both parts; it names this job and works.
    let link_text = find_link(&mail.text);
    assert_eq!(find_link(&mail.html), link_text);
    let link = BindingLink::parse(&link_text).expect("the emailed link parses");
    assert_eq!(link.api_base, s.server.public_url);
    assert_eq!((link.identity_id.as_str(), link.job_id.as_str()), (id(&identity), id(job)));
    assert_eq!(link_text, link.api_url());

    let invoke = s.invoke_ok(&link).await;
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED");
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bound: BindCredentialResponse = serde_json::from_value(r.body).unwrap();
    assert_eq!(bound.post_binding_redirect_uri.as_deref(), Some("https://app.example.com/welcome"));
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    assert_eq!(s.credentials(id(&identity)).await.len(), 1);
}

#[tokio::test]
async fn an_identity_without_an_email_address_is_422_and_nothing_is_written() {
    let sink = smtp_sink(Behaviour::Accept).await;
    let s = server_with_smtp(sink.port).await;
    let r = s
        .admin(
            Method::POST,
            &format!("{}/identities", s.realm_path()),
            Some(json!({"identity": {"display_name": "No Mail", "traits": {"type": "traits_v0", "username": "nomail"}}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let identity = r.body;

    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (422, "failed_precondition"), "{}", r.body);
    assert_eq!(r.error().details[0].field.as_deref(), Some("identity.traits.primary_email_address"));
    assert!(jobs_of(&s, id(&identity)).await.is_empty(), "no job is stored");
    assert!(sink.messages().is_empty());

    // RETURN still works for such an identity.
    s.create_job(id(&identity), &s.dev.authenticator_config_id, None).await;
}

#[tokio::test]
async fn smtp_down_stores_the_job_failed_to_send_and_answers_503() {
    let s = server_with_smtp(closed_port().await).await;
    let identity = s.create_identity("bob").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (503, "unavailable"), "{}", r.body);
    let jobs = jobs_of(&s, id(&identity)).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0]["delivery_method"].as_str(), jobs[0]["state"].as_str()), (Some("EMAIL"), Some("FAILED_TO_SEND")));
    let details = r.error().details;
    assert!(details.iter().any(|d| d.description.contains(id(&jobs[0])) && d.description.contains("FAILED_TO_SEND")), "{details:?}");
    // The audit log: created by the token, then FAILED_TO_SEND by the service itself.
    let events = s.admin(Method::GET, &format!("{}/events?job_id={}", s.realm_path(), id(&jobs[0])), None).await;
    let changes: Vec<_> =
        events.body["events"].as_array().unwrap().iter().map(|e| (e["state_after"].clone(), e["actor"]["type"].clone())).collect();
    assert_eq!(changes, vec![("FAILED_TO_SEND".into(), "SYSTEM".into()), ("LINK_SENT".into(), "API_TOKEN".into())], "{}", events.body);

    // A busy server (421 at the greeting) is also "try later".
    let busy = smtp_sink(Behaviour::Busy).await;
    let s = server_with_smtp(busy.port).await;
    let identity = s.create_identity("bea").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (503, "unavailable"), "{}", r.body);
    assert_eq!(jobs_of(&s, id(&identity)).await[0]["state"], "FAILED_TO_SEND");
}

#[tokio::test]
async fn an_smtp_refusal_stores_the_job_failed_to_send_and_answers_502() {
    let sink = smtp_sink(Behaviour::RefuseRecipient).await;
    let s = server_with_smtp(sink.port).await;
    let identity = s.create_identity("carl").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (502, "delivery_failed"), "{}", r.body);
    assert!(r.error().details[0].description.contains("550"), "{}", r.body);
    assert!(sink.messages().is_empty());
    let jobs = jobs_of(&s, id(&identity)).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["state"], "FAILED_TO_SEND");
    // GET of the one job agrees with the list.
    let one = s
        .admin(Method::GET, &format!("{}/identities/{}/credential-binding-jobs/{}", s.realm_path(), id(&identity), id(&jobs[0])), None)
        .await;
    assert_eq!(one.body["state"], "FAILED_TO_SEND");
}

#[tokio::test]
async fn without_smtp_the_email_goes_to_the_outbox_and_dev_outbox_lists_it() {
    let s = TestServer::start().await;
    let identity = s.create_identity("dora").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let job_id = r.body["credential_binding_job"]["id"].as_str().unwrap().to_owned();

    let files: Vec<_> = std::fs::read_dir(s.outbox_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    assert_eq!(file.extension().unwrap(), "eml");
    assert!(file.file_name().unwrap().to_str().unwrap().contains(&job_id));
    let mail = parse_mail(&std::fs::read_to_string(file).unwrap());
    assert!(header(&mail.headers, "to").unwrap().contains("<dora@example.com>"));
    let link = find_link(&mail.text);
    assert_eq!(BindingLink::parse(&link).unwrap().job_id, job_id);

    let r = s.send(Method::GET, &s.url("/dev/outbox"), None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["smtp"], false);
    let m = &r.body["messages"][0];
    assert_eq!((m["to"].as_str(), m["link"].as_str()), (Some("dora@example.com"), Some(link.as_str())));
    assert_eq!(m["subject"], "Create your passkey for Dev realm");
}

#[tokio::test]
async fn starttls_or_tls_against_a_plain_text_server_never_sends_in_clear() {
    for tls in [SmtpTls::Starttls, SmtpTls::Tls] {
        let sink = smtp_sink(Behaviour::Accept).await;
        let s = TestServer::start_with(Db::Sqlite, |c| {
            c.smtp_host = Some("localhost".into());
            c.smtp_port = Some(sink.port);
            c.smtp_tls = tls;
            c.smtp_timeout = 3;
        })
        .await;
        let identity = s.create_identity("tess").await;
        let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
        assert_eq!((r.status, r.code().as_str()), (503, "unavailable"), "{tls:?}: {}", r.body);
        assert!(sink.messages().is_empty(), "{tls:?}: nothing may be sent without TLS");
        assert_eq!(jobs_of(&s, id(&identity)).await[0]["state"], "FAILED_TO_SEND");
    }
}
