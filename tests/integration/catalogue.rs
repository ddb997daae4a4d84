//! The catalogue pages against the simulator: the index with its counts,
//! each list with the seed's items, search, every detail page's fields,
//! unknown ids, refusal without `servers.show`, and nonsense in the query.

use crate::helpers::{TestApp, spawn_demo, text_of};
use crate::private_networks::attr;
use crate::servers::{ORG, audit_rows};

/// The six lists: path, table id, and names the simulator's seed holds.
const LISTS: &[(&str, &str, &[&str])] = &[
    (
        "datacenters",
        "datacenters",
        &["USA", "Spain", "Germany", "United Kingdom"],
    ),
    (
        "server_appliances",
        "server-appliances",
        &[
            "ubuntu2204-64std",
            "debian12-64std",
            "w2012r2datacenter64std",
        ],
    ),
    (
        "fixed_instance_sizes",
        "fixed-instance-sizes",
        &["M", "L", "XL", "XXL"],
    ),
    ("baremetal_models", "baremetal-models", &["BMC_L", "BMC_XL"]),
    (
        "dvd_isos",
        "dvd-isos",
        &["centos7-64iso", "gparted-live-iso"],
    ),
    (
        "recovery_appliances",
        "recovery-appliances",
        &["Linux 64-bit Rescue-System (debian/stable)"],
    ),
];

/// The address of an item's page, read from its list.
async fn item_href(
    app: &TestApp,
    c: &reqwest::Client,
    list: &str,
    table: &str,
    name: &str,
) -> String {
    let (status, html) = app.get_html(c, &format!("{ORG}/catalogue/{list}")).await;
    assert_eq!(status, 200, "{list}");
    attr(
        &html,
        &format!("table#{table} a.item-name[data-name='{name}']"),
        "href",
    )
    .unwrap_or_else(|| panic!("{name} is linked on {list}"))
}

#[tokio::test]
async fn the_index_links_the_six_lists_with_their_counts() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/catalogue")).await;

    assert_eq!(status, 200);
    for (list, _, _) in LISTS {
        assert!(
            attr(&html, &format!("tr[data-kind='{list}'] a"), "href")
                .is_some_and(|h| h.starts_with(&format!("{ORG}/catalogue/{list}?account="))),
            "{list}"
        );
    }
    assert_eq!(
        text_of(&html, "tr[data-kind='datacenters'] .catalogue-count"),
        "4"
    );
    assert_eq!(
        text_of(
            &html,
            "tr[data-kind='fixed_instance_sizes'] .catalogue-count"
        ),
        "4"
    );
    assert_eq!(
        text_of(&html, "tr[data-kind='baremetal_models'] .catalogue-count"),
        "2"
    );
    assert_eq!(
        text_of(
            &html,
            "tr[data-kind='recovery_appliances'] .catalogue-count"
        ),
        "2"
    );
}

#[tokio::test]
async fn each_list_shows_the_items_of_the_api() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    for (list, table, names) in LISTS {
        let (status, html) = app.get_html(&c, &format!("{ORG}/catalogue/{list}")).await;

        assert_eq!(status, 200, "{list}");
        let shown = text_of(&html, &format!("table#{table}"));
        for name in *names {
            assert!(shown.contains(name), "{list}: {name} in {shown}");
        }
    }
}

#[tokio::test]
async fn search_narrows_the_lists() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (_, html) = app
        .get_html(&c, &format!("{ORG}/catalogue/server_appliances?q=windows"))
        .await;
    let table = text_of(&html, "table#server-appliances");
    assert!(table.contains("w2012r2datacenter64std"), "{table}");
    assert!(!table.contains("ubuntu2204-64std"), "{table}");

    let (_, html) = app
        .get_html(&c, &format!("{ORG}/catalogue/datacenters?q=spain"))
        .await;
    let table = text_of(&html, "table#datacenters");
    assert!(
        table.contains("Spain") && !table.contains("Germany"),
        "{table}"
    );

    let (_, html) = app
        .get_html(
            &c,
            &format!("{ORG}/catalogue/baremetal_models?q=nothing-like-this"),
        )
        .await;
    assert!(text_of(&html, "main").contains("No baremetal models match this search"));
}

