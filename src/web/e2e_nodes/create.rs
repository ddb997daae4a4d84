//! Creating nodes, in two steps since the page has no script for dependent
//! selects: first an OS image (or a ready saved image) is chosen and the
//! page is asked again with `?image=<key>`; then it lists that image's
//! plans, with the name, the number of instances, backups and public SSH
//! keys. Every value is checked against what E2E offered before anything
//! is sent, and the form keeps what was typed.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::name::E2eName;
use super::origin::image_of;
use super::view::{money, ram};
use super::{FAMILY, account_label, read_problem};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::e2e::{ImageChoice, NewNode, Node, Plan, SavedImage};
use crate::domain::PublicKey;
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Fallback, FieldErrors, Named, Upstream, connect, create,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// How many nodes one creation makes at most (E2E's limit).
const MAX_INSTANCES: u32 = 5;
/// Public keys one creation takes at most.
const MAX_KEYS: usize = 20;
/// A saved image's key in the image select: its template id after this.
const SAVED: &str = "saved:";

/// What the user typed, kept to fill the form again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Values {
    #[serde(default)]
    pub(crate) image: String,
    #[serde(default)]
    pub(crate) plan: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) instances: String,
    /// `on`, or empty.
    #[serde(default)]
    pub(crate) backups: String,
    /// One public key a line.
    #[serde(default)]
    pub(crate) ssh_keys: String,
}

impl Values {
    fn trimmed(mut self) -> Self {
        self.image = self.image.trim().to_owned();
        self.plan = self.plan.trim().to_owned();
        self.name = self.name.trim().to_owned();
        self.instances = self.instances.trim().to_owned();
        self.backups = self.backups.trim().to_owned();
        self
    }
}

/// `?image=<key>`: the image whose plans the second step lists.
#[derive(Debug, Default, Deserialize)]
pub struct ImageParam {
    #[serde(default)]
    image: String,
}

/// Where a node starts from.
enum Source {
    Os(ImageChoice),
    Saved(SavedImage),
}

/// One option of the image select.
pub struct ImageOption {
    pub key: String,
    pub label: String,
}

/// The OS images of one display category ("Linux Virtual Node").
pub struct ImageGroup {
    pub title: String,
    pub options: Vec<ImageOption>,
}

/// One plan of the chosen image, as its radio button shows it.
pub struct PlanOption {
    pub value: String,
    pub name: String,
    pub cpu: u32,
    pub ram: String,
    pub disk: u32,
    pub per_month: String,
    pub currency: String,
}

/// What the page offers, loaded from E2E, with what could not be loaded.
struct Options {
    choices: Vec<ImageChoice>,
    saved: Vec<SavedImage>,
    /// The chosen image, when the key names one of the offered ones.
    source: Option<Source>,
    /// The chosen image's plans (empty when none is chosen or they failed).
    plans: Vec<Plan>,
    problems: Vec<String>,
}

impl Options {
    fn key_of(image: &SavedImage) -> String {
        format!("{SAVED}{}", image.template_id)
    }

    /// The source a select key names among what was offered.
    fn find(&self, key: &str) -> Option<Source> {
        if let Some(template) = key.strip_prefix(SAVED) {
            return self
                .saved
                .iter()
                .find(|i| i.template_id == template)
                .cloned()
                .map(Source::Saved);
        }
        let wanted = ImageChoice::from_key(key)?;
        self.choices
            .iter()
            .find(|c| **c == wanted)
            .cloned()
            .map(Source::Os)
    }
}

/// Loads the images, the ready saved images and, for the image `key`
/// names, its plans (a saved image's are those of the OS it was made from).
async fn load_options(up: &Upstream, key: &str) -> Options {
    let c = up.client();
    let (choices, saved) = futures_util::join!(c.image_choices(), c.list_saved_images());
    let mut problems = Vec::new();
    let choices = choices.map_or_else(
        |e| {
            problems.push(read_problem(up, "the OS images", &e));
            Vec::new()
        },
        |f| f.value,
    );
    let saved = saved.map_or_else(
        |e| {
            problems.push(read_problem(up, "the saved images", &e));
            Vec::new()
        },
        |f| f.value.iter().filter(|i| i.is_ready()).cloned().collect(),
    );
    let mut options = Options {
        choices,
        saved,
        source: None,
        plans: Vec::new(),
        problems,
    };
    options.source = options.find(key);
    let plans_of = match &options.source {
        None => None,
        Some(Source::Os(choice)) => Some(choice.clone()),
        Some(Source::Saved(image)) => {
            let found = image_of(&options.choices, &image.distro).cloned();
            if found.is_none() {
                options.problems.push(format!(
                    "The panel could not tell which OS image {} was made from ({}), so it cannot \
                     list plans for it.",
                    image.name,
                    if image.distro.is_empty() {
                        "E2E Networks did not say"
                    } else {
                        image.distro.as_str()
                    }
                ));
            }
            found
        }
    };
    if let Some(choice) = plans_of {
        match c.plans(&choice).await {
            Ok(fetched) => options.plans = fetched.value,
            Err(e) => options
                .problems
                .push(read_problem(up, "the plans of this image", &e)),
        }
    }
    options
}

