//! Mappers: what the session needs of each mapped class, resolved from the [`ModelIr`]
//! (columns with their defaults, primary key, relationships with direction, join columns,
//! cascades and default loader strategy).

use crate::model::ir::{DefaultValue, ModelIr, SqlType};

use super::OrmError;

/// A loader strategy (`relationship(lazy=...)` or a loader option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Strategy {
    /// `lazy='select'`: one SELECT per parent when the attribute is first accessed.
    Select,
    /// `lazy='joined'` / `joinedload`: a LEFT OUTER JOIN in the parent's query.
    Joined,
    /// `lazy='selectin'` / `selectinload`: one `IN (...)` query per relationship.
    Selectin,
    /// `lazy='subquery'` / `subqueryload`: the parent query again, as a subquery joined
    /// to the children.
    Subquery,
    /// `lazy='raise'` / `raiseload`: accessing the unloaded attribute is an error.
    Raise,
    /// `lazy='raise_on_sql'`: an error only if loading would need SQL.
    RaiseOnSql,
    /// `lazy='noload'`: never loads (empty).
    NoLoad,
}

impl Strategy {
    /// Reads `lazy=` as written in the model (`'selectin'`, `True`, `"joined"`).
    pub fn from_lazy(text: &str) -> Strategy {
        match text.trim().trim_matches(|c| c == '\'' || c == '"') {
            "joined" | "False" => Strategy::Joined,
            "selectin" => Strategy::Selectin,
            "subquery" => Strategy::Subquery,
            "raise" => Strategy::Raise,
            "raise_on_sql" => Strategy::RaiseOnSql,
            "noload" => Strategy::NoLoad,
            _ => Strategy::Select,
        }
    }

