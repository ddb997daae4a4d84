//! Two cloud accounts in one organisation: a form or a refreshing fragment
//! rendered on account B's page acts on B, even after the member's session
//! switched to account A in another tab. Everything is submitted exactly as a
//! browser would: the form's `action` verbatim and every one of its inputs.

use scraper::{ElementRef, Html, Selector};
use serde_json::{Value, json};
use url::Url;

use crate::helpers::{TestApp, location, spawn_demo_with, text_of};

const ORG: &str = "/o/demo";
/// The demo's own account (A) is called so by `teampanel::demo`.
const A_NAME: &str = "Simulator";
const B_NAME: &str = "Second account";
const TOKEN_B: &str = "second-account-token-7f3a9c21";

struct TwoAccounts {
    app: TestApp,
    admin: reqwest::Client,
    /// The simulator's base URL; both accounts live in it, one per token.
    base_url: String,
    token_a: String,
    account_a: i64,
    account_b: i64,
}

/// The demo organisation with its seeded account A, and account B added
/// through the accounts page; both seeded with the demo servers (same names,
/// different ids). Transitions run in real time so a reboot lasts 15 s.
async fn two_accounts() -> TwoAccounts {
    let app = spawn_demo_with(|config| {
        config.speed = 1.0;
        config.rate_limit = 100_000;
        config.tokens.push(TOKEN_B.to_owned());
    })
    .await;
    let base_url = app
        .simulator
        .as_ref()
        .expect("a simulator")
        .base_url
        .clone();
    let admin = app.admin().await;
    let response = app
        .post_form(
            &admin,
            &format!("{ORG}/cloud_accounts"),
            &[
                ("name", B_NAME),
                ("token", TOKEN_B),
                ("base_url", &base_url),
            ],
        )
        .await;
    let status = response.status().as_u16();
    assert_eq!(
        status,
        303,
        "account B is added: {}",
        response.text().await.unwrap_or_default()
    );
    let (status, html) = app.get_html(&admin, &format!("{ORG}/cloud_accounts")).await;
    assert_eq!(status, 200);
    let accounts = accounts_on_page(&html);
    let id_of = |name: &str| {
        accounts
            .iter()
            .find(|(_, n)| n == name)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("account {name} listed in {accounts:?}"))
    };
    let (account_a, account_b) = (id_of(A_NAME), id_of(B_NAME));
    assert_ne!(account_a, account_b);
    let token_a = app.sim_token.clone();
    TwoAccounts {
        app,
        admin,
        base_url,
        token_a,
        account_a,
        account_b,
    }
}

/// (id, name) of every account row of the accounts page (`tr#account-{id}`).
fn accounts_on_page(html: &str) -> Vec<(i64, String)> {
    let doc = Html::parse_document(html);
    let rows = Selector::parse("table#accounts tbody tr").expect("selector");
    let name = Selector::parse(".account-name").expect("selector");
    doc.select(&rows)
        .filter_map(|tr| {
            let id = tr
                .value()
                .attr("id")?
                .strip_prefix("account-")?
                .parse()
                .ok()?;
            let name = tr.select(&name).next()?.text().collect::<String>();
            Some((id, name.trim().to_owned()))
        })
        .collect()
}

impl TwoAccounts {
    fn page_url(&self, path: &str) -> Url {
        Url::parse(&self.app.url(path)).expect("page URL")
    }

    /// GETs a page (path or absolute URL) as the admin; answers its URL and body.
    async fn open(&self, url: &Url) -> String {
        let response = self
            .admin
            .get(url.as_str())
            .send()
            .await
            .expect("GET a page");
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");
        assert_eq!(status, 200, "GET {url}: {body}");
        body
    }

    /// Opens the server list of an account, which the session then remembers.
    async fn list_of(&self, account: i64) -> (Url, String) {
        let url = self.page_url(&format!("{ORG}/servers?account={account}"));
        let html = self.open(&url).await;
        let shown = selected_account(&html);
        assert_eq!(
            shown,
            Some(account),
            "the list of account {account} shows that account selected"
        );
        (url, html)
    }

    /// A call to the simulator's API with a token, as the Cloud Panel is called.
    async fn sim(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = crate::helpers::client()
            .request(method, format!("{}{path}", self.base_url))
            .header("X-TOKEN", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("simulator call");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The flash message the page after a redirect shows.
    async fn flash_after(&self, location: &str) -> String {
        let Ok(url) = self.page_url("/").join(location) else {
            return String::new();
        };
        let response = self.admin.get(url.as_str()).send().await.expect("GET");
        let html = response.text().await.unwrap_or_default();
        text_of(&html, ".flash")
    }
}

/// The account chosen in the list's account switcher.
fn selected_account(html: &str) -> Option<i64> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("select#account option[selected]").expect("selector");
    doc.select(&selector)
        .next()
        .and_then(|o| o.value().attr("value"))
        .and_then(|v| v.parse().ok())
}

/// A form as a browser submits it: the action resolved against the page's
/// URL (query string kept), and every successful control in document order.
#[derive(Debug)]
struct BrowserForm {
    action: Url,
    fields: Vec<(String, String)>,
}

impl std::fmt::Display for BrowserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "POST {} {:?}", self.action, self.fields)
    }
}