#[derive(Template)]
#[template(path = "e2e_nodes/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    groups: Vec<ImageGroup>,
    saved: Vec<ImageOption>,
    /// The chosen image in words; empty before one is chosen.
    chosen: String,
    plans: Vec<PlanOption>,
    errors: &'a FieldErrors,
    problem: Option<String>,
    load_problems: Vec<String>,
    account_name: String,
    account_id: i64,
    /// The first step's GET form.
    step_href: String,
    /// The second step's POST form.
    action: String,
    list_href: String,
}

impl CreatePage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The plan chosen before, if any: none is preselected, since a plan
    /// is a price the member picks (an unpicked one is a message).
    pub fn is_plan(&self, value: &str) -> bool {
        self.v.plan == value
    }
}

fn groups(choices: &[ImageChoice]) -> Vec<ImageGroup> {
    let mut groups: Vec<ImageGroup> = Vec::new();
    for c in choices {
        let title = if c.display_category.is_empty() {
            "Other images".to_owned()
        } else {
            c.display_category.clone()
        };
        let option = ImageOption {
            key: c.key(),
            label: c.label(),
        };
        match groups.iter_mut().find(|g| g.title == title) {
            Some(group) => group.options.push(option),
            None => groups.push(ImageGroup {
                title,
                options: vec![option],
            }),
        }
    }
    groups
}

fn plan_option(plan: &Plan) -> PlanOption {
    PlanOption {
        value: plan.plan.clone(),
        name: if plan.name.is_empty() {
            plan.plan.clone()
        } else {
            plan.name.clone()
        },
        cpu: plan.specs.cpu,
        ram: ram(&plan.specs.ram),
        disk: plan.specs.disk_space,
        per_month: money(plan.specs.price_per_month, ""),
        currency: plan.currency.clone(),
    }
}

async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    v: &Values,
    errors: &FieldErrors,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let o = load_options(up, &v.image).await;
    let mut load_problems = o.problems.clone();
    if !v.image.is_empty() && o.source.is_none() && !errors.contains_key("image") {
        load_problems.push(
            "The chosen image is not among the images E2E Networks offers now: choose one below."
                .to_owned(),
        );
    }
    let chosen = match &o.source {
        Some(Source::Os(c)) => c.label(),
        Some(Source::Saved(i)) => format!("{} (saved image)", i.name),
        None => String::new(),
    };
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            groups: groups(&o.choices),
            saved: o
                .saved
                .iter()
                .map(|i| ImageOption {
                    key: Options::key_of(i),
                    label: format!("{} ({})", i.name, i.distro),
                })
                .collect(),
            chosen,
            plans: o.plans.iter().map(plan_option).collect(),
            errors,
            problem,
            load_problems,
            account_name: account_label(up),
            account_id: up.row().id,
            step_href: ctx.href(&format!("{}/new", FAMILY.word)),
            action: FAMILY.list_on(ctx, up),
            list_href: FAMILY.list_on(ctx, up),
        },
    )
}

/// `GET /new[?image=<key>]`: the first step, or the second for a chosen image.
pub async fn form(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    image: web::Query<ImageParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::E2E_NODES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let v = Values {
        image: image.image.trim().to_owned(),
        instances: "1".into(),
        ..Values::default()
    };
    show(&ctx, &up, &v, &FieldErrors::new(), None, StatusCode::OK).await
}

/// E2E's region for the account's location: Delhi's nodes are in `ncr`.
fn region_of(location: &str) -> String {
    match location.trim().to_lowercase().as_str() {
        "" | "delhi" | "ncr" | "delhi ncr" => "ncr".to_owned(),
        other => other.to_owned(),
    }
}

/// The public keys, one a line; the first bad line is named.
fn parse_keys(raw: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for (number, line) in raw.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let key = PublicKey::parse(line).map_err(|e| format!("Line {}: {e}", number + 1))?;
        keys.push(key.to_string());
    }
    if keys.len() > MAX_KEYS {
        return Err(format!(
            "Give at most {MAX_KEYS} public keys; there are {}.",
            keys.len()
        ));
    }
    Ok(keys)
}

