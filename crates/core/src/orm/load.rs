//! Queries and loader strategies: `select(...)` with joined eager loads, then selectin
//! and subquery loads per relationship (nested through option chains), lazy loads on
//! access, and get by primary key.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::mapper::{Direction, RelInfo, Strategy};
use super::options::{Criterion, OptNode, Select};
use super::session::{rows_of, Instance, ObjId, ObjectState, RelValue, Session};
use super::sql::{entity_columns, LabelStyle, Shape};
use super::value::Value;
use super::{OrmError, Params};
use crate::engine::Database;

/// SQLAlchemy's selectin batch size (`SelectInLoader._chunksize`).
const SELECTIN_CHUNK: usize = 500;
/// How deep default eager loads recurse (a self-referential `lazy='selectin'` stops
/// when a level comes back empty; this bounds it regardless).
const MAX_DEPTH: usize = 8;

/// The parent query of a subquery load: it selects the parent's join columns.
#[derive(Clone, Debug)]
struct Origin {
    /// `SELECT users.id AS users_id \nFROM users WHERE ...`
    inner: String,
    params: Vec<(String, Value)>,
    /// The labels of the columns `inner` selects, by the parent column they carry.
    labels: Vec<(String, String)>,
}

impl Session {
    /// `session.scalars(select)` then `.unique().all()`: the selected objects, in row
    /// order, after the eager loads the options (or the relationships' `lazy=`) ask for.
    pub fn execute(&mut self, db: &mut Database, select: &Select) -> Result<Vec<ObjId>, OrmError> {
        if self.autoflush {
            self.flush(db)?;
        }
        let mapper_index = self.registry.index_of(&select.class)?;
        let mapper = self.registry.mappers[mapper_index].clone();
        let mut root = OptNode::from_options(&select.options);
        root.load_only = select.load_only.clone();
        let mut shape = Shape::default();
        let columns = entity_columns(&mapper, root.load_only.as_deref(), &[]);
        shape.add_entity(
            mapper_index,
            &mapper.table,
            &columns,
            LabelStyle::Disambiguate,
            None,
            root.clone(),
        );
        shape.add_joined(&self.registry, 0, LabelStyle::Disambiguate, 0);

        let mut params: Vec<(String, Value)> = Vec::new();
        let mut where_sql = Vec::new();
        let mut counters: HashMap<String, usize> = HashMap::new();
        let mut bind = |params: &mut Vec<(String, Value)>, base: &str, value: Value| {
            let n = counters.entry(base.to_string()).or_insert(0);
            *n += 1;
            let name = format!("{base}_{n}");
            params.push((name.clone(), value));
            format!("%({name})s")
        };
        for criterion in &select.criteria {
            let (attribute, rendered) = match criterion {
                Criterion::Eq(a, v) => (a, Some(v.clone())),
                Criterion::IsNull(a) | Criterion::IsNotNull(a) => (a, None),
            };
            let column = mapper.column_of_attribute(attribute).ok_or_else(|| {
                OrmError::InvalidRequest(format!(
                    "type object '{}' has no attribute '{attribute}'",
                    mapper.class
                ))
            })?;
            let expr = format!("{}.{}", mapper.table, column.name);
            where_sql.push(match (criterion, rendered) {
                (Criterion::Eq(..), Some(value)) => {
                    let placeholder = bind(&mut params, &column.name, value);
                    format!("{expr} = {placeholder}")
                }
                (Criterion::IsNull(_), _) => format!("{expr} IS NULL"),
                _ => format!("{expr} IS NOT NULL"),
            });
        }
        let mut tail = String::new();
        if !where_sql.is_empty() {
            tail.push_str(&format!(" \nWHERE {}", where_sql.join(" AND ")));
        }
        if !select.order_by.is_empty() {
            let items: Result<Vec<String>, OrmError> = select
                .order_by
                .iter()
                .map(|(attribute, desc)| {
                    let column = mapper.column_of_attribute(attribute).ok_or_else(|| {
                        OrmError::InvalidRequest(format!(
                            "type object '{}' has no attribute '{attribute}'",
                            mapper.class
                        ))
                    })?;
                    Ok(format!(
                        "{}.{}{}",
                        mapper.table,
                        column.name,
                        if *desc { " DESC" } else { "" }
                    ))
                })
                .collect();
            tail.push_str(&format!(" ORDER BY {}", items?.join(", ")));
        }
        // A subquery load repeats the query without its ORDER BY, unless a LIMIT or
        // OFFSET makes the order choose the rows (SQLAlchemy drops it then too).
        let mut inner_tail = if select.limit.is_some() || select.offset.is_some() {
            tail.clone()
        } else if where_sql.is_empty() {
            String::new()
        } else {
            format!(" \nWHERE {}", where_sql.join(" AND "))
        };
        let tail_before_limit = tail.len();
        if let Some(limit) = select.limit {
            let placeholder = bind(&mut params, "param", Value::Int(limit as i64));
            tail.push_str(&format!(" \n LIMIT {placeholder}"));
        }
        if let Some(offset) = select.offset {
            let placeholder = bind(&mut params, "param", Value::Int(offset as i64));
            tail.push_str(&format!(" OFFSET {placeholder}"));
        }
        inner_tail.push_str(&tail[tail_before_limit..]);
        let sql = format!("{}{tail}", shape.sql(&mapper.table));
        let payloads = self.emit(db, sql, params_of(&params), None)?;
        let rows = rows_of(&payloads);
        let top = self.populate(&shape, &rows);

        let pk_labels: Vec<(String, String)> = mapper
            .primary_key
            .iter()
            .map(|c| (c.clone(), format!("{}_{c}", mapper.table)))
            .collect();
        let inner_cols: Vec<String> = pk_labels
            .iter()
            .map(|(c, l)| format!("{}.{c} AS {l}", mapper.table))
            .collect();
        let origin = Origin {
            inner: format!(
                "SELECT {} \nFROM {}{inner_tail}",
                inner_cols.join(", "),
                mapper.table
            ),
            params: params.clone(),
            labels: pk_labels,
        };
        self.post_load(
            db,
            mapper_index,
            &top,
            &root,
            Some(&origin),
            &[mapper_index],
        )?;
        Ok(top)
    }