    /// The `lazy=` value SQLAlchemy names in its messages.
    pub fn lazy_name(self) -> &'static str {
        match self {
            Strategy::Select => "select",
            Strategy::Joined => "joined",
            Strategy::Selectin => "selectin",
            Strategy::Subquery => "subquery",
            Strategy::Raise => "raise",
            Strategy::RaiseOnSql => "raise_on_sql",
            Strategy::NoLoad => "noload",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cascade {
    pub save_update: bool,
    pub delete: bool,
    pub delete_orphan: bool,
}

impl Cascade {
    /// `cascade='all, delete-orphan'`; absent means SQLAlchemy's default `save-update, merge`.
    pub fn parse(text: Option<&str>) -> Cascade {
        let Some(text) = text else {
            return Cascade {
                save_update: true,
                ..Cascade::default()
            };
        };
        let mut cascade = Cascade::default();
        for part in text
            .trim_matches(|c| c == '\'' || c == '"')
            .split(',')
            .map(str::trim)
        {
            match part {
                "all" => {
                    cascade.save_update = true;
                    cascade.delete = true;
                }
                "save-update" => cascade.save_update = true,
                "delete" => cascade.delete = true,
                "delete-orphan" => cascade.delete_orphan = true,
                _ => {}
            }
        }
        cascade
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The target's rows hold the foreign key (`User.orders`).
    OneToMany,
    /// This class's row holds the foreign key (`Order.user`).
    ManyToOne,
    /// Through a `secondary` association table.
    ManyToMany,
}

#[derive(Clone, Debug)]
pub struct ColumnInfo {
    pub name: String,
    pub attribute: String,
    pub primary_key: bool,
    pub nullable: bool,
    pub autoincrement: bool,
    pub default: Option<DefaultValue>,
    pub onupdate: Option<DefaultValue>,
    pub server_default: Option<String>,
    /// JSON columns: an unset value is left out of INSERT (SQLAlchemy's
    /// `should_evaluate_none`), not sent as NULL.
    pub json: bool,
    /// The cast psycopg2's dialect renders after this column's bound parameter
    /// (`%(doc)s::JSONB`): SQLAlchemy's `render_bind_cast` types, JSON and JSONB.
    pub bind_cast: Option<&'static str>,
    /// The type as the sentinel form of a multi-row INSERT casts to it (`p0::VARCHAR`:
    /// SQLAlchemy casts to the type without its length).
    pub cast: String,
}

impl ColumnInfo {
    /// The placeholder for a parameter named `param` bound to this column.
    pub fn placeholder(&self, param: &str) -> String {
        match self.bind_cast {
            Some(cast) => format!("%({param})s::{cast}"),
            None => format!("%({param})s"),
        }
    }
}

/// `relationship(secondary=...)`: the association table and how its columns refer to
/// each side.
#[derive(Clone, Debug)]
pub struct Secondary {
    pub table: String,
    /// (column of this class's table, the association column referring to it).
    pub local: Vec<(String, String)>,
    /// (column of the target's table, the association column referring to it).
    pub remote: Vec<(String, String)>,
    /// The association table's columns, in table order.
    pub columns: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct RelInfo {
    pub name: String,
    pub target: usize,
    pub collection: bool,
    pub direction: Direction,
    /// (referenced column on the "one" side, foreign-key column on the "many" side).
    pub pairs: Vec<(String, String)>,
    pub cascade: Cascade,
    pub lazy: Strategy,
    pub passive_deletes: bool,
    pub back_populates: Option<String>,
    /// A many-to-many's association table.
    pub secondary: Option<Secondary>,
}

#[derive(Clone, Debug)]
pub struct Mapper {
    pub class: String,
    pub table: String,
    pub columns: Vec<ColumnInfo>,
    pub primary_key: Vec<String>,
    pub relationships: Vec<RelInfo>,
    /// Tables this one's foreign keys refer to (itself excluded).
    pub depends_on: Vec<String>,
}

impl Mapper {
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column behind a Python attribute name (or a column name).
    pub fn column_of_attribute(&self, attribute: &str) -> Option<&ColumnInfo> {
        self.columns
            .iter()
            .find(|c| c.attribute == attribute)
            .or_else(|| self.column(attribute))
    }

    pub fn relationship(&self, name: &str) -> Option<&RelInfo> {
        self.relationships.iter().find(|r| r.name == name)
    }
}

/// All mappers of a model, by class.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub mappers: Vec<Mapper>,
}

impl Registry {
    pub fn from_ir(ir: &ModelIr) -> Result<Registry, OrmError> {
        let mapped: Vec<_> = ir
            .tables
            .iter()
            .filter(|t| t.class_name.is_some())
            .collect();
        let mut mappers: Vec<Mapper> = mapped
            .iter()
            .map(|t| Mapper {
                class: t.class_name.clone().unwrap_or_default(),
                table: t.name.clone(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| ColumnInfo {
                        name: c.name.clone(),
                        attribute: c.attribute.clone(),
                        primary_key: c.primary_key || t.primary_key.contains(&c.name),
                        nullable: c.nullable,
                        autoincrement: c.autoincrement,
                        default: c.default.as_ref().map(|d| d.value.clone()),
                        onupdate: c.onupdate.as_ref().map(|d| d.value.clone()),
                        server_default: c.server_default.clone(),
                        json: matches!(c.sql_type, SqlType::Json | SqlType::Jsonb),
                        cast: match c.sql_type {
                            SqlType::Varchar(_) => "VARCHAR".to_string(),
                            ref other => other.to_sql(),
                        },
                        bind_cast: match c.sql_type {
                            SqlType::Json => Some("JSON"),
                            SqlType::Jsonb => Some("JSONB"),
                            _ => None,
                        },
                    })
                    .collect(),
                primary_key: t.primary_key.clone(),
                relationships: Vec::new(),
                depends_on: t
                    .foreign_keys()
                    .map(|fk| fk.ref_table.clone())
                    .filter(|r| *r != t.name)
                    .collect(),
            })
            .collect();
        for (index, table) in mapped.iter().enumerate() {
            for rel in &table.relationships {
                let target_index = mapped
                    .iter()
                    .position(|t| t.class_name.as_deref() == Some(rel.target.as_str()))
                    .ok_or_else(|| {
                        OrmError::Mapping(format!(
                            "{}.{}: class '{}' is not mapped",
                            mappers[index].class, rel.name, rel.target
                        ))
                    })?;
                let target = mapped[target_index];
                let fk_in = |holder: &crate::model::ir::Table, referenced: &str| {
                    holder
                        .foreign_keys()
                        .find(|fk| fk.ref_table == referenced)
                        .map(|fk| {
                            fk.ref_columns
                                .iter()
                                .cloned()
                                .zip(fk.columns.iter().cloned())
                                .collect::<Vec<_>>()
                        })
                };
                let self_ref = target.name == table.name;
                let mut secondary = None;
                let (direction, pairs) = if let Some(name) = &rel.secondary {
                    // The model lowering already turned a Table variable into its name.
                    let association = ir.tables.iter().find(|t| t.name == *name);
                    let pairs_to =
                        |t: &crate::model::ir::Table, referenced: &str| -> Vec<(String, String)> {
                            t.foreign_keys()
                                .filter(|fk| fk.ref_table == referenced)
                                .flat_map(|fk| {
                                    fk.ref_columns
                                        .iter()
                                        .cloned()
                                        .zip(fk.columns.iter().cloned())
                                })
                                .collect()
                        };
                    match association {
                        Some(a) if target.name != table.name => {
                            let local = pairs_to(a, &table.name);
                            let remote = pairs_to(a, &target.name);
                            if local.is_empty() || remote.is_empty() {
                                return Err(OrmError::Mapping(format!(
                                    "Could not determine join condition between parent/child tables on relationship {}.{}: {} needs a foreign key to each side",
                                    mappers[index].class, rel.name, a.name
                                )));
                            }
                            secondary = Some(Secondary {
                                table: a.name.clone(),
                                local,
                                remote,
                                columns: a.columns.iter().map(|c| c.name.clone()).collect(),
                            });
                        }
                        // A self-referential many-to-many (two keys to one table) and an
                        // unknown table: loading refuses, saying so.
                        _ => {}
                    }
                    (Direction::ManyToMany, Vec::new())
                } else if self_ref {
                    let pairs = fk_in(table, &table.name).unwrap_or_default();
                    if rel.collection {
                        (Direction::OneToMany, pairs)
                    } else {
                        (Direction::ManyToOne, pairs)
                    }
                } else if let (Some(pairs), true) = (
                    fk_in(table, &target.name),
                    !rel.collection || fk_in(target, &table.name).is_none(),
                ) {
                    (Direction::ManyToOne, pairs)
                } else if let Some(pairs) = fk_in(target, &table.name) {
                    (Direction::OneToMany, pairs)
                } else {
                    return Err(OrmError::Mapping(format!(
                        "Could not determine join condition between parent/child tables on relationship {}.{}",
                        mappers[index].class, rel.name
                    )));
                };
                mappers[index].relationships.push(RelInfo {
                    secondary,
                    name: rel.name.clone(),
                    target: target_index,
                    collection: rel.collection,
                    direction,
                    pairs,
                    cascade: Cascade::parse(rel.cascade.as_deref()),
                    lazy: rel
                        .lazy
                        .as_deref()
                        .map_or(Strategy::Select, Strategy::from_lazy),
                    passive_deletes: rel
                        .passive_deletes
                        .as_deref()
                        .is_some_and(|p| p.trim() != "False"),
                    back_populates: rel
                        .back_populates
                        .as_ref()
                        .map(|b| b.trim_matches(|c| c == '\'' || c == '"').to_string()),
                });
            }
        }
        Ok(Registry { mappers })
    }

    pub fn index_of(&self, class: &str) -> Result<usize, OrmError> {
        self.mappers
            .iter()
            .position(|m| m.class == class)
            .ok_or_else(|| OrmError::Mapping(format!("class '{class}' is not mapped")))
    }

    /// Mapper indexes in unit-of-work order: a table after the tables its foreign keys
    /// refer to; among tables free at the same step, by class name (SQLAlchemy sorts its
    /// flush actions by the mapper's class name before the topological sort).
    pub fn flush_order(&self) -> Vec<usize> {
        let mut remaining: Vec<usize> = (0..self.mappers.len()).collect();
        remaining.sort_by(|a, b| self.mappers[*a].class.cmp(&self.mappers[*b].class));
        let mut order = Vec::new();
        while !remaining.is_empty() {
            let ready: Vec<usize> = remaining
                .iter()
                .copied()
                .filter(|m| {
                    self.mappers[*m]
                        .depends_on
                        .iter()
                        .all(|dep| !remaining.iter().any(|r| self.mappers[*r].table == *dep))
                })
                .collect();
            // A cycle: take the rest in name order.
            let ready = if ready.is_empty() {
                remaining.clone()
            } else {
                ready
            };
            remaining.retain(|m| !ready.contains(m));
            order.extend(ready);
        }
        order
    }
}
