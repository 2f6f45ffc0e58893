//! `select(Class)` with criteria, and loader options (`selectinload(User.orders)
//! .selectinload(Order.items).joinedload(OrderItem.product)`, `load_only`).

use super::mapper::Strategy;
use super::value::Value;

/// A WHERE criterion on the selected class's attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum Criterion {
    /// `User.email == value`
    Eq(String, Value),
    /// `User.deleted_at.is_(None)`
    IsNull(String),
    /// `User.deleted_at.is_not(None)`
    IsNotNull(String),
}

/// `select(Class).where(...).options(...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    pub class: String,
    pub criteria: Vec<Criterion>,
    pub options: Vec<Load>,
    /// `load_only(...)` on the selected class (attribute names).
    pub load_only: Option<Vec<String>>,
    /// (attribute, descending)
    pub order_by: Vec<(String, bool)>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

impl Select {
    pub fn new(class: &str) -> Self {
        Self {
            class: class.to_string(),
            criteria: Vec::new(),
            options: Vec::new(),
            load_only: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
        }
    }

    pub fn where_eq(mut self, attribute: &str, value: impl Into<Value>) -> Self {
        self.criteria
            .push(Criterion::Eq(attribute.to_string(), value.into()));
        self
    }

    pub fn where_is_null(mut self, attribute: &str) -> Self {
        self.criteria.push(Criterion::IsNull(attribute.to_string()));
        self
    }

    pub fn where_is_not_null(mut self, attribute: &str) -> Self {
        self.criteria
            .push(Criterion::IsNotNull(attribute.to_string()));
        self
    }

    /// The Soft Delete Pattern's filter: `.where(Class.deleted_at.is_(None))`.
    pub fn not_deleted(self) -> Self {
        self.where_is_null("deleted_at")
    }

    pub fn options(mut self, load: Load) -> Self {
        self.options.push(load);
        self
    }

    pub fn load_only(mut self, attributes: &[&str]) -> Self {
        self.load_only = Some(attributes.iter().map(|a| a.to_string()).collect());
        self
    }

    pub fn order_by(mut self, attribute: &str, descending: bool) -> Self {
        self.order_by.push((attribute.to_string(), descending));
        self
    }

    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

/// One step of a loader option chain.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadStep {
    /// `Class.attribute` (or just `attribute`).
    pub relationship: String,
    pub strategy: Strategy,
    /// `.load_only(...)` on this step's target class.
    pub load_only: Option<Vec<String>>,
}

/// A loader option: a chain of relationship steps from the selected class.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    pub steps: Vec<LoadStep>,
}

impl Load {
    pub fn new(strategy: Strategy, relationship: &str) -> Self {
        Self {
            steps: vec![LoadStep {
                relationship: relationship.to_string(),
                strategy,
                load_only: None,
            }],
        }
    }

    pub fn then(mut self, strategy: Strategy, relationship: &str) -> Self {
        self.steps.push(LoadStep {
            relationship: relationship.to_string(),
            strategy,
            load_only: None,
        });
        self
    }

    pub fn selectinload(self, relationship: &str) -> Self {
        self.then(Strategy::Selectin, relationship)
    }

    pub fn joinedload(self, relationship: &str) -> Self {
        self.then(Strategy::Joined, relationship)
    }

    pub fn subqueryload(self, relationship: &str) -> Self {
        self.then(Strategy::Subquery, relationship)
    }

    pub fn lazyload(self, relationship: &str) -> Self {
        self.then(Strategy::Select, relationship)
    }

    pub fn raiseload(self, relationship: &str) -> Self {
        self.then(Strategy::Raise, relationship)
    }

    /// `.load_only(...)` for the last step's class.
    pub fn load_only(mut self, attributes: &[&str]) -> Self {
        if let Some(last) = self.steps.last_mut() {
            last.load_only = Some(attributes.iter().map(|a| a.to_string()).collect());
        }
        self
    }
}

pub fn selectinload(relationship: &str) -> Load {
    Load::new(Strategy::Selectin, relationship)
}

pub fn joinedload(relationship: &str) -> Load {
    Load::new(Strategy::Joined, relationship)
}

pub fn subqueryload(relationship: &str) -> Load {
    Load::new(Strategy::Subquery, relationship)
}

pub fn lazyload(relationship: &str) -> Load {
    Load::new(Strategy::Select, relationship)
}

pub fn raiseload(relationship: &str) -> Load {
    Load::new(Strategy::Raise, relationship)
}

/// The options of one query as a tree over relationship names.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct OptNode {
    pub strategy: Option<Strategy>,
    pub load_only: Option<Vec<String>>,
    pub children: Vec<(String, OptNode)>,
}

impl OptNode {
    pub fn from_options(options: &[Load]) -> OptNode {
        let mut root = OptNode::default();
        for load in options {
            let mut node = &mut root;
            for step in &load.steps {
                let name = step
                    .relationship
                    .rsplit('.')
                    .next()
                    .unwrap_or(&step.relationship)
                    .to_string();
                let at = match node.children.iter().position(|(n, _)| *n == name) {
                    Some(at) => at,
                    None => {
                        node.children.push((name, OptNode::default()));
                        node.children.len() - 1
                    }
                };
                node = &mut node.children[at].1;
                node.strategy = Some(step.strategy);
                if step.load_only.is_some() {
                    node.load_only = step.load_only.clone();
                }
            }
        }
        root
    }

    pub fn child(&self, relationship: &str) -> Option<&OptNode> {
        self.children
            .iter()
            .find(|(n, _)| n == relationship)
            .map(|(_, node)| node)
    }
}