impl BrowserForm {
    /// The first POST form of the page whose action's path ends with `suffix`.
    fn find(page: &Url, html: &str, suffix: &str) -> Self {
        let doc = Html::parse_document(html);
        let forms = Selector::parse("form").expect("selector");
        let form = doc
            .select(&forms)
            .find(|f| {
                let action = f.value().attr("action").unwrap_or_default();
                let path = action.split(['?', '#']).next().unwrap_or_default();
                f.value()
                    .attr("method")
                    .is_some_and(|m| m.eq_ignore_ascii_case("post"))
                    && path.ends_with(suffix)
            })
            .unwrap_or_else(|| panic!("a POST form whose action ends with {suffix} on {page}"));
        let action = page
            .join(form.value().attr("action").unwrap_or_default())
            .expect("the form's action is a URL");
        Self {
            action,
            fields: successful_controls(form),
        }
    }

    /// Changes one visible field; it must be in the form exactly once.
    fn set(&mut self, name: &str, value: &str) {
        let mut matching = self.fields.iter_mut().filter(|(n, _)| n == name);
        let field = matching
            .next()
            .unwrap_or_else(|| panic!("the form has a field {name}"));
        field.1 = value.to_owned();
        assert!(matching.next().is_none(), "one field {name}");
    }
}

/// The name/value pairs a browser sends for a form (no submit button is
/// named here, so none is added for the click).
fn successful_controls(form: ElementRef<'_>) -> Vec<(String, String)> {
    let controls = Selector::parse("input, select, textarea").expect("selector");
    let options = Selector::parse("option").expect("selector");
    let mut fields = Vec::new();
    for control in form.select(&controls) {
        let el = control.value();
        let Some(name) = el.attr("name") else {
            continue;
        };
        if name.is_empty() || el.attr("disabled").is_some() {
            continue;
        }
        match el.name() {
            "input" => {
                let kind = el.attr("type").unwrap_or("text").to_ascii_lowercase();
                match kind.as_str() {
                    "submit" | "button" | "image" | "reset" | "file" => {}
                    "checkbox" | "radio" => {
                        if el.attr("checked").is_some() {
                            fields.push((name.to_owned(), el.attr("value").unwrap_or("on").into()));
                        }
                    }
                    _ => fields.push((name.to_owned(), el.attr("value").unwrap_or("").into())),
                }
            }
            "select" => {
                let all: Vec<ElementRef<'_>> = control.select(&options).collect();
                let chosen = all
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or_else(|| all.first());
                if let Some(option) = chosen {
                    let value = option
                        .value()
                        .attr("value")
                        .map(str::to_owned)
                        .unwrap_or_else(|| option.text().collect::<String>().trim().to_owned());
                    fields.push((name.to_owned(), value));
                }
            }
            "textarea" => fields.push((name.to_owned(), control.text().collect())),
            _ => {}
        }
    }
    fields
}

/// A server row of the list: (id, state, link href, refresh URL).
#[derive(Debug, Clone)]
struct ListedServer {
    id: String,
    state: String,
    href: String,
    refresh_url: Option<String>,
}

fn listed_servers(html: &str) -> Vec<ListedServer> {
    let doc = Html::parse_document(html);
    let rows = Selector::parse("table#servers tbody tr[data-server-id]").expect("selector");
    let link = Selector::parse("a.server-name").expect("selector");
    doc.select(&rows)
        .filter_map(|tr| {
            let href = tr.select(&link).next()?.value().attr("href")?.to_owned();
            Some(ListedServer {
                id: tr.value().attr("data-server-id")?.to_owned(),
                state: tr.value().attr("data-state").unwrap_or_default().to_owned(),
                href,
                refresh_url: tr.value().attr("data-refresh-url").map(str::to_owned),
            })
        })
        .collect()
}

fn attr_of(html: &str, selector: &str, attr: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(str::to_owned)
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{prefix}-{nanos:08x}")
}

