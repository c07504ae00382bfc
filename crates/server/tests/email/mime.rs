//! Reading a MIME message (enough for what lettre writes).

fn decode_quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Splits `headers\r\n\r\nbody`; header names lower-cased, folded lines joined.
fn split_headers(part: &str) -> (Vec<(String, String)>, String) {
    let part = part.replace("\r\n", "\n");
    let (head, body) = part.split_once("\n\n").unwrap_or((&part, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub(crate) struct Mail {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) html: String,
}

pub(crate) fn parse_mail(raw: &str) -> Mail {
    let (headers, body) = split_headers(raw);
    let content_type = header(&headers, "content-type").expect("a Content-Type").to_owned();
    assert!(content_type.starts_with("multipart/alternative"), "{content_type}");
    let boundary = content_type.split("boundary=").nth(1).expect("a boundary").trim_matches('"').to_owned();
    let (mut text, mut html) = (None, None);
    for part in body.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let (h, b) = split_headers(part.trim_start_matches(['\r', '\n']));
        let decoded = match header(&h, "content-transfer-encoding").unwrap_or("7bit") {
            "quoted-printable" => decode_quoted_printable(&b),
            "7bit" | "8bit" => b.clone(),
            other => panic!("unexpected transfer encoding {other}"),
        };
        match header(&h, "content-type").unwrap_or("") {
            t if t.starts_with("text/plain") => text = Some(decoded),
            t if t.starts_with("text/html") => html = Some(decoded),
            t => panic!("unexpected part {t}"),
        }
    }
    Mail { headers, text: text.expect("a text/plain part"), html: html.expect("a text/html part") }
}

/// The first binding link in a text.
pub(crate) fn find_link(text: &str) -> String {
    let end = text.find(":invokeAuthenticator?token=").expect("the email holds a binding link");
    let start = text[..end].rfind("http").unwrap();
    let tail = &text[start..];
    let stop = tail.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(tail.len());
    tail[..stop].to_owned()
}