/// Turns the typed values into E2E's request, or the problems per field.
fn build(v: &Values, o: &Options, region: String) -> Result<NewNode, FieldErrors> {
    let mut errors = FieldErrors::new();
    if v.image.is_empty() {
        errors.insert("image", "Choose the image the node starts from.".to_owned());
    } else if o.source.is_none() {
        errors.insert(
            "image",
            "Choose one of the listed images (the one chosen is not offered now).".to_owned(),
        );
    }
    let plan = o
        .plans
        .iter()
        .find(|p| !v.plan.is_empty() && p.plan == v.plan);
    if plan.is_none() && o.source.is_some() {
        let message = if o.plans.is_empty() {
            "The plans of this image could not be loaded, so none can be chosen: try again in a moment."
        } else if v.plan.is_empty() {
            "Choose a plan."
        } else {
            "Choose one of the listed plans."
        };
        errors.insert("plan", message.to_owned());
    }
    let name = E2eName::parse(&v.name, "node name")
        .map_err(|e| errors.insert("name", e))
        .ok();
    let instances = match v.instances.parse::<u32>() {
        Ok(n) if (1..=MAX_INSTANCES).contains(&n) => Some(n),
        _ => {
            errors.insert(
                "instances",
                format!("Choose from 1 to {MAX_INSTANCES} instances."),
            );
            None
        }
    };
    let backups = match v.backups.as_str() {
        "" => false,
        "on" => true,
        _ => {
            errors.insert("backups", "Tick the box, or leave it empty.".to_owned());
            false
        }
    };
    let keys = parse_keys(&v.ssh_keys)
        .map_err(|e| errors.insert("ssh_keys", e))
        .ok();
    let (Some(source), Some(plan), Some(name), Some(instances), Some(keys)) =
        (o.source.as_ref(), plan, name, instances, keys)
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let (image, saved_template) = match source {
        Source::Os(_) => (plan.image.clone(), None),
        Source::Saved(saved) => match saved.template_id.parse::<i64>() {
            Ok(template) => (saved.name.clone(), Some(template)),
            Err(_) => {
                errors.insert(
                    "image",
                    "E2E Networks listed this saved image without a usable template id: choose another."
                        .to_owned(),
                );
                return Err(errors);
            }
        },
    };
    Ok(NewNode {
        name: name.as_str().to_owned(),
        region,
        plan: plan.plan.clone(),
        image,
        ssh_keys: keys,
        backups,
        is_saved_image: saved_template.is_some(),
        saved_image_template_id: saved_template,
        number_of_instances: instances,
    })
}

/// The nodes E2E created, as the audit log and the message name them: one
/// node is opened afterwards, several are found on the list.
struct Created {
    id: String,
    name: String,
}