#[tokio::test]
async fn a_form_from_account_bs_page_renames_bs_server_after_the_session_switched_to_a() {
    // Arrange: B's list, one of its steady servers, and that server's page.
    let two = two_accounts().await;
    let (list_url, list_html) = two.list_of(two.account_b).await;
    let servers = listed_servers(&list_html);
    let server = servers
        .iter()
        .find(|s| {
            matches!(s.state.as_str(), "POWERED_ON" | "POWERED_OFF") && s.refresh_url.is_none()
        })
        .unwrap_or_else(|| panic!("a steady server on B's list: {servers:?}"))
        .clone();
    let (status, _) = two
        .sim(
            reqwest::Method::GET,
            &format!("/servers/{}", server.id),
            TOKEN_B,
            None,
        )
        .await;
    assert_eq!(status, 200, "server {} belongs to account B", server.id);
    let detail_url = list_url.join(&server.href).expect("the server's link");
    let detail_html = two.open(&detail_url).await;
    let mut form = BrowserForm::find(&detail_url, &detail_html, "/rename");
    let new_name = unique("renamed-in-b");
    form.set("name", &new_name);

    // Act: another tab switches the session to account A, then B's form is sent.
    two.list_of(two.account_a).await;
    let response = two
        .admin
        .post(form.action.as_str())
        .form(&form.fields)
        .send()
        .await
        .expect("POST the rename form");

    // Assert: the change happened in B, and nothing in A.
    let status = response.status().as_u16();
    let to = location(&response);
    let flash = two.flash_after(&to).await;
    assert_eq!(
        status, 303,
        "the rename answers with a redirect (form {form}); flash: {flash}"
    );
    let (status, b_server) = two
        .sim(
            reqwest::Method::GET,
            &format!("/servers/{}", server.id),
            TOKEN_B,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        b_server["name"].as_str(),
        Some(new_name.as_str()),
        "B's server {} carries the new name; the panel sent the form {form}, \
         answered 303 to {to} with the message: {flash}",
        server.id
    );
    let (status, a_servers) = two
        .sim(reqwest::Method::GET, "/servers", &two.token_a, None)
        .await;
    assert_eq!(status, 200);
    let a_names: Vec<&str> = a_servers
        .as_array()
        .map(|list| list.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !a_names.contains(&new_name.as_str()),
        "no server of account A took the new name: {a_names:?}"
    );
}

#[tokio::test]
async fn refresh_fragments_from_account_bs_pages_show_bs_server_after_the_session_switched_to_a() {
    // Arrange: one of B's running servers gets a name A has not and starts
    // rebooting (15 s in real time), so B's pages render refreshing fragments.
    let two = two_accounts().await;
    let b_state = two
        .app
        .simulator
        .as_ref()
        .expect("a simulator")
        .snapshot(TOKEN_B)
        .expect("account B in the simulator");
    let id = b_state["servers"]
        .as_array()
        .and_then(|servers| {
            servers
                .iter()
                .find(|s| s["status"]["state"] == "POWERED_ON" && s["status"]["percent"].is_null())
        })
        .and_then(|s| s["id"].as_str())
        .expect("a running server in account B")
        .to_owned();
    let b_name = unique("only-in-b");
    let (status, _) = two
        .sim(
            reqwest::Method::PUT,
            &format!("/servers/{id}"),
            TOKEN_B,
            Some(json!({"name": b_name, "description": "exists in account B only"})),
        )
        .await;
    assert!(
        status < 300,
        "B's server renamed in the simulator: {status}"
    );
    let (status, answer) = two
        .sim(
            reqwest::Method::PUT,
            &format!("/servers/{id}/status/action"),
            TOKEN_B,
            Some(json!({"action": "REBOOT", "method": "SOFTWARE"})),
        )
        .await;
    assert_eq!(status, 202, "B's server reboots: {answer}");

    let (list_url, list_html) = two.list_of(two.account_b).await;
    let servers = listed_servers(&list_html);
    let row = servers
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("server {id} on B's list: {servers:?}"));
    let row_url = list_url
        .join(
            row.refresh_url
                .as_deref()
                .unwrap_or_else(|| panic!("B's rebooting row refreshes itself: {row:?}")),
        )
        .expect("the row's refresh URL");
    let detail_url = list_url.join(&row.href).expect("the server's link");
    let detail_html = two.open(&detail_url).await;
    let status_url = detail_url
        .join(
            &attr_of(&detail_html, "#server-status", "data-refresh-url")
                .expect("B's server page has a refreshing status"),
        )
        .expect("the status's refresh URL");

    // Act: another tab switches the session to account A; B's pages keep refreshing.
    two.list_of(two.account_a).await;
    let row_response = two
        .admin
        .get(row_url.as_str())
        .send()
        .await
        .expect("GET row");
    let row_status = row_response.status().as_u16();
    let row_html = row_response.text().await.expect("body");
    let status_response = two
        .admin
        .get(status_url.as_str())
        .send()
        .await
        .expect("GET status");
    let status_status = status_response.status().as_u16();
    let status_html = status_response.text().await.expect("body");

    // Assert: both fragments still show B's server, not a removed one.
    let mut problems = Vec::new();
    if row_status != 200
        || !row_html.contains(&b_name)
        || row_html.contains("data-state=\"REMOVED\"")
    {
        problems.push(format!(
            "the row fragment {row_url} answered {row_status} without B's server {b_name} \
             (or showing it removed): {row_html}"
        ));
    }
    let state = attr_of(&status_html, "#server-status", "data-state");
    if status_status != 200 || state.is_none() || state.as_deref() == Some("REMOVED") {
        problems.push(format!(
            "the status fragment {status_url} answered {status_status} without B's rebooting \
             server (data-state {state:?}): {status_html}"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
