//! Statement text as SQLAlchemy 2.0 compiles it for PostgreSQL: select lists with its
//! two label styles, anonymous aliases (`orders_1`), and joined-eager LEFT OUTER JOINs.

use std::collections::HashMap;

use super::mapper::{Direction, Mapper, Registry, Strategy};
use super::options::OptNode;

/// How a select list names its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LabelStyle {
    /// `select(User)`: plain names, `_1`, `_2` added only on a clash (`orders_1.id AS id_1`).
    Disambiguate,
    /// Loader queries (lazy, selectin, subquery, get): `orders.id AS orders_id`.
    TablePlusColumn,
}

/// One entity's columns in a statement's select list.
#[derive(Clone, Debug)]
pub(crate) struct EntityCols {
    pub mapper: usize,
    /// Table name or alias.
    pub qualifier: String,
    /// (column name, position in the row)
    pub cols: Vec<(String, usize)>,
    /// Loaded through (parent entity, relationship) by a joined eager load.
    pub parent: Option<(usize, String)>,
    pub node: OptNode,
}

/// A SELECT being assembled.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shape {
    pub select: Vec<String>,
    names: Vec<String>,
    pub joins: Vec<String>,
    pub entities: Vec<EntityCols>,
    aliases: HashMap<String, usize>,
}

impl Shape {
    pub fn alias(&mut self, table: &str) -> String {
        let n = self.aliases.entry(table.to_string()).or_insert(0);
        *n += 1;
        format!("{table}_{n}")
    }

    /// Adds a column expression under a label; returns its position.
    pub fn push_column(&mut self, qualifier: &str, column: &str, style: LabelStyle) -> usize {
        let expr = format!("{qualifier}.{column}");
        let item = match style {
            LabelStyle::TablePlusColumn => {
                let label = format!("{qualifier}_{column}");
                self.names.push(label.clone());
                format!("{expr} AS {label}")
            }
            LabelStyle::Disambiguate => {
                if self.names.iter().any(|n| n == column) {
                    let mut k = 1;
                    while self.names.iter().any(|n| *n == format!("{column}_{k}")) {
                        k += 1;
                    }
                    let label = format!("{column}_{k}");
                    self.names.push(label.clone());
                    format!("{expr} AS {label}")
                } else {
                    self.names.push(column.to_string());
                    expr
                }
            }
        };
        self.select.push(item);
        self.select.len() - 1
    }

    pub fn add_entity(
        &mut self,
        mapper_index: usize,
        qualifier: &str,
        columns: &[String],
        style: LabelStyle,
        parent: Option<(usize, String)>,
        node: OptNode,
    ) -> usize {
        let cols = columns
            .iter()
            .map(|c| (c.clone(), self.push_column(qualifier, c, style)))
            .collect();
        self.entities.push(EntityCols {
            mapper: mapper_index,
            qualifier: qualifier.to_string(),
            cols,
            parent,
            node,
        });
        self.entities.len() - 1
    }

