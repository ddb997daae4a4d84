//! The members, roles and cloud-accounts pages as their users meet them:
//! invitations default to the least powerful role, the role editor speaks
//! words and works under the panel's CSP, destructive actions take a confirm
//! step that works without JavaScript, field errors are tied to their
//! fields, and tables fit a phone.

use scraper::{ElementRef, Html, Selector};
use teampanel::db::orgs::Organisation;
use teampanel::rbac::BuiltinRole;

use crate::helpers::{TestApp, location, spawn_app, spawn_demo, text_of};

const PW: &str = "member password 1";

struct Org {
    app: TestApp,
    org: Organisation,
    owner: reqwest::Client,
    viewer_id: i64,
    custom_role: i64,
}

/// Alpha: Olga (Owner), Vera (Viewer) and a custom role granting Viewer's permissions.
async fn alpha() -> Org {
    let app = spawn_app().await;
    let olga = app.create_user("olga@example.org", "Olga", false, PW).await;
    let org = crate::rows::create_org(app.state.raw_db(), "Alpha", "alpha", olga)
        .await
        .unwrap();
    let viewer_id = app.create_user("vera@example.org", "Vera", false, PW).await;
    let viewer = crate::rows::builtin_role(app.state.raw_db(), org.id, BuiltinRole::Viewer)
        .await
        .unwrap()
        .unwrap();
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(viewer_id)
        .bind(org.id)
        .bind(viewer.id)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let custom_role = crate::rows::create_role(
        app.state.raw_db(),
        org.id,
        "Auditors",
        &BuiltinRole::Viewer.permissions(),
    )
    .await
    .unwrap()
    .unwrap();
    let owner = app.signed_in("olga@example.org", PW).await;
    Org {
        app,
        org,
        owner,
        viewer_id,
        custom_role,
    }
}

fn select<'a>(doc: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel).collect()
}

fn words(e: &ElementRef<'_>) -> String {
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of the selected option of a select.
fn selected_option(html: &str, select_selector: &str) -> String {
    let doc = Html::parse_document(html);
    let options = select(&doc, &format!("{select_selector} option[selected]"));
    assert_eq!(options.len(), 1, "one selected option in {select_selector}");
    words(&options[0])
}

/// Every element with `aria-describedby` points at elements that exist, and
/// every field error is pointed at by an invalid field.
fn assert_errors_are_tied_to_fields(html: &str) {
    let doc = Html::parse_document(html);
    for error in select(&doc, ".field-error") {
        let id = error
            .value()
            .attr("id")
            .unwrap_or_else(|| panic!("a field error without id: {}", error.html()));
        let fields = select(&doc, &format!("[aria-describedby~=\"{id}\"]"));
        assert_eq!(fields.len(), 1, "one field described by #{id}");
        assert_eq!(
            fields[0].value().attr("aria-invalid"),
            Some("true"),
            "#{id}"
        );
    }
    for field in select(&doc, "[aria-describedby]") {
        for id in field.value().attr("aria-describedby").unwrap().split(' ') {
            assert_eq!(select(&doc, &format!("#{id}")).len(), 1, "#{id} exists");
        }
    }
}

/// The flash messages the next page shows.
async fn flashes(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (_, page) = app.get_html(client, path).await;
    text_of(&page, ".flash")
}

#[test]
fn no_template_has_inline_styles_or_scripts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut dirs = vec![root];
    let mut checked = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let shown = path.display();
            // The CSP (style-src 'self'; script-src 'self') blocks both.
            assert!(!source.contains("style="), "{shown} has a style attribute");
            assert!(!source.contains("<style"), "{shown} has a style element");
            for piece in source.split("<script").skip(1) {
                let tag = &piece[..piece.find('>').unwrap()];
                assert!(tag.contains("src="), "{shown} has an inline script");
            }
            let lower = source.to_lowercase();
            for handler in [" onclick=", " onsubmit=", " onchange=", " onload="] {
                assert!(!lower.contains(handler), "{shown} has an{handler} handler");
            }
            checked += 1;
        }
    }
    assert!(checked > 10, "the templates were found");
}