    /// Turns the rows of `shape` into objects: the first entity's objects (distinct, in
    /// row order), with joined relationships filled.
    fn populate(&mut self, shape: &Shape, rows: &[Vec<Value>]) -> Vec<ObjId> {
        let mut top = Vec::new();
        let mut seen = HashSet::new();
        let mut initialised: HashSet<(ObjId, String)> = HashSet::new();
        for row in rows {
            let mut ids: Vec<Option<ObjId>> = Vec::with_capacity(shape.entities.len());
            for entity in &shape.entities {
                let id = self.materialize(entity.mapper, &entity.cols, row, &entity.node);
                let parent = entity
                    .parent
                    .as_ref()
                    .and_then(|(pe, rel)| ids[*pe].map(|p| (p, rel)));
                if let Some((parent, rel_name)) = parent {
                    let key = (parent, rel_name.clone());
                    let fresh_parent = !self.objects[parent.0].relations.contains_key(rel_name);
                    if fresh_parent || initialised.contains(&key) {
                        let collection = self.registry.mappers[self.objects[parent.0].mapper]
                            .relationship(rel_name)
                            .is_some_and(|r| r.collection);
                        let slot = self.objects[parent.0]
                            .relations
                            .entry(rel_name.clone())
                            .or_insert_with(|| {
                                if collection {
                                    RelValue::Many(Vec::new())
                                } else {
                                    RelValue::One(None)
                                }
                            });
                        initialised.insert(key);
                        match (slot, id) {
                            (RelValue::Many(children), Some(child))
                                if !children.contains(&child) =>
                            {
                                children.push(child)
                            }
                            (RelValue::One(slot), Some(child)) => *slot = Some(child),
                            _ => {}
                        }
                    }
                }
                ids.push(id);
            }
            if let Some(Some(id)) = ids.first() {
                if seen.insert(*id) {
                    top.push(*id);
                }
            }
        }
        top
    }

