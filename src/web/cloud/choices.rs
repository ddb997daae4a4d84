//! Options of a select, loaded from the Cloud Panel, or why they could not be.

use std::future::Future;

use super::read_problem;
use crate::cloudpanel::{CloudError, Fetched};

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

impl Choice {
    pub fn of(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// Options for a select, or why they could not be loaded.
#[derive(Debug, Default)]
pub struct Choices {
    pub items: Vec<Choice>,
    pub problem: Option<String>,
}

impl Choices {
    pub fn from<T>(
        what: &str,
        result: Result<Fetched<Vec<T>>, CloudError>,
        f: impl Fn(&T) -> Choice,
    ) -> Self {
        match result {
            Ok(fetched) => Self {
                items: fetched.value.iter().map(f).collect(),
                problem: None,
            },
            Err(e) => Self {
                items: Vec::new(),
                problem: Some(read_problem(what, &e)),
            },
        }
    }

    /// The option's name, or the id itself when it is not among them.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.items
            .iter()
            .find(|c| c.id == id)
            .map_or(id, |c| c.name.as_str())
    }
}

/// The objects of a list that `pick` keeps (those attached to a server,
/// say), loaded only when the member may see them.
pub async fn attached<T>(
    wanted: bool,
    what: &str,
    load: impl Future<Output = Result<Fetched<Vec<T>>, CloudError>>,
    pick: impl Fn(&T) -> Option<Choice>,
) -> Choices {
    if !wanted {
        return Choices::default();
    }
    match load.await {
        Ok(fetched) => Choices {
            items: fetched.value.iter().filter_map(pick).collect(),
            problem: None,
        },
        Err(e) => Choices {
            items: Vec::new(),
            problem: Some(read_problem(what, &e)),
        },
    }
}

/// A select's options, loaded only when the member may use the form that needs them.
pub async fn options<T>(
    wanted: bool,
    what: &str,
    load: impl Future<Output = Result<Fetched<Vec<T>>, CloudError>>,
    choice: impl Fn(&T) -> Choice,
) -> Choices {
    if !wanted {
        return Choices::default();
    }
    Choices::from(what, load.await, choice)
}