#[tokio::test]
async fn an_invitation_offers_the_least_powerful_role_unless_the_user_chose() {
    // Arrange
    let a = alpha().await;
    let app = &a.app;
    let operator = crate::rows::builtin_role(app.state.raw_db(), a.org.id, BuiltinRole::Operator)
        .await
        .unwrap()
        .unwrap();

    // Act
    let (status, page) = app.get_html(&a.owner, "/o/alpha/members").await;

    // Assert: Viewer, not Owner, and not the custom role that ties with it.
    assert_eq!(status, 200);
    assert_eq!(selected_option(&page, "#invite-role"), "Viewer");

    // A refused form keeps what the user chose, and ties its error to the field.
    let response = app
        .post_form(
            &a.owner,
            "/o/alpha/members/invite",
            &[
                ("email", "not an address"),
                ("role_id", &operator.id.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert_eq!(selected_option(&page, "#invite-role"), "Operator");
    let doc = Html::parse_document(&page);
    let email = &select(&doc, "#invite-email")[0];
    assert_eq!(email.value().attr("aria-invalid"), Some("true"));
    assert_eq!(
        email.value().attr("aria-describedby"),
        Some("invite-email-error")
    );
    assert!(!text_of(&page, "#invite-email-error").is_empty());
    assert_errors_are_tied_to_fields(&page);
}

#[tokio::test]
async fn the_role_editor_shows_words_beside_each_box_and_no_inline_style() {
    // Arrange
    let a = alpha().await;
    let app = &a.app;
    let path = format!("/o/alpha/roles/{}", a.custom_role);

    // Act
    let response = app.get(&a.owner, &path).await;
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let page = response.text().await.unwrap();

    // Assert: nothing the CSP blocks.
    assert!(csp.contains("style-src 'self'"), "{csp}");
    let doc = Html::parse_document(&page);
    assert!(
        select(&doc, "[style]").is_empty(),
        "inline style attributes"
    );
    assert!(
        select(&doc, "script:not([src])").is_empty(),
        "inline scripts"
    );

    // Each box has its own label, in words, with its description and API name below.
    let boxes = select(&doc, "input[type=checkbox][name=perm]");
    // The Cloud Panel's 99, the panel's own 23 and E2E Networks' 13.
    assert_eq!(boxes.len(), 135);
    for b in &boxes {
        let id = b.value().attr("id").expect("each box has an id");
        let label = select(&doc, &format!("label[for=\"{id}\"]"));
        assert_eq!(label.len(), 1, "#{id} has one label");
        assert!(
            !words(&label[0]).contains('_'),
            "#{id}: {}",
            words(&label[0])
        );
        let about = b.value().attr("aria-describedby").expect("described");
        assert_eq!(select(&doc, &format!("#{about}")).len(), 1);
    }
    assert_eq!(
        text_of(&page, "label[for=perm-servers-start]"),
        "Start servers"
    );
    assert_eq!(
        text_of(
            &page,
            "label[for=perm-firewall_policies-manage_attached_server_ips]"
        ),
        "Manage the firewall policies of server IPs"
    );
    let about = text_of(&page, "#perm-servers-start-about");
    assert!(about.contains("Power on servers"), "{about}");
    assert_eq!(
        text_of(&page, "#perm-servers-start-about code"),
        "servers.start"
    );

    // Grouped by family under a human name.
    let legends: Vec<String> = select(&doc, "fieldset.perm-group > legend")
        .iter()
        .map(words)
        .collect();
    assert_eq!(legends.len(), 21);
    assert_eq!(legends[0], "Servers");
    assert!(
        legends.contains(&"Cloud Panel users".to_owned()),
        "{legends:?}"
    );
    let servers_boxes = select(
        &doc,
        "fieldset.perm-group:first-of-type input[type=checkbox]",
    );
    assert_eq!(servers_boxes.len(), 15);
}

#[tokio::test]
async fn a_refused_role_name_is_tied_to_its_field_and_summarised() {
    let a = alpha().await;
    let app = &a.app;
    let response = app
        .post_form(
            &a.owner,
            &format!("/o/alpha/roles/{}", a.custom_role),
            &[("name", "  "), ("perm", "servers.show")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    let doc = Html::parse_document(&page);
    let summary = &select(&doc, "#error-summary")[0];
    assert_eq!(summary.value().attr("tabindex"), Some("-1"));
    assert_eq!(summary.value().attr("role"), Some("alert"));
    assert!(words(summary).contains("Nothing was saved"));
    let name = &select(&doc, "#role-name")[0];
    assert_eq!(
        name.value().attr("aria-describedby"),
        Some("role-name-error")
    );
    assert!(!text_of(&page, "#role-name-error").is_empty());
    assert_errors_are_tied_to_fields(&page);
    // The ticked box stays ticked; the name is unchanged in the database.
    assert!(page.contains("value=\"servers.show\" checked"));
    let role = crate::rows::role(app.state.raw_db(), a.org.id, a.custom_role)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(role.name, "Auditors");
}

#[tokio::test]
async fn removing_a_member_takes_a_confirm_step() {
    // Arrange
    let a = alpha().await;
    let app = &a.app;
    let db = app.state.raw_db();
    let path = format!("/o/alpha/members/{}/remove", a.viewer_id);
    let (_, page) = app.get_html(&a.owner, "/o/alpha/members").await;
    let doc = Html::parse_document(&page);
    let form = select(&doc, &format!("details.confirm form[action=\"{path}\"]"));
    assert_eq!(form.len(), 1, "the remove form sits in a confirm step");
    let step = select(&doc, "details.confirm")
        .into_iter()
        .find(|d| {
            d.select(&Selector::parse("form").unwrap())
                .any(|f| f.value().attr("action") == Some(path.as_str()))
        })
        .expect("the step holding the form");
    let summary = step
        .select(&Selector::parse("summary").unwrap())
        .next()
        .unwrap();
    assert_eq!(words(&summary), "Remove… Vera");
    let confirm = select(
        &doc,
        &format!("form[action=\"{path}\"] input[name=confirm]"),
    );
    assert_eq!(confirm[0].value().attr("type"), Some("hidden"));
    assert_eq!(confirm[0].value().attr("value"), Some("yes"));
    assert_eq!(
        text_of(&page, &format!("form[action=\"{path}\"] button.danger")),
        "Yes, remove Vera"
    );
    assert!(
        page.contains("Yes, leave Alpha"),
        "the owner's own row offers Leave"
    );
    let events_before = crate::rows::audit_events(db, a.org.id).await.unwrap();

    // Act: a POST without the confirm field.
    let response = app.post_form(&a.owner, &path, &[]).await;

    // Assert: nothing changed, nothing audited, and the user is told.
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/o/alpha/members");
    let member = crate::rows::member(db, a.org.id, a.viewer_id)
        .await
        .unwrap();
    assert!(member.is_some(), "still a member");
    assert_eq!(
        crate::rows::audit_events(db, a.org.id).await.unwrap(),
        events_before
    );
    let shown = flashes(app, &a.owner, "/o/alpha/members").await;
    assert!(
        shown.contains(
            "Confirm that you want to remove Vera (vera@example.org). Nothing was changed."
        ),
        "{shown}"
    );

    // Any value but `yes` is no confirmation either.
    let response = app.post_form(&a.owner, &path, &[("confirm", "Vera")]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        crate::rows::member(db, a.org.id, a.viewer_id)
            .await
            .unwrap()
            .is_some()
    );

    // Act: the confirmed POST.
    let response = app.post_form(&a.owner, &path, &[("confirm", "yes")]).await;

    // Assert
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        crate::rows::member(db, a.org.id, a.viewer_id)
            .await
            .unwrap()
            .is_none()
    );
    let events = crate::rows::audit_events(db, a.org.id).await.unwrap();
    assert_eq!(events.len(), events_before.len() + 1);
    assert_eq!(
        events.last().unwrap(),
        &(
            "member.remove".to_owned(),
            "succeeded".to_owned(),
            "vera@example.org".to_owned()
        )
    );
    let shown = flashes(app, &a.owner, "/o/alpha/members").await;
    assert!(
        shown.contains("vera@example.org was removed from Alpha"),
        "{shown}"
    );
}

#[tokio::test]
async fn withdrawing_an_invitation_takes_a_confirm_step() {
    // Arrange
    let a = alpha().await;
    let app = &a.app;
    let db = app.state.raw_db();
    let olga = teampanel::db::users::by_email(db, "olga@example.org")
        .await
        .unwrap()
        .unwrap();
    let (id, token) = crate::rows::create_invitation(
        db,
        a.org.id,
        "nina@example.org",
        a.custom_role,
        olga.id,
        teampanel::db::now_unix(),
    )
    .await
    .unwrap();
    let path = format!("/o/alpha/invitations/{id}/revoke");
    let (_, page) = app.get_html(&a.owner, "/o/alpha/members").await;
    assert_eq!(
        text_of(
            &page,
            &format!("details.confirm form[action=\"{path}\"] button.danger")
        ),
        "Yes, withdraw the invitation for nina@example.org"
    );
    let events_before = crate::rows::audit_events(db, a.org.id).await.unwrap();

    // Act: unconfirmed.
    let response = app.post_form(&a.owner, &path, &[]).await;

    // Assert: still open, not audited, and said so.
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/o/alpha/members");
    assert_eq!(
        crate::rows::invitation(db, a.org.id, id).await.unwrap(),
        Some(("nina@example.org".to_owned(), None))
    );
    assert_eq!(
        crate::rows::audit_events(db, a.org.id).await.unwrap(),
        events_before
    );
    let shown = flashes(app, &a.owner, "/o/alpha/members").await;
    assert!(
        shown.contains(
            "Confirm that you want to withdraw the invitation for nina@example.org. Nothing was changed."
        ),
        "{shown}"
    );
    let stranger = crate::helpers::client();
    let (status, _) = app.get_html(&stranger, &format!("/invite/{token}")).await;
    assert_eq!(status, 200, "the link still works");

    // Act: confirmed.
    let response = app.post_form(&a.owner, &path, &[("confirm", "yes")]).await;

    // Assert
    assert_eq!(response.status().as_u16(), 303);
    let (_, revoked_at) = crate::rows::invitation(db, a.org.id, id)
        .await
        .unwrap()
        .unwrap();
    assert!(revoked_at.is_some(), "withdrawn");
    let events = crate::rows::audit_events(db, a.org.id).await.unwrap();
    assert_eq!(
        events.last().unwrap(),
        &(
            "member.revoke_invitation".to_owned(),
            "succeeded".to_owned(),
            "nina@example.org".to_owned()
        )
    );
    let (status, page) = app.get_html(&stranger, &format!("/invite/{token}")).await;
    assert_eq!(status, 410);
    assert!(page.contains("withdrawn"), "{page}");
}

#[tokio::test]
async fn the_tables_of_the_access_pages_stack_on_a_phone_and_scroll_by_keyboard() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    for path in ["/o/demo/members", "/o/demo/roles", "/o/demo/cloud_accounts"] {
        let (status, page) = app.get_html(&admin, path).await;
        assert_eq!(status, 200, "{path}");
        let doc = Html::parse_document(&page);
        let tables = select(&doc, "table");
        assert!(!tables.is_empty(), "{path} has a table");
        for table in &tables {
            assert!(
                table.value().classes().any(|c| c == "stacked"),
                "{path}: every table stacks"
            );
        }
        // Each cell names its column for the stacked view.
        let headers: Vec<String> = select(&doc, "table.stacked thead th")
            .iter()
            .map(words)
            .collect();
        for cell in select(&doc, "table.stacked tbody td") {
            let label = cell.value().attr("data-label").unwrap_or_default();
            assert!(
                headers.iter().any(|h| h == label),
                "{path}: a cell labelled {label:?}, headers {headers:?}"
            );
        }
        for wrap in select(&doc, ".table-wrap") {
            let v = wrap.value();
            assert_eq!(v.attr("tabindex"), Some("0"), "{path}");
            assert_eq!(v.attr("role"), Some("region"), "{path}");
            assert!(
                !v.attr("aria-label").unwrap_or_default().is_empty(),
                "{path}"
            );
        }
    }
    let css = app
        .get(&admin, "/static/app.css")
        .await
        .text()
        .await
        .unwrap();
    // The stylesheet stacks those tables under 640 px, each cell under its label.
    let phone = &css[css
        .find("@media (max-width: 640px)")
        .expect("a phone-width block")..];
    assert!(phone.contains("table.stacked td::before { content: attr(data-label)"));
}