#[tokio::test]
async fn detail_pages_show_every_field() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let href = item_href(
        &app,
        &c,
        "server_appliances",
        "server-appliances",
        "w2012r2datacenter64std",
    )
    .await;
    let (status, html) = app.get_html(&c, &href).await;
    assert_eq!(status, 200);
    let props = text_of(&html, "dl.props");
    for field in [
        "WindowsDatacenter",
        "Windows2012R2",
        "64-bit",
        "STANDARD",
        "IMAGE",
        "40 GB",
        "cloud",
        "Windows 2012 Standard",
    ] {
        assert!(props.contains(field), "{field} in {props}");
    }
    let dcs = text_of(&html, "#datacenters");
    assert!(
        dcs.contains("Germany (DE)") && dcs.contains("USA (US)"),
        "{dcs}"
    );

    let href = item_href(&app, &c, "datacenters", "datacenters", "Germany").await;
    let (status, html) = app.get_html(&c, &href).await;
    assert_eq!(status, 200);
    let props = text_of(&html, "dl.props");
    assert!(props.contains("Germany") && props.contains("DE"), "{props}");
    assert!(text_of(&html, "#appliances").contains("ubuntu2204-64std"));

    let href = item_href(
        &app,
        &c,
        "fixed_instance_sizes",
        "fixed-instance-sizes",
        "XXL",
    )
    .await;
    let (status, html) = app.get_html(&c, &href).await;
    assert_eq!(status, 200);
    let hardware = text_of(&html, "#hardware dl.props");
    assert!(hardware.contains("Processors (vCore) 4"), "{hardware}");
    assert!(hardware.contains("Cores per processor 1"), "{hardware}");
    assert!(hardware.contains("Memory (RAM) 8 GB"), "{hardware}");
    assert!(text_of(&html, "#disks-table").contains("160 GB"));

    let href = item_href(&app, &c, "baremetal_models", "baremetal-models", "BMC_L").await;
    let (_, html) = app.get_html(&c, &href).await;
    let hardware = text_of(&html, "#hardware dl.props");
    assert!(hardware.contains("Cores per processor 4"), "{hardware}");
    assert!(hardware.contains("Memory (RAM) 32 GB"), "{hardware}");
    assert!(text_of(&html, "#disks-table").contains("800 GB"));

    let href = item_href(&app, &c, "dvd_isos", "dvd-isos", "debian7-32iso").await;
    let (_, html) = app.get_html(&c, &href).await;
    let props = text_of(&html, "dl.props");
    assert!(
        props.contains("Debian7") && props.contains("32-bit") && props.contains("ISO_OS"),
        "{props}"
    );

    let name = "Linux 64-bit Rescue-System (debian/oldstable)";
    let href = item_href(&app, &c, "recovery_appliances", "recovery-appliances", name).await;
    let (_, html) = app.get_html(&c, &href).await;
    assert_eq!(text_of(&html, "h1"), name);
    assert!(text_of(&html, "dl.props").contains("Other Linux"));
}

#[tokio::test]
async fn an_unknown_id_is_not_found_in_the_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    for (list, _, _) in LISTS {
        let (status, html) = app
            .get_html(
                &c,
                &format!("{ORG}/catalogue/{list}/0123456789ABCDEF0123456789ABCDEF"),
            )
            .await;

        assert_eq!(status, 404, "{list}");
        assert!(html.contains("<nav"), "{list}: the 404 is in the page");
    }
}

#[tokio::test]
async fn a_member_without_servers_show_is_refused_and_audited() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let detail = item_href(&app, &admin, "datacenters", "datacenters", "Spain").await;
    let c = app
        .member_with("imagist@example.org", &["images.show"])
        .await;
    let mut paths = vec![format!("{ORG}/catalogue"), detail];
    paths.extend(
        LISTS
            .iter()
            .map(|(list, _, _)| format!("{ORG}/catalogue/{list}")),
    );

    for path in &paths {
        let (status, html) = app.get_html(&c, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!html.contains("ubuntu2204-64std"), "{path}");
    }

    let denied = audit_rows(&app, "servers.show")
        .await
        .into_iter()
        .filter(|r| r.0 == "denied")
        .count();
    assert_eq!(denied, paths.len());
}

#[tokio::test]
async fn nonsense_in_the_query_still_shows_the_lists() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    for (list, table, names) in LISTS {
        let (status, html) = app
            .get_html(
                &c,
                &format!("{ORG}/catalogue/{list}?page=abc&sort=%3Cscript%3E&q="),
            )
            .await;

        assert_eq!(status, 200, "{list}");
        assert!(
            text_of(&html, &format!("table#{table}")).contains(names[0]),
            "{list}"
        );
        assert!(!html.contains("<script>"), "{list}");
    }
    let (status, _) = app
        .get_html(&c, &format!("{ORG}/catalogue?page=abc&sort=%3Cscript%3E"))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_upstream_refusal_is_shown_in_the_page_with_a_retry() {
    // Arrange: a Cloud Panel that answers every request with its request limit.
    let app = spawn_demo().await;
    let c = app.admin().await;
    let simulator = app.simulator.as_ref().unwrap();
    simulator
        .set_faults(teampanel::simulator::Faults {
            force_429: true,
            ..teampanel::simulator::Faults::default()
        })
        .unwrap();

    // Act
    let (list_status, list) = app.get_html(&c, &format!("{ORG}/catalogue/dvd_isos")).await;
    let (index_status, index) = app.get_html(&c, &format!("{ORG}/catalogue")).await;
    let (detail_status, detail) = app
        .get_html(
            &c,
            &format!("{ORG}/catalogue/dvd_isos/0123456789ABCDEF0123456789ABCDEF"),
        )
        .await;
    simulator
        .set_faults(teampanel::simulator::Faults::default())
        .unwrap();

    // Assert
    assert_eq!(list_status, 200);
    let problem = text_of(&list, ".flash-error");
    assert!(problem.contains("Loading the DVD ISOs"), "{problem}");
    assert!(list.contains("data-countdown"), "a countdown");
    assert!(list.contains("data-fill-in"), "it fills in by itself");
    assert_eq!(index_status, 200);
    assert!(text_of(&index, "tr[data-kind='dvd_isos']").contains("unavailable"));
    assert!(text_of(&index, ".flash-error").contains("Could not load"));
    // The budget is never an error page: the frame, and when it fills in.
    assert_eq!(detail_status, 200);
    assert!(detail.contains("data-fill-in"), "it fills in by itself");
    assert!(detail.contains("<nav"), "the notice is in the page");
    assert!(
        text_of(&detail, "main").contains("DVD ISO"),
        "{}",
        text_of(&detail, "main")
    );
}
