//! A resource's state as the pages show it: words, a badge, progress, and
//! whether the element should refresh itself.

/// What a badge shows for a state such as `POWERED_ON` or `CONFIGURING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateBadge {
    /// The API's state, e.g. `ACTIVE`; also the element's `data-state`.
    pub state: String,
    /// `Powered on`.
    pub label: String,
    /// The badge's CSS class: `ok`, `off`, `busy`, `bad` or empty.
    pub class: &'static str,
    /// Progress of the work in progress, when the API says.
    pub percent: Option<u32>,
    /// Work in progress: the element refreshes itself until it is steady.
    pub transitional: bool,
}

impl StateBadge {
    pub fn new(state: &str, transitional: bool, percent: Option<u32>) -> Self {
        Self {
            state: state.to_owned(),
            label: state_label(state),
            class: badge_class(state, transitional),
            percent: percent.filter(|_| transitional),
            transitional,
        }
    }

    /// Why the actions the API refuses during a transition wait, shown
    /// beside them (`#busy-reason`): `None` when the object is steady. `what`
    /// names the object ("block storage"), `waiting` the actions ("Renaming
    /// and resizing"); an object being removed allows nothing any more.
    pub fn busy_reason(&self, what: &str, waiting: &str, removing: bool) -> Option<String> {
        if removing {
            return Some(format!(
                "The {what} is being removed: nothing can be changed any more."
            ));
        }
        self.transitional.then(|| {
            let progress = self.percent.map(|p| format!(", {p}%")).unwrap_or_default();
            format!(
                "The {what} is {}{progress}. {waiting} wait until it is done; the page \
                 loads again then.",
                self.label.to_lowercase()
            )
        })
    }

    /// An object that left the Cloud Panel meanwhile.
    pub fn removed() -> Self {
        Self::new("REMOVED", false, None)
    }
}

/// `POWERED_ON` → `Powered on`; unknown states keep their words.
pub fn state_label(state: &str) -> String {
    if state.is_empty() {
        return "Unknown".into();
    }
    let lower = state.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn badge_class(state: &str, transitional: bool) -> &'static str {
    if transitional {
        return "busy";
    }
    match state {
        "POWERED_ON" | "ACTIVE" | "ENABLED" => "ok",
        "POWERED_OFF" | "DISABLED" | "REMOVED" => "off",
        "FAILED" | "ERROR" => "bad",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_as_words() {
        assert_eq!(state_label("POWERED_ON"), "Powered on");
        assert_eq!(state_label("MIGRATING"), "Migrating");
        assert_eq!(state_label(""), "Unknown");
    }

    #[test]
    fn badges_follow_the_state() {
        assert_eq!(badge_class("POWERED_ON", false), "ok");
        assert_eq!(badge_class("ACTIVE", false), "ok");
        assert_eq!(badge_class("DEPLOYING", true), "busy");
        assert_eq!(badge_class("POWERED_OFF", false), "off");
    }

    #[test]
    fn progress_shows_only_while_work_goes_on() {
        assert_eq!(
            StateBadge::new("CONFIGURING", true, Some(40)).percent,
            Some(40)
        );
        assert_eq!(StateBadge::new("ACTIVE", false, Some(100)).percent, None);
    }
}
