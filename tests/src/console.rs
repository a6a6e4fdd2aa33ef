//! A tiny browser for the web console in tests: keeps cookies, never follows redirects,
//! reads a form's CSRF token; and ways to get a signed-in admin. Shared by the end-to-end
//! suite and the CLI's tests, which drive the console beside the command line.
use std::collections::HashMap;

use coopnet_app::accounts;
use coopnet_core::Role;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::TestInstance;

/// A tiny browser: keeps cookies, never follows redirects.
pub struct Client {
    http: reqwest::Client,
    base: String,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The first hidden `csrf` field of the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a csrf field") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }

    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

impl Client {
    pub fn new(instance: &TestInstance) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: instance.base_url.clone(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r = self.http.get(self.url(path));
        self.send(r).await
    }

    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(self.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(encode(pairs));
        self.send(r).await
    }

    /// POSTs `pairs` as if from a page on `origin` (another site's form).
    pub async fn post_from(&mut self, origin: &str, path: &str, pairs: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(self.url(path))
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(encode(pairs));
        self.send(r).await
    }

    /// GETs `path` and POSTs `pairs` back to it with the form's CSRF token.
    pub async fn post_form(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        self.submit(path, path, pairs).await
    }

    /// GETs `form_page`, then POSTs `pairs` with its CSRF token to `action`.
    pub async fn submit(&mut self, form_page: &str, action: &str, pairs: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post(action, &all).await
    }

    /// Uploads `bytes` as co-op `slug`'s logo through the editor's form.
    pub async fn upload(
        &mut self,
        slug: &str,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Page {
        let csrf = self.get(&format!("/console/coops/{slug}")).await.csrf();
        let boundary = "coopnet-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{filename}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .http
            .post(self.url(&format!("/console/coops/{slug}/logo")))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(r).await
    }

    /// Opens an invite link and sets a password; returns the response of the POST.
    pub async fn accept(&mut self, link: &str, email: &str, password: &str) -> Page {
        let page = self.get(link).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = page.csrf();
        let path = link.trim_start_matches(&self.base).to_owned();
        self.post(
            &path,
            &[
                ("csrf", &csrf),
                ("email", email),
                ("display_name", "Test Person"),
                ("password", password),
                ("password_confirm", password),
            ],
        )
        .await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        self.post_form(
            "/console/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

pub const PASSWORD: &str = "a long enough password";

/// A new client signed in through the invite `link` (with `email` unless the invite fixes it).
pub async fn signed_in(instance: &TestInstance, link: &str, email: &str) -> Client {
    let mut client = Client::new(instance);
    let page = client.accept(link, email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    client
}

pub async fn admin(instance: &TestInstance) -> Client {
    let link = accounts::invite(&instance.ctx, None, Role::Admin, None, None)
        .await
        .unwrap();
    signed_in(instance, &link.url, "admin@example.org").await
}