    /// Adds the joined eager loads of entity `entity` (options, else `lazy='joined'`), as
    /// LEFT OUTER JOINs to aliases, recursively (three levels at most, as a self-referential
    /// `lazy='joined'` would otherwise never end; SQLAlchemy stops via join_depth).
    pub fn add_joined(
        &mut self,
        registry: &Registry,
        entity: usize,
        style: LabelStyle,
        depth: usize,
    ) {
        if depth >= 3 {
            return;
        }
        let mapper_index = self.entities[entity].mapper;
        let mapper = &registry.mappers[mapper_index];
        let node = self.entities[entity].node.clone();
        let parent_q = self.entities[entity].qualifier.clone();
        for rel in &mapper.relationships {
            let child_node = node.child(&rel.name).cloned().unwrap_or_default();
            let strategy = child_node.strategy.unwrap_or(rel.lazy);
            if strategy != Strategy::Joined {
                continue;
            }
            let target = &registry.mappers[rel.target];
            match (&rel.secondary, rel.direction) {
                (Some(secondary), Direction::ManyToMany) => {
                    // `products LEFT OUTER JOIN (product_tags AS product_tags_1 JOIN tags
                    // AS tags_1 ON ...) ON ...`: the association and target joined first.
                    let association = self.alias(&secondary.table);
                    let alias = self.alias(&target.table);
                    let inner: Vec<String> = secondary
                        .remote
                        .iter()
                        .map(|(theirs, remote)| {
                            format!("{alias}.{theirs} = {association}.{remote}")
                        })
                        .collect();
                    let outer: Vec<String> = secondary
                        .local
                        .iter()
                        .map(|(own, local)| format!("{parent_q}.{own} = {association}.{local}"))
                        .collect();
                    self.joins.push(format!(
                        "LEFT OUTER JOIN ({} AS {association} JOIN {} AS {alias} ON {}) ON {}",
                        secondary.table,
                        target.table,
                        inner.join(" AND "),
                        outer.join(" AND ")
                    ));
                    self.add_joined_entity(
                        registry,
                        entity,
                        rel,
                        &alias,
                        &[],
                        child_node,
                        style,
                        depth,
                    );
                    continue;
                }
                // A many-to-many whose association table the mapper could not read: the
                // loader refuses it when it runs (post_load).
                (None, Direction::ManyToMany) => continue,
                _ => {}
            }
            let alias = self.alias(&target.table);
            let on: Vec<String> = rel
                .pairs
                .iter()
                .map(|(referenced, fk)| match rel.direction {
                    Direction::OneToMany => format!("{parent_q}.{referenced} = {alias}.{fk}"),
                    _ => format!("{alias}.{referenced} = {parent_q}.{fk}"),
                })
                .collect();
            self.joins.push(format!(
                "LEFT OUTER JOIN {} AS {alias} ON {}",
                target.table,
                on.join(" AND ")
            ));
            let required: Vec<String> = match rel.direction {
                Direction::OneToMany => rel.pairs.iter().map(|(_, fk)| fk.clone()).collect(),
                _ => Vec::new(),
            };
            self.add_joined_entity(
                registry, entity, rel, &alias, &required, child_node, style, depth,
            );
        }
    }

    /// The joined target's columns under `alias`, filled into `entity`'s `rel`, and the
    /// target's own joined loads below it.
    #[allow(clippy::too_many_arguments)]
    fn add_joined_entity(
        &mut self,
        registry: &Registry,
        entity: usize,
        rel: &super::mapper::RelInfo,
        alias: &str,
        required: &[String],
        node: OptNode,
        style: LabelStyle,
        depth: usize,
    ) {
        let target = &registry.mappers[rel.target];
        let columns = entity_columns(target, node.load_only.as_deref(), required);
        let child = self.add_entity(
            rel.target,
            alias,
            &columns,
            style,
            Some((entity, rel.name.clone())),
            node,
        );
        self.add_joined(registry, child, style, depth + 1);
    }

    /// `SELECT ... FROM from [joins]` (each clause on its own line, as SQLAlchemy prints).
    pub fn sql(&self, from: &str) -> String {
        let mut sql = format!("SELECT {} \nFROM {from}", self.select.join(", "));
        for join in &self.joins {
            sql.push(' ');
            sql.push_str(join);
        }
        sql
    }
}

/// The columns an entity's query lists, in table order: all of them, or with
/// `load_only` the primary key, the named attributes and the columns a relationship
/// load needs.
pub(crate) fn entity_columns(
    mapper: &Mapper,
    load_only: Option<&[String]>,
    required: &[String],
) -> Vec<String> {
    mapper
        .columns
        .iter()
        .filter(|c| match load_only {
            None => true,
            Some(names) => {
                c.primary_key
                    || names.iter().any(|n| {
                        let n = n.rsplit('.').next().unwrap_or(n);
                        *n == c.attribute || *n == c.name
                    })
                    || required.contains(&c.name)
            }
        })
        .map(|c| c.name.clone())
        .collect()
}