impl Created {
    fn of(nodes: &[Node]) -> Self {
        match nodes {
            [one] => Self {
                id: one.id.clone(),
                name: one.name.clone(),
            },
            more => Self {
                id: String::new(),
                name: more
                    .iter()
                    .map(|n| n.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        }
    }
}

impl Named for Created {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// The form's field for a field E2E's refusal names.
fn form_field(api: &str) -> Option<&'static str> {
    match api {
        "name" => Some("name"),
        "plan" => Some("plan"),
        "image" | "saved_image_template_id" | "is_saved_image" => Some("image"),
        "number_of_instances" => Some("instances"),
        "backups" => Some("backups"),
        "ssh_keys" => Some("ssh_keys"),
        _ => None,
    }
}

/// E2E's request for the typed values, checked against what E2E offers
/// now (its images, ready saved images and the chosen image's plans), or
/// the problems per field.
pub(crate) async fn planned(up: &Upstream, values: &Values) -> Result<NewNode, FieldErrors> {
    let options = load_options(up, &values.image).await;
    build(values, &options, region_of(&up.row().location))
}

/// Creating the nodes of `request`, as the audit log keeps it (the number
/// of public keys, not the keys).
pub(crate) fn created(request: &NewNode) -> Change {
    Change::new(
        "e2e_node.create",
        json!({
            "name": request.name,
            "plan": request.plan,
            "image": request.image,
            "is_saved_image": request.is_saved_image,
            "number_of_instances": request.number_of_instances,
            "backups": request.backups,
            "ssh_keys": request.ssh_keys.len(),
        }),
        if request.number_of_instances == 1 {
            "Creating {name}: it is ready in a minute or two.".to_owned()
        } else {
            format!(
                "Creating {} nodes: {{name}}. They are ready in a minute or two.",
                request.number_of_instances
            )
        },
    )
}

/// `POST ""`: checks everything, then the audited creation (queued when
/// the budget is spent); created, the member goes to the node (or the list).
pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    form: web::Form<Values>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::E2E_NODES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let values = form.into_inner().trimmed();
    let request = match planned(&up, &values).await {
        Ok(request) => request,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show(&ctx, &up, &values, &errors, None, status).await;
        }
    };
    let change = created(&request);
    let again = (&ctx, &up, &values);
    let call = async {
        let nodes = up.client().create_node(&request).await?;
        Ok::<_, CloudError>(Created::of(&nodes))
    };
    create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &request.name,
        call,
        form_field,
        |fields, problem| async move {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(again.0, again.1, again.2, &fields, Some(problem), status).await
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b";

    fn ubuntu() -> ImageChoice {
        ImageChoice {
            display_category: "Linux Virtual Node".into(),
            category: "Ubuntu".into(),
            os: "Ubuntu".into(),
            version: "22.04".into(),
        }
    }

    fn plan() -> Plan {
        Plan {
            name: "C2.12GB".into(),
            plan: "C2-4vCPU-12RAM-100DISK-C2.12GB-Ubuntu-22.04-Delhi".into(),
            image: "Ubuntu-22.04-Distro".into(),
            ..Plan::default()
        }
    }

    fn saved() -> SavedImage {
        SavedImage {
            image_id: "7".into(),
            template_id: "3638".into(),
            name: "web-golden".into(),
            image_state: "Ready".into(),
            distro: "Ubuntu-22.04".into(),
            ..SavedImage::default()
        }
    }

    fn options(key: &str) -> Options {
        let mut o = Options {
            choices: vec![ubuntu()],
            saved: vec![saved()],
            source: None,
            plans: vec![plan()],
            problems: Vec::new(),
        };
        o.source = o.find(key);
        o
    }

    fn valid() -> Values {
        Values {
            image: ubuntu().key(),
            plan: plan().plan,
            name: "app-1".into(),
            instances: "2".into(),
            backups: "on".into(),
            ssh_keys: format!("\n{KEY}\n\n"),
        }
    }

    #[test]
    fn a_node_is_built_from_an_os_image() {
        let v = valid();
        let node = build(&v, &options(&v.image), "ncr".into()).unwrap();
        assert_eq!(node.image, "Ubuntu-22.04-Distro");
        assert_eq!((node.number_of_instances, node.backups), (2, true));
        assert_eq!(node.ssh_keys, [KEY]);
        assert!(!node.is_saved_image && node.saved_image_template_id.is_none());
    }

    #[test]
    fn a_node_is_built_from_a_saved_image() {
        let v = Values {
            image: "saved:3638".into(),
            ..valid()
        };
        let node = build(&v, &options(&v.image), "ncr".into()).unwrap();
        assert_eq!(node.image, "web-golden");
        assert!(node.is_saved_image);
        assert_eq!(node.saved_image_template_id, Some(3638));
    }

    #[test]
    fn every_bad_field_is_named() {
        let v = Values {
            image: "saved:999".into(),
            plan: "other".into(),
            name: "has space".into(),
            instances: "6".into(),
            backups: "maybe".into(),
            ssh_keys: "not a key".into(),
        };
        let errors = build(&v, &options(&v.image), "ncr".into()).unwrap_err();
        for field in ["image", "name", "instances", "backups", "ssh_keys"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        assert!(errors["ssh_keys"].starts_with("Line 1:"));
        // A plan that is not the chosen image's.
        let v = Values {
            plan: "B-2VCPU".into(),
            ..valid()
        };
        let errors = build(&v, &options(&v.image), "ncr".into()).unwrap_err();
        assert_eq!(errors["plan"], "Choose one of the listed plans.");
        for instances in ["0", "x", ""] {
            let v = Values {
                instances: instances.into(),
                ..valid()
            };
            assert!(
                build(&v, &options(&v.image), "ncr".into()).is_err(),
                "{instances}"
            );
        }
    }

    #[test]
    fn the_region_follows_the_account_location() {
        assert_eq!(region_of("Delhi"), "ncr");
        assert_eq!(region_of(""), "ncr");
        assert_eq!(region_of("Mumbai"), "mumbai");
    }

    #[test]
    fn several_nodes_are_named_together() {
        let node = |id: &str, name: &str| Node {
            id: id.into(),
            name: name.into(),
            ..Node::default()
        };
        let one = Created::of(&[node("5", "a")]);
        assert_eq!((one.id.as_str(), one.name.as_str()), ("5", "a"));
        let two = Created::of(&[node("5", "a-1"), node("6", "a-2")]);
        assert_eq!((two.id.as_str(), two.name.as_str()), ("", "a-1, a-2"));
    }
}