    /// The object for one row's columns: the identity map's (with columns it lacked filled
    /// in), or a new persistent one. `None` when the primary key is NULL (an outer join's
    /// missing side).
    fn materialize(
        &mut self,
        mapper_index: usize,
        cols: &[(String, usize)],
        row: &[Value],
        node: &OptNode,
    ) -> Option<ObjId> {
        let mapper = &self.registry.mappers[mapper_index];
        let pk: Option<Vec<Value>> = mapper
            .primary_key
            .iter()
            .map(|c| {
                cols.iter()
                    .find(|(name, _)| name == c)
                    .and_then(|(_, at)| row.get(*at).cloned())
                    .filter(|v| !v.is_null())
            })
            .collect();
        let pk = pk?;
        let key = Session::identity_key(&mapper.class, &pk);
        let values: BTreeMap<String, Value> = cols
            .iter()
            .filter_map(|(name, at)| row.get(*at).map(|v| (name.clone(), v.clone())))
            .collect();
        let lazy: BTreeMap<String, Strategy> = mapper
            .relationships
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    node.child(&r.name)
                        .and_then(|n| n.strategy)
                        .unwrap_or(r.lazy),
                )
            })
            .collect();
        let options: BTreeMap<String, OptNode> = node
            .children
            .iter()
            .filter(|(_, child)| !child.children.is_empty() || child.load_only.is_some())
            .cloned()
            .collect();
        if let Some(id) = self.identity.get(&key).copied() {
            let object = &mut self.objects[id.0];
            for (name, value) in values {
                if !object.committed.contains_key(&name) {
                    object.committed.insert(name.clone(), value.clone());
                    object.values.entry(name).or_insert(value);
                }
            }
            for (rel, strategy) in lazy {
                if !object.relations.contains_key(&rel) {
                    object.lazy.insert(rel, strategy);
                }
            }
            for (rel, options) in options {
                if !object.relations.contains_key(&rel) {
                    object.options.insert(rel, options);
                }
            }
            return Some(id);
        }
        let id = ObjId(self.objects.len());
        self.objects.push(Instance {
            class: mapper.class.clone(),
            mapper: mapper_index,
            committed: values.clone(),
            values,
            state: ObjectState::Persistent,
            relations: BTreeMap::new(),
            lazy,
            options,
            insert_order: 0,
        });
        self.identity.insert(key, id);
        Some(id)
    }

    /// Runs the eager loads that follow a query (selectin, subquery), level by level,
    /// and marks the rest for loading on access. `path` holds the mappers loaded on the
    /// way here, `mapper_index` last.
    fn post_load(
        &mut self,
        db: &mut Database,
        mapper_index: usize,
        parents: &[ObjId],
        node: &OptNode,
        origin: Option<&Origin>,
        path: &[usize],
    ) -> Result<(), OrmError> {
        if parents.is_empty() || path.len() > MAX_DEPTH {
            return Ok(());
        }
        let rels = self.registry.mappers[mapper_index].relationships.clone();
        for rel in rels {
            let child_node = node.child(&rel.name).cloned().unwrap_or_default();
            // A relationship's own `lazy=` eager strategy stops where its target mapper
            // is already on the path (SQLAlchemy: "eager loaders stop chaining when they
            // encounter the same target mapper already higher up in the chain"); the
            // objects load on access instead. Options given in the query still apply.
            let strategy = match child_node.strategy {
                Some(chosen) => chosen,
                None if path.contains(&rel.target) => Strategy::Select,
                None => rel.lazy,
            };
            let child_path: Vec<usize> = path.iter().copied().chain([rel.target]).collect();
            let many_to_many = rel.direction == Direction::ManyToMany;
            match strategy {
                Strategy::Joined => {
                    if many_to_many && rel.secondary.is_none() {
                        return Err(OrmError::InvalidRequest(format!(
                            "joined loading of {}.{} goes through a table the emulation cannot read",
                            self.registry.mappers[mapper_index].class, rel.name
                        )));
                    }
                    // The rows came with the parent query; what is left is their own loads.
                    let children: Vec<ObjId> = parents
                        .iter()
                        .flat_map(|p| self.loaded_related(*p, &rel.name))
                        .collect();
                    self.post_load(
                        db,
                        rel.target,
                        &dedup(children),
                        &child_node,
                        None,
                        &child_path,
                    )?;
                }
                Strategy::Subquery if origin.is_some() => {
                    let origin = origin.expect("checked");
                    let (children, next) = self.subquery(db, parents, &rel, &child_node, origin)?;
                    self.post_load(
                        db,
                        rel.target,
                        &children,
                        &child_node,
                        Some(&next),
                        &child_path,
                    )?;
                }
                // A subquery load below a loader with no parent query loads as selectin.
                Strategy::Selectin | Strategy::Subquery => {
                    let children = if many_to_many {
                        self.selectin_many_to_many(db, mapper_index, parents, &rel, &child_node)?
                    } else {
                        self.selectin(db, parents, &rel, &child_node)?
                    };
                    self.post_load(db, rel.target, &children, &child_node, None, &child_path)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The select list and joins of a loader query for `rel`'s target.
    fn loader_shape(&self, rel: &RelInfo, node: &OptNode) -> Shape {
        let required = self.join_columns(rel);
        let target = &self.registry.mappers[rel.target];
        let columns = entity_columns(target, node.load_only.as_deref(), &required);
        self.shape_of(rel, node, columns)
    }

    /// The target's columns a loader matches rows by: the foreign key of a one-to-many.
    fn join_columns(&self, rel: &RelInfo) -> Vec<String> {
        match rel.direction {
            Direction::OneToMany => rel.pairs.iter().map(|(_, fk)| fk.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// A selectin loader's shape: SQLAlchemy selects the columns it matches by first
    /// (`leading`: the foreign key of a one-to-many, the key of a many-to-one), then the
    /// target's other columns in mapper order.
    fn selectin_shape(&self, rel: &RelInfo, node: &OptNode, leading: &[String]) -> Shape {
        let target = &self.registry.mappers[rel.target];
        let rest = entity_columns(target, node.load_only.as_deref(), leading);
        let columns: Vec<String> = leading
            .iter()
            .cloned()
            .chain(rest.into_iter().filter(|c| !leading.contains(c)))
            .collect();
        self.shape_of(rel, node, columns)
    }

    fn shape_of(&self, rel: &RelInfo, node: &OptNode, columns: Vec<String>) -> Shape {
        let target = &self.registry.mappers[rel.target];
        let mut shape = Shape::default();
        shape.add_entity(
            rel.target,
            &target.table,
            &columns,
            LabelStyle::TablePlusColumn,
            None,
            node.clone(),
        );
        shape.add_joined(&self.registry, 0, LabelStyle::TablePlusColumn, 0);
        shape
    }

    /// `selectinload`: `WHERE child.fk IN (parent keys)` (one-to-many) or
    /// `WHERE target.pk IN (foreign keys)` (many-to-one), 500 keys per statement.
    fn selectin(
        &mut self,
        db: &mut Database,
        parents: &[ObjId],
        rel: &RelInfo,
        node: &OptNode,
    ) -> Result<Vec<ObjId>, OrmError> {
        let [(referenced, fk)] = rel.pairs.as_slice() else {
            return Err(OrmError::InvalidRequest(format!(
                "selectin loading over a composite join ({}) is not emulated",
                rel.name
            )));
        };
        let target_table = self.registry.mappers[rel.target].table.clone();
        let target_class = self.registry.mappers[rel.target].class.clone();
        let pending: Vec<ObjId> = parents
            .iter()
            .copied()
            .filter(|p| !self.objects[p.0].relations.contains_key(&rel.name))
            .collect();
        let mut loaded = Vec::new();
        match rel.direction {
            Direction::OneToMany => {
                // Parent key -> parents.
                let mut by_key: Vec<(Value, ObjId)> = Vec::new();
                for p in &pending {
                    self.objects[p.0]
                        .relations
                        .insert(rel.name.clone(), RelValue::Many(Vec::new()));
                    if let Some(v) = self.objects[p.0]
                        .values
                        .get(referenced)
                        .filter(|v| !v.is_null())
                    {
                        by_key.push((v.clone(), *p));
                    }
                }
                for chunk in by_key.chunks(SELECTIN_CHUNK) {
                    let shape = self.selectin_shape(rel, node, &self.join_columns(rel));
                    let (placeholders, params) = in_list(chunk.iter().map(|(v, _)| v.clone()));
                    let sql = format!(
                        "{} \nWHERE {target_table}.{fk} IN ({placeholders})",
                        shape.sql(&target_table)
                    );
                    let payloads = self.emit(db, sql, Params::One(params), None)?;
                    let rows = rows_of(&payloads);
                    let fk_at = shape.entities[0]
                        .cols
                        .iter()
                        .find(|(c, _)| c == fk)
                        .map(|(_, at)| *at);
                    let children = self.populate(&shape, &rows);
                    for (child, row) in children_with_rows(&shape, &rows, &children, self) {
                        let key = fk_at.and_then(|at| row.get(at)).map(Value::key_text);
                        for (value, parent) in chunk {
                            if Some(value.key_text()) == key {
                                if let Some(RelValue::Many(list)) =
                                    self.objects[parent.0].relations.get_mut(&rel.name)
                                {
                                    if !list.contains(&child) {
                                        list.push(child);
                                    }
                                }
                            }
                        }
                    }
                    loaded.extend(children);
                }
            }
            _ => {
                let mut keys: Vec<Value> = Vec::new();
                let mut waiting: Vec<(ObjId, Value)> = Vec::new();
                for p in &pending {
                    match self.objects[p.0]
                        .values
                        .get(fk)
                        .filter(|v| !v.is_null())
                        .cloned()
                    {
                        None => {
                            self.objects[p.0]
                                .relations
                                .insert(rel.name.clone(), RelValue::One(None));
                        }
                        Some(v) => {
                            if let Some(target) =
                                self.identity_lookup(&target_class, std::slice::from_ref(&v))
                            {
                                self.objects[p.0]
                                    .relations
                                    .insert(rel.name.clone(), RelValue::One(Some(target)));
                                loaded.push(target);
                            } else {
                                if !keys.iter().any(|k| k.key_text() == v.key_text()) {
                                    keys.push(v.clone());
                                }
                                waiting.push((*p, v));
                            }
                        }
                    }
                }
                for chunk in keys.chunks(SELECTIN_CHUNK) {
                    // SQLAlchemy selects the key it matches by first.
                    let shape = self.selectin_shape(rel, node, std::slice::from_ref(referenced));
                    let (placeholders, params) = in_list(chunk.iter().cloned());
                    let sql = format!(
                        "{} \nWHERE {target_table}.{referenced} IN ({placeholders})",
                        shape.sql(&target_table)
                    );
                    let payloads = self.emit(db, sql, Params::One(params), None)?;
                    let children = self.populate(&shape, &rows_of(&payloads));
                    loaded.extend(children);
                }
                for (p, v) in waiting {
                    let target = self.identity_lookup(&target_class, std::slice::from_ref(&v));
                    self.objects[p.0]
                        .relations
                        .insert(rel.name.clone(), RelValue::One(target));
                }
            }
        }
        Ok(dedup(loaded))
    }

    /// `subqueryload`: the parent query again, as `anon_1`, joined to the target.
    fn subquery(
        &mut self,
        db: &mut Database,
        parents: &[ObjId],
        rel: &RelInfo,
        node: &OptNode,
        origin: &Origin,
    ) -> Result<(Vec<ObjId>, Origin), OrmError> {
        let target = self.registry.mappers[rel.target].clone();
        let mut shape = self.loader_shape(rel, node);
        // (parent column, target or association column it joins): a many-to-many joins
        // the association table first, then the target through it.
        let (joins, association): (Vec<(String, String)>, Option<String>) =
            match (&rel.secondary, rel.direction) {
                (Some(secondary), Direction::ManyToMany) => {
                    let association = format!("{}_1", secondary.table);
                    let joins = secondary
                        .local
                        .iter()
                        .map(|(own, local)| (own.clone(), format!("{association}.{local}")))
                        .collect();
                    (joins, Some(association))
                }
                (None, Direction::ManyToMany) => {
                    return Err(OrmError::InvalidRequest(format!(
                        "subquery loading of {} goes through a table the emulation cannot read",
                        rel.name
                    )))
                }
                (_, Direction::OneToMany) => (
                    rel.pairs
                        .iter()
                        .map(|(referenced, fk)| {
                            (referenced.clone(), format!("{}.{fk}", target.table))
                        })
                        .collect(),
                    None,
                ),
                _ => (
                    rel.pairs
                        .iter()
                        .map(|(referenced, fk)| {
                            (fk.clone(), format!("{}.{referenced}", target.table))
                        })
                        .collect(),
                    None,
                ),
            };
        // Which origin label carries which join column.
        let mut on = Vec::new();
        let mut key_positions = Vec::new();
        for (parent_col, joined) in &joins {
            let Some((_, label)) = origin.labels.iter().find(|(c, _)| c == parent_col) else {
                return Err(OrmError::InvalidRequest(format!(
                    "subquery loading of {} needs {parent_col} in the parent query",
                    rel.name
                )));
            };
            let at = shape.push_column("anon_1", label, LabelStyle::TablePlusColumn);
            key_positions.push((parent_col.clone(), at));
            on.push(format!("anon_1.{label} = {joined}"));
        }
        let inner = bump_anon(&origin.inner);
        let from = match (&rel.secondary, association) {
            (Some(secondary), Some(association)) => {
                let through: Vec<String> = secondary
                    .remote
                    .iter()
                    .map(|(theirs, remote)| {
                        format!("{}.{theirs} = {association}.{remote}", target.table)
                    })
                    .collect();
                format!(
                    "({inner}) AS anon_1 JOIN {} AS {association} ON {} JOIN {} ON {}",
                    secondary.table,
                    on.join(" AND "),
                    target.table,
                    through.join(" AND ")
                )
            }
            _ => format!(
                "({inner}) AS anon_1 JOIN {} ON {}",
                target.table,
                on.join(" AND ")
            ),
        };
        let sql = shape.sql(&from);
        let payloads = self.emit(db, sql, params_of(&origin.params), None)?;
        let rows = rows_of(&payloads);
        for p in parents {
            if !self.objects[p.0].relations.contains_key(&rel.name) {
                let empty = if rel.collection {
                    RelValue::Many(Vec::new())
                } else {
                    RelValue::One(None)
                };
                self.objects[p.0].relations.insert(rel.name.clone(), empty);
            }
        }
        let children = self.populate(&shape, &rows);
        for (child, row) in children_with_rows(&shape, &rows, &children, self) {
            let key: Vec<String> = key_positions
                .iter()
                .map(|(_, at)| row.get(*at).map(Value::key_text).unwrap_or_default())
                .collect();
            for p in parents {
                let parent_key: Vec<String> = key_positions
                    .iter()
                    .map(|(c, _)| {
                        self.objects[p.0]
                            .values
                            .get(c)
                            .map(Value::key_text)
                            .unwrap_or_default()
                    })
                    .collect();
                if parent_key == key {
                    match self.objects[p.0].relations.get_mut(&rel.name) {
                        Some(RelValue::Many(list)) if !list.contains(&child) => list.push(child),
                        Some(RelValue::One(slot)) => *slot = Some(child),
                        _ => {}
                    }
                }
            }
        }
        // The next level's origin: this level's query selecting the target's keys.
        let labels: Vec<(String, String)> = target
            .columns
            .iter()
            .map(|c| (c.name.clone(), format!("{}_{}", target.table, c.name)))
            .collect();
        let cols: Vec<String> = labels
            .iter()
            .map(|(c, l)| format!("{}.{c} AS {l}", target.table))
            .collect();
        let next = Origin {
            inner: format!("SELECT {} \nFROM {from}", cols.join(", ")),
            params: origin.params.clone(),
            labels,
        };
        Ok((children, next))
    }

    /// A lazy load on access: `WHERE %(param_1)s = orders.user_id` for a collection, the
    /// identity map or `WHERE users.id = %(pk_1)s` for a many-to-one.
    pub(crate) fn lazy_load(
        &mut self,
        db: &mut Database,
        id: ObjId,
        rel: &RelInfo,
    ) -> Result<(), OrmError> {
        let target = self.registry.mappers[rel.target].clone();
        match rel.direction {
            Direction::OneToMany => {
                let node = self.objects[id.0]
                    .options
                    .get(&rel.name)
                    .cloned()
                    .unwrap_or_default();
                let shape = self.loader_shape(rel, &node);
                let (conditions, params) =
                    self.parent_key_conditions(id, &rel.pairs, &target.table);
                self.lazy_collection(
                    db,
                    id,
                    rel,
                    &node,
                    &shape,
                    &target.table,
                    &conditions,
                    params,
                )
            }
            Direction::ManyToOne => {
                let fk: Option<Vec<Value>> = rel
                    .pairs
                    .iter()
                    .map(|(_, fk)| {
                        self.objects[id.0]
                            .values
                            .get(fk)
                            .filter(|v| !v.is_null())
                            .cloned()
                    })
                    .collect();
                let found = match fk {
                    None => None,
                    Some(fk) => match self.identity_lookup(&target.class, &fk) {
                        Some(found) => Some(found),
                        None => {
                            let parent = self.objects[id.0].mapper;
                            self.load_by_primary_key(db, rel.target, &fk, &[parent])?
                        }
                    },
                };
                self.objects[id.0]
                    .relations
                    .insert(rel.name.clone(), RelValue::One(found));
                Ok(())
            }
            Direction::ManyToMany => {
                // `FROM categories, product_categories WHERE %(param_1)s =
                // product_categories.product_id AND categories.id = ...category_id`.
                let secondary = self.secondary_of(id, rel)?;
                let node = self.objects[id.0]
                    .options
                    .get(&rel.name)
                    .cloned()
                    .unwrap_or_default();
                let shape = self.loader_shape(rel, &node);
                let (mut conditions, params) =
                    self.parent_key_conditions(id, &secondary.local, &secondary.table);
                for (theirs, column) in &secondary.remote {
                    conditions.push(format!(
                        "{}.{theirs} = {}.{column}",
                        target.table, secondary.table
                    ));
                }
                let from = format!("{}, {}", target.table, secondary.table);
                self.lazy_collection(db, id, rel, &node, &shape, &from, &conditions, params)
            }
        }
    }

    /// Runs a collection's lazy load (`SELECT ... FROM from WHERE conditions`), stores the
    /// children on `id` and runs their own eager loads.
    #[allow(clippy::too_many_arguments)]
    fn lazy_collection(
        &mut self,
        db: &mut Database,
        id: ObjId,
        rel: &RelInfo,
        node: &OptNode,
        shape: &Shape,
        from: &str,
        conditions: &[String],
        params: Vec<(String, Value)>,
    ) -> Result<(), OrmError> {
        let sql = format!("{} \nWHERE {}", shape.sql(from), conditions.join(" AND "));
        let payloads = self.emit(db, sql, Params::One(params), None)?;
        let children = self.populate(shape, &rows_of(&payloads));
        self.objects[id.0]
            .relations
            .insert(rel.name.clone(), RelValue::Many(children.clone()));
        let parent = self.objects[id.0].mapper;
        self.post_load(db, rel.target, &children, node, None, &[parent, rel.target])
    }

    /// A lazy load's `%(param_1)s = table.column` per (parent column, referring column),
    /// bound to the parent's values.
    fn parent_key_conditions(
        &self,
        id: ObjId,
        pairs: &[(String, String)],
        table: &str,
    ) -> (Vec<String>, Vec<(String, Value)>) {
        pairs
            .iter()
            .enumerate()
            .map(|(n, (own, column))| {
                let name = format!("param_{}", n + 1);
                let value = self.objects[id.0]
                    .values
                    .get(own)
                    .cloned()
                    .unwrap_or(Value::Null);
                (format!("%({name})s = {table}.{column}"), (name, value))
            })
            .unzip()
    }

    fn secondary_of(&self, id: ObjId, rel: &RelInfo) -> Result<super::mapper::Secondary, OrmError> {
        rel.secondary.clone().ok_or_else(|| {
            OrmError::InvalidRequest(format!(
                "{}.{} goes through a table the emulation cannot read (a self-referential or unknown secondary)",
                self.objects[id.0].class, rel.name
            ))
        })
    }

    /// `selectinload` of a many-to-many: the parents' keys through the association table,
    /// `FROM products AS products_1 JOIN product_categories AS product_categories_1 ON ...
    /// JOIN categories ON ... WHERE products_1.id IN (...)`, 500 keys per statement.
    fn selectin_many_to_many(
        &mut self,
        db: &mut Database,
        mapper_index: usize,
        parents: &[ObjId],
        rel: &RelInfo,
        node: &OptNode,
    ) -> Result<Vec<ObjId>, OrmError> {
        let Some(&first) = parents.first() else {
            return Ok(Vec::new());
        };
        let secondary = self.secondary_of(first, rel)?;
        let ([(own, local)], [(theirs, remote)]) =
            (secondary.local.as_slice(), secondary.remote.as_slice())
        else {
            return Err(OrmError::InvalidRequest(format!(
                "selectin loading over a composite association key ({}) is not emulated",
                rel.name
            )));
        };
        let parent_table = self.registry.mappers[mapper_index].table.clone();
        let target = self.registry.mappers[rel.target].clone();
        let alias = format!("{parent_table}_1");
        let association = format!("{}_1", secondary.table);
        let mut by_key: Vec<(Value, ObjId)> = Vec::new();
        for p in parents {
            if self.objects[p.0].relations.contains_key(&rel.name) {
                continue;
            }
            self.objects[p.0]
                .relations
                .insert(rel.name.clone(), RelValue::Many(Vec::new()));
            if let Some(v) = self.objects[p.0].values.get(own).filter(|v| !v.is_null()) {
                by_key.push((v.clone(), *p));
            }
        }
        let mut loaded = Vec::new();
        for chunk in by_key.chunks(SELECTIN_CHUNK) {
            let mut shape = Shape::default();
            let key_at = shape.push_column(&alias, own, LabelStyle::TablePlusColumn);
            let columns = entity_columns(&target, node.load_only.as_deref(), &[]);
            shape.add_entity(
                rel.target,
                &target.table,
                &columns,
                LabelStyle::TablePlusColumn,
                None,
                node.clone(),
            );
            let from = format!(
                "{parent_table} AS {alias} JOIN {table} AS {association} ON {alias}.{own} = {association}.{local} JOIN {t} ON {t}.{theirs} = {association}.{remote}",
                table = secondary.table,
                t = target.table,
            );
            let (placeholders, params) = in_list(chunk.iter().map(|(v, _)| v.clone()));
            let sql = format!(
                "{} \nWHERE {alias}.{own} IN ({placeholders})",
                shape.sql(&from)
            );
            let payloads = self.emit(db, sql, params_of(&params), None)?;
            let rows = rows_of(&payloads);
            let children = self.populate(&shape, &rows);
            for (child, row) in children_with_rows(&shape, &rows, &children, self) {
                let key = row[key_at].key_text();
                for (v, p) in chunk {
                    if v.key_text() == key {
                        if let Some(RelValue::Many(list)) =
                            self.objects[p.0].relations.get_mut(&rel.name)
                        {
                            if !list.contains(&child) {
                                list.push(child);
                            }
                        }
                    }
                }
            }
            loaded.extend(children);
        }
        Ok(dedup(loaded))
    }

    /// `SELECT ... FROM t WHERE t.id = %(pk_1)s`, then the class's default eager loads.
    /// `session.get()` (an empty `loaded_from`) or a lazy many-to-one load from the
    /// mappers in `loaded_from`.
    pub(crate) fn load_by_primary_key(
        &mut self,
        db: &mut Database,
        mapper_index: usize,
        pk: &[Value],
        loaded_from: &[usize],
    ) -> Result<Option<ObjId>, OrmError> {
        let mapper = self.registry.mappers[mapper_index].clone();
        let mut shape = Shape::default();
        let columns = entity_columns(&mapper, None, &[]);
        shape.add_entity(
            mapper_index,
            &mapper.table,
            &columns,
            LabelStyle::TablePlusColumn,
            None,
            OptNode::default(),
        );
        shape.add_joined(&self.registry, 0, LabelStyle::TablePlusColumn, 0);
        let mut params = Vec::new();
        let mut conditions = Vec::new();
        for (n, (column, value)) in mapper.primary_key.iter().zip(pk).enumerate() {
            let name = format!("pk_{}", n + 1);
            conditions.push(format!("{}.{column} = %({name})s", mapper.table));
            params.push((name, value.clone()));
        }
        let sql = format!(
            "{} \nWHERE {}",
            shape.sql(&mapper.table),
            conditions.join(" AND ")
        );
        let payloads = self.emit(db, sql, Params::One(params), None)?;
        let found = self.populate(&shape, &rows_of(&payloads));
        let path: Vec<usize> = loaded_from.iter().copied().chain([mapper_index]).collect();
        self.post_load(db, mapper_index, &found, &OptNode::default(), None, &path)?;
        Ok(found.first().copied())
    }
}

fn params_of(params: &[(String, Value)]) -> Params {
    if params.is_empty() {
        Params::None
    } else {
        Params::One(params.to_vec())
    }
}

/// `%(primary_keys_1)s, %(primary_keys_2)s, ...` (SQLAlchemy's expanding IN parameter).
fn in_list(values: impl Iterator<Item = Value>) -> (String, Vec<(String, Value)>) {
    let params: Vec<(String, Value)> = values
        .enumerate()
        .map(|(n, v)| (format!("primary_keys_{}", n + 1), v))
        .collect();
    let placeholders: Vec<String> = params.iter().map(|(k, _)| format!("%({k})s")).collect();
    (placeholders.join(", "), params)
}

/// Each row's first-entity object with the row, for rows whose object is in `children`.
fn children_with_rows<'a>(
    shape: &Shape,
    rows: &'a [Vec<Value>],
    children: &[ObjId],
    session: &Session,
) -> Vec<(ObjId, &'a Vec<Value>)> {
    let entity = &shape.entities[0];
    let mapper = &session.registry.mappers[entity.mapper];
    rows.iter()
        .filter_map(|row| {
            let pk: Option<Vec<Value>> = mapper
                .primary_key
                .iter()
                .map(|c| {
                    entity
                        .cols
                        .iter()
                        .find(|(n, _)| n == c)
                        .and_then(|(_, at)| row.get(*at).cloned())
                })
                .collect();
            let id = session.identity_lookup(&mapper.class, &pk?)?;
            children.contains(&id).then_some((id, row))
        })
        .collect()
}

fn dedup(ids: Vec<ObjId>) -> Vec<ObjId> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

/// Renumbers `anon_N` to `anon_{N+1}` (highest first), so a nested subquery load's
/// outer alias can be `anon_1`.
fn bump_anon(sql: &str) -> String {
    let mut out = sql.to_string();
    for n in (1..=9).rev() {
        out = out.replace(&format!("anon_{n}"), &format!("anon_{}", n + 1));
    }
    out
}
