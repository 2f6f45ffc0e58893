//! The unit of work: before_flush hooks, save-update and delete-orphan cascades, foreign
//! keys synchronised from parents, Python-side defaults and onupdate, then INSERT and
//! UPDATE per class parents first, and DELETE children first.

use super::mapper::{Direction, Mapper};
use super::session::{inline, rows_of, FlushSets, ObjId, ObjectState, RelValue, Session};
use super::value::Value;
use super::{OrmError, Params};
use crate::engine::Database;
use crate::model::ir::{DefaultValue, KnownCallable, Literal};

/// One statement's parameters, by name.
type ParamSet = Vec<(String, Value)>;

/// psycopg2's insertmanyvalues page size in SQLAlchemy 2.0.
const INSERT_PAGE: usize = 1000;

/// One association-table row: (column, value) in the table's column order.
type AssociationRow = Vec<(String, Value)>;

impl Session {
    fn has_changes(&self) -> bool {
        !self.new.is_empty()
            || !self.deleted.is_empty()
            || !self.removed.is_empty()
            || !self.links.is_empty()
            || self.identity.values().any(|id| self.is_dirty(*id))
    }

    /// `session.flush()`.
    pub fn flush(&mut self, db: &mut Database) -> Result<(), OrmError> {
        // `order.user = other` changes no column until the key is synchronised: do it
        // first, so the object counts as dirty (SQLAlchemy's session.dirty has it too).
        self.sync_foreign_keys();
        if !self.has_changes() {
            return Ok(());
        }
        let sets = FlushSets {
            new: self.new.clone(),
            dirty: self.dirty_objects(),
            deleted: self.deleted.clone(),
        };
        self.run_hooks(&sets);

        // save-update cascade from everything in the session.
        let roots: Vec<ObjId> = self
            .new
            .iter()
            .chain(self.identity.values())
            .copied()
            .collect();
        for root in roots {
            self.add(root);
        }
        self.process_orphans(db)?;
        self.null_children_of_deleted();

        let order = self.registry.flush_order();
        let mut inserted = Vec::new();
        let mut updated = Vec::new();
        for &m in &order {
            self.sync_foreign_keys();
            updated.extend(self.emit_updates(db, m)?);
            inserted.extend(self.emit_inserts(db, m)?);
        }
        self.emit_links(db)?;
        for &m in order.iter().rev() {
            self.emit_deletes(db, m)?;
        }

        self.tx_inserted.extend(inserted.iter().copied());
        for id in &updated {
            let original = self.objects[id.0].committed.clone();
            self.tx_original.entry(*id).or_insert(original);
        }
        for id in inserted.into_iter().chain(updated) {
            let object = &mut self.objects[id.0];
            object.state = ObjectState::Persistent;
            object.committed = object.values.clone();
            if let Some(pk) = self.primary_key(id) {
                let key = Session::identity_key(&self.objects[id.0].class, &pk);
                self.identity.insert(key, id);
            }
        }
        for id in std::mem::take(&mut self.deleted) {
            if let Some(pk) = self.primary_key(id) {
                self.identity
                    .remove(&Session::identity_key(&self.objects[id.0].class, &pk));
            }
            self.objects[id.0].state = ObjectState::Detached;
            self.tx_deleted.push(id);
        }
        self.new.clear();
        Ok(())
    }

    /// The association rows of many-to-many changes: per association table, one DELETE
    /// (an executemany for several rows), then one INSERT, as SQLAlchemy's
    /// ManyToManyDP sends them, each row once.
    fn emit_links(&mut self, db: &mut Database) -> Result<(), OrmError> {
        let links = std::mem::take(&mut self.links);
        // (association table, appended) -> rows, in first-seen order.
        let mut batches: Vec<((String, bool), Vec<AssociationRow>)> = Vec::new();
        for (parent, relationship, child, appended) in links {
            let mapper = &self.registry.mappers[self.objects[parent.0].mapper];
            let Some(rel) = mapper.relationship(&relationship) else {
                continue;
            };
            let Some(secondary) = rel.secondary.clone() else {
                continue;
            };
            let mut row: Vec<(String, Value)> = Vec::new();
            for (own, column) in &secondary.local {
                let v = self.objects[parent.0]
                    .values
                    .get(own)
                    .cloned()
                    .unwrap_or(Value::Null);
                row.push((column.clone(), v));
            }
            for (theirs, column) in &secondary.remote {
                let v = self.objects[child.0]
                    .values
                    .get(theirs)
                    .cloned()
                    .unwrap_or(Value::Null);
                row.push((column.clone(), v));
            }
            // The association table's column order, whichever side the change came from.
            row.sort_by_key(|(c, _)| secondary.columns.iter().position(|x| x == c));
            let key = (secondary.table.clone(), appended);
            match batches.iter_mut().find(|(k, _)| *k == key) {
                Some((_, rows)) if rows.contains(&row) => {}
                Some((_, rows)) => rows.push(row),
                None => batches.push((key, vec![row])),
            }
        }
        batches.sort_by_key(|((_, appended), _)| *appended);
        for ((table, appended), rows) in batches {
            let columns: Vec<String> = rows[0].iter().map(|(c, _)| c.clone()).collect();
            let sql = if appended {
                format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    columns.join(", "),
                    columns
                        .iter()
                        .map(|c| format!("%({c})s"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!(
                    "DELETE FROM {table} WHERE {}",
                    columns
                        .iter()
                        .map(|c| format!("{table}.{c} = %({c})s"))
                        .collect::<Vec<_>>()
                        .join(" AND ")
                )
            };
            let params = if rows.len() == 1 {
                Params::One(rows.into_iter().next().expect("one row"))
            } else {
                Params::Many(rows)
            };
            self.emit(db, sql, params, None)?;
        }
        Ok(())
    }

    /// Children removed from a collection: deleted with delete-orphan, else their
    /// foreign key is set to NULL (unless they went to another parent).
    fn process_orphans(&mut self, db: &mut Database) -> Result<(), OrmError> {
        for (parent, rel_name, child) in std::mem::take(&mut self.removed) {
            let mapper = &self.registry.mappers[self.objects[parent.0].mapper];
            let Some(rel) = mapper.relationship(&rel_name).cloned() else {
                continue;
            };
            let reattached = self.objects.iter().any(|o| {
                o.relations
                    .get(&rel_name)
                    .is_some_and(|r| matches!(r, RelValue::Many(c) if c.contains(&child)))
            });
            if reattached {
                continue;
            }
            if rel.cascade.delete_orphan {
                self.delete(db, child)?;
            } else if rel.direction == Direction::OneToMany
                && self.objects[child.0].state == ObjectState::Persistent
            {
                for (_, fk) in &rel.pairs {
                    self.objects[child.0].values.insert(fk.clone(), Value::Null);
                }
            }
        }
        Ok(())
    }

    /// A deleted parent's loaded children without delete cascade get a NULL foreign key.
    fn null_children_of_deleted(&mut self) {
        for parent in self.deleted.clone() {
            let mapper = self.registry.mappers[self.objects[parent.0].mapper].clone();
            for rel in mapper
                .relationships
                .iter()
                .filter(|r| r.direction == Direction::OneToMany && !r.cascade.delete)
            {
                for child in self.loaded_related(parent, &rel.name) {
                    if self.objects[child.0].state == ObjectState::Persistent {
                        for (_, fk) in &rel.pairs {
                            self.objects[child.0].values.insert(fk.clone(), Value::Null);
                        }
                    }
                }
            }
        }
    }

    /// Copies parents' keys into their children's foreign-key columns.
    fn sync_foreign_keys(&mut self) {
        let mut assignments: Vec<(ObjId, String, Value)> = Vec::new();
        for (index, object) in self.objects.iter().enumerate() {
            if !matches!(object.state, ObjectState::Pending | ObjectState::Persistent) {
                continue;
            }
            let mapper = &self.registry.mappers[object.mapper];
            for rel in &mapper.relationships {
                match (rel.direction, object.relations.get(&rel.name)) {
                    (Direction::OneToMany, Some(RelValue::Many(children))) => {
                        for child in children {
                            if self.objects[child.0].state == ObjectState::Deleted {
                                continue;
                            }
                            for (referenced, fk) in &rel.pairs {
                                if let Some(v) = object.values.get(referenced) {
                                    assignments.push((*child, fk.clone(), v.clone()));
                                }
                            }
                        }
                    }
                    // A one-to-one held from the side without the key: the target's key.
                    (Direction::OneToMany, Some(RelValue::One(Some(child))))
                        if self.objects[child.0].state != ObjectState::Deleted =>
                    {
                        for (referenced, fk) in &rel.pairs {
                            if let Some(v) = object.values.get(referenced) {
                                assignments.push((*child, fk.clone(), v.clone()));
                            }
                        }
                    }
                    (Direction::ManyToOne, Some(RelValue::One(Some(target)))) => {
                        for (referenced, fk) in &rel.pairs {
                            if let Some(v) = self.objects[target.0].values.get(referenced) {
                                assignments.push((ObjId(index), fk.clone(), v.clone()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for (id, column, value) in assignments {
            if self.objects[id.0].values.get(&column) != Some(&value) {
                self.objects[id.0].values.insert(column, value);
            }
        }
    }

    fn evaluate(&mut self, default: &DefaultValue) -> Option<Value> {
        match default {
            DefaultValue::Literal(Literal::Str(s)) => Some(Value::Str(s.clone())),
            DefaultValue::Literal(Literal::Number(n)) => Some(match n.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => n
                    .parse::<f64>()
                    .map_or_else(|_| Value::Str(n.clone()), Value::Float),
            }),
            DefaultValue::Literal(Literal::Bool(b)) => Some(Value::Bool(*b)),
            DefaultValue::Literal(Literal::None) => Some(Value::Null),
            DefaultValue::Known(KnownCallable::Uuid4 | KnownCallable::Uuid4String) => {
                Some(Value::Str(self.uuids.next_uuid()))
            }
            DefaultValue::Known(KnownCallable::NowUtc) => {
                Some(Value::Timestamp(self.clock.now_utc()))
            }
            DefaultValue::Known(KnownCallable::NowLocal) => {
                Some(Value::Timestamp(self.clock.now_local()))
            }
            DefaultValue::Opaque => None,
        }
    }

    /// INSERTs of the class's pending objects, in the order added; consecutive objects
    /// with the same columns share one multi-row INSERT (psycopg2's insertmanyvalues).
    fn emit_inserts(&mut self, db: &mut Database, m: usize) -> Result<Vec<ObjId>, OrmError> {
        let mapper = self.registry.mappers[m].clone();
        let mut pending: Vec<ObjId> = self
            .new
            .iter()
            .copied()
            .filter(|id| {
                self.objects[id.0].mapper == m && self.objects[id.0].state == ObjectState::Pending
            })
            .collect();
        pending.sort_by_key(|id| self.objects[id.0].insert_order);
        // A self-referential mapper inserts in levels: the rows whose parent is not
        // pending first, then their children (whose keys need the parents'), as the unit
        // of work's per-row sort does; one level is one batch.
        for level in self.self_referential_levels(&mapper, m, &pending) {
            self.sync_foreign_keys();
            let prepared: Vec<(ObjId, Vec<String>, Vec<String>)> = level
                .iter()
                .map(|id| self.prepare_insert(&mapper, *id))
                .collect();
            let mut start = 0;
            while start < prepared.len() {
                let mut end = start + 1;
                while end < prepared.len()
                    && end - start < INSERT_PAGE
                    && prepared[end].1 == prepared[start].1
                    && prepared[end].2 == prepared[start].2
                {
                    end += 1;
                }
                self.emit_insert_group(db, &mapper, &prepared[start..end])?;
                start = end;
            }
        }
        Ok(pending)
    }

    /// The pending objects of mapper `m` in insert levels: all of them at once unless
    /// the mapper refers to itself and a pending object's parent is pending too.
    fn self_referential_levels(
        &self,
        mapper: &Mapper,
        m: usize,
        pending: &[ObjId],
    ) -> Vec<Vec<ObjId>> {
        let parent_rels: Vec<&str> = mapper
            .relationships
            .iter()
            .filter(|r| r.target == m && r.direction == Direction::ManyToOne)
            .map(|r| r.name.as_str())
            .collect();
        let child_rels: Vec<&str> = mapper
            .relationships
            .iter()
            .filter(|r| r.target == m && r.direction == Direction::OneToMany)
            .map(|r| r.name.as_str())
            .collect();
        let parent_of = |id: ObjId| -> Option<ObjId> {
            let object = &self.objects[id.0];
            parent_rels
                .iter()
                .find_map(|r| match object.relations.get(*r) {
                    Some(RelValue::One(Some(parent))) => Some(*parent),
                    _ => None,
                })
                .or_else(|| {
                    pending.iter().copied().find(|p| {
                        child_rels.iter().any(|r| {
                            matches!(self.objects[p.0].relations.get(*r), Some(RelValue::Many(children)) if children.contains(&id))
                        })
                    })
                })
        };
        let mut left: Vec<ObjId> = pending.to_vec();
        let mut levels = Vec::new();
        while !left.is_empty() {
            let level: Vec<ObjId> = left
                .iter()
                .copied()
                .filter(|id| parent_of(*id).is_none_or(|p| !left.contains(&p)))
                .collect();
            // A cycle among pending rows: the rest at once (their keys stay NULL, as
            // SQLAlchemy would need post_update for it).
            let level = if level.is_empty() {
                left.clone()
            } else {
                level
            };
            left.retain(|id| !level.contains(id));
            levels.push(level);
        }
        levels
    }

    /// Python-side defaults applied; (object, listed columns, fetched columns).
    fn prepare_insert(&mut self, mapper: &Mapper, id: ObjId) -> (ObjId, Vec<String>, Vec<String>) {
        let mut listed = Vec::new();
        let mut fetched = Vec::new();
        for column in &mapper.columns {
            if !self.objects[id.0].values.contains_key(&column.name) {
                if let Some(value) = column
                    .default
                    .as_ref()
                    .and_then(|d| self.evaluate(&d.clone()))
                {
                    self.objects[id.0].values.insert(column.name.clone(), value);
                }
            }
            if self.objects[id.0].values.contains_key(&column.name) {
                listed.push(column.name.clone());
            } else if column.autoincrement || column.server_default.is_some() {
                fetched.push(column.name.clone());
            } else if column.json {
                // Left out: the column's NULL, not JSON 'null'.
            } else {
                self.objects[id.0]
                    .values
                    .insert(column.name.clone(), Value::Null);
                listed.push(column.name.clone());
            }
        }
        (id, listed, fetched)
    }

    fn emit_insert_group(
        &mut self,
        db: &mut Database,
        mapper: &Mapper,
        group: &[(ObjId, Vec<String>, Vec<String>)],
    ) -> Result<(), OrmError> {
        let (_, listed, fetched) = &group[0];
        // An integer key from a sequence: PostgreSQL's nextval, emulated by the session.
        let serial: Option<String> = fetched
            .iter()
            .find(|c| mapper.column(c).is_some_and(|c| c.autoincrement))
            .cloned();
        if let Some(column) = &serial {
            self.ensure_serial(db, mapper, column)?;
            for (id, _, _) in group {
                let next = self.serials.get_mut(&mapper.table).expect("initialised");
                *next += 1;
                let value = Value::Int(*next);
                self.objects[id.0].values.insert(column.clone(), value);
            }
        }
        let many = group.len() > 1;
        let name = |c: &str, i: usize| {
            if many {
                format!("{c}__{i}")
            } else {
                c.to_string()
            }
        };
        let mut params = Vec::new();
        let mut rows = Vec::new();
        let mut exec_rows = Vec::new();
        for (i, (id, _, _)) in group.iter().enumerate() {
            let mut row = Vec::new();
            let mut exec_row = Vec::new();
            for c in listed {
                let n = name(c, i);
                let column = mapper.column(c).expect("a mapped column");
                row.push(column.placeholder(&n));
                params.push((n, self.objects[id.0].values[c].clone()));
            }
            exec_row.extend(row.iter().cloned());
            if let Some(column) = &serial {
                exec_row.insert(0, self.objects[id.0].values[column].sql_literal());
            }
            rows.push(format!("({})", row.join(", ")));
            exec_rows.push(format!("({})", exec_row.join(", ")));
        }
        // Several rows whose generated key comes back by RETURNING: SQLAlchemy 2.0 on
        // PostgreSQL sends the "sentinel" form, a SELECT over the VALUES ordered by a
        // counter, so the returned keys match the parameter sets in order.
        let sentinel = serial.as_ref().filter(|_| many);
        let mut sql = match sentinel {
            Some(key) => {
                let casts: Vec<String> = listed
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        let column = mapper.column(c).expect("a mapped column");
                        format!("p{k}::{}", column.cast)
                    })
                    .collect();
                let counted: Vec<String> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, row)| format!("{}, {i})", row.trim_end_matches(')')))
                    .collect();
                let names: Vec<String> = (0..listed.len()).map(|k| format!("p{k}")).collect();
                let returning: Vec<String> = fetched
                    .iter()
                    .map(|c| format!("{}.{c}", mapper.table))
                    .chain([format!("{t}.{key} AS {key}__1", t = mapper.table)])
                    .collect();
                format!(
                    "INSERT INTO {} ({}) SELECT {} FROM (VALUES {}) AS imp_sen({}, sen_counter) ORDER BY sen_counter RETURNING {}",
                    mapper.table,
                    listed.join(", "),
                    casts.join(", "),
                    counted.join(", "),
                    names.join(", "),
                    returning.join(", ")
                )
            }
            None => format!(
                "INSERT INTO {} ({}) VALUES {}",
                mapper.table,
                listed.join(", "),
                rows.join(", ")
            ),
        };
        let exec_columns: Vec<String> = serial
            .iter()
            .cloned()
            .chain(listed.iter().cloned())
            .collect();
        let executed_insert = inline(
            &format!(
                "INSERT INTO {} ({}) VALUES {}",
                mapper.table,
                exec_columns.join(", "),
                exec_rows.join(", ")
            ),
            &params,
        );
        let mut executed = vec![executed_insert];
        let mut note = None;
        let server: Vec<&String> = fetched
            .iter()
            .filter(|c| Some(*c) != serial.as_ref())
            .collect();
        if !fetched.is_empty() && sentinel.is_none() {
            let returning: Vec<String> = fetched
                .iter()
                .map(|c| format!("{}.{c}", mapper.table))
                .collect();
            sql.push_str(&format!(" RETURNING {}", returning.join(", ")));
        }
        if !fetched.is_empty() {
            note = Some(
                "RETURNING: the engine has none; the key comes from the session's sequence and server defaults are read back by primary key".to_string(),
            );
        }
        if !server.is_empty() {
            for (id, _, _) in group {
                let cols: Vec<String> = server
                    .iter()
                    .map(|c| format!("{}.{c}", mapper.table))
                    .collect();
                let conditions: Vec<String> = mapper
                    .primary_key
                    .iter()
                    .map(|c| {
                        let v = self.objects[id.0]
                            .values
                            .get(c)
                            .cloned()
                            .unwrap_or(Value::Null);
                        format!("{}.{c} = {}", mapper.table, v.sql_literal())
                    })
                    .collect();
                executed.push(format!(
                    "SELECT {} FROM {} WHERE {}",
                    cols.join(", "),
                    mapper.table,
                    conditions.join(" AND ")
                ));
            }
        }
        let payloads = self.emit_executed(db, sql, Params::One(params), executed, note)?;
        if !server.is_empty() {
            for ((id, _, _), payload) in group.iter().zip(payloads.iter().skip(1)) {
                if let Some(row) = rows_of(std::slice::from_ref(payload)).into_iter().next() {
                    for (c, v) in server.iter().zip(row) {
                        self.objects[id.0].values.insert((*c).clone(), v);
                    }
                }
            }
        }
        Ok(())
    }

    fn ensure_serial(
        &mut self,
        db: &mut Database,
        mapper: &Mapper,
        column: &str,
    ) -> Result<(), OrmError> {
        if self.serials.contains_key(&mapper.table) {
            return Ok(());
        }
        let sql = format!(
            "SELECT max({table}.{column}) AS max_1 FROM {table}",
            table = mapper.table
        );
        let payloads = self.emit_executed(
            db,
            sql.clone(),
            Params::None,
            vec![sql],
            Some(
                "not sent by SQLAlchemy: starts the session's stand-in for PostgreSQL's sequence"
                    .to_string(),
            ),
        )?;
        let max = match rows_of(&payloads).first().and_then(|r| r.first().cloned()) {
            Some(Value::Int(i)) => i,
            _ => 0,
        };
        self.serials.insert(mapper.table.clone(), max);
        Ok(())
    }

    /// UPDATEs of the class's changed persistent objects, by primary key; onupdate
    /// columns are set unless the change set them. Same-column updates share an
    /// executemany.
    fn emit_updates(&mut self, db: &mut Database, m: usize) -> Result<Vec<ObjId>, OrmError> {
        let mapper = self.registry.mappers[m].clone();
        let mut dirty: Vec<ObjId> = self
            .identity
            .values()
            .copied()
            .filter(|id| self.objects[id.0].mapper == m && self.is_dirty(*id))
            .collect();
        self.sort_by_primary_key(&mut dirty);
        let mut groups: Vec<(Vec<String>, Vec<ParamSet>)> = Vec::new();
        for id in &dirty {
            let changed: Vec<String> = mapper
                .columns
                .iter()
                .filter(|c| {
                    let o = &self.objects[id.0];
                    o.values
                        .get(&c.name)
                        .is_some_and(|v| o.committed.get(&c.name) != Some(v))
                })
                .map(|c| c.name.clone())
                .collect();
            for column in &mapper.columns {
                if let (Some(onupdate), false) = (&column.onupdate, changed.contains(&column.name))
                {
                    if let Some(value) = self.evaluate(&onupdate.clone()) {
                        self.objects[id.0].values.insert(column.name.clone(), value);
                    }
                }
            }
            let set: Vec<String> = mapper
                .columns
                .iter()
                .filter(|c| {
                    changed.contains(&c.name)
                        || (c.onupdate.is_some() && self.objects[id.0].values.contains_key(&c.name))
                })
                .map(|c| c.name.clone())
                .collect();
            let mut params: Vec<(String, Value)> = set
                .iter()
                .map(|c| (c.clone(), self.objects[id.0].values[c].clone()))
                .collect();
            for c in &mapper.primary_key {
                let v = self.objects[id.0]
                    .committed
                    .get(c)
                    .cloned()
                    .unwrap_or(Value::Null);
                params.push((format!("{}_{c}", mapper.table), v));
            }
            match groups.last_mut() {
                Some((columns, sets)) if *columns == set => sets.push(params),
                _ => groups.push((set, vec![params])),
            }
        }
        for (set, mut sets) in groups {
            let assignments: Vec<String> = set
                .iter()
                .map(|c| {
                    let column = mapper.column(c).expect("a mapped column");
                    format!("{c}={}", column.placeholder(c))
                })
                .collect();
            let conditions: Vec<String> = mapper
                .primary_key
                .iter()
                .map(|c| format!("{t}.{c} = %({t}_{c})s", t = mapper.table))
                .collect();
            let sql = format!(
                "UPDATE {} SET {} WHERE {}",
                mapper.table,
                assignments.join(", "),
                conditions.join(" AND ")
            );
            let params = if sets.len() == 1 {
                Params::One(sets.remove(0))
            } else {
                Params::Many(sets)
            };
            self.emit(db, sql, params, None)?;
        }
        Ok(dirty)
    }

    /// DELETEs of the class's deleted objects, by primary key, as one executemany.
    fn emit_deletes(&mut self, db: &mut Database, m: usize) -> Result<(), OrmError> {
        let mapper = self.registry.mappers[m].clone();
        let mut doomed: Vec<ObjId> = self
            .deleted
            .iter()
            .copied()
            .filter(|id| self.objects[id.0].mapper == m)
            .collect();
        if doomed.is_empty() {
            return Ok(());
        }
        self.sort_by_primary_key(&mut doomed);
        let conditions: Vec<String> = mapper
            .primary_key
            .iter()
            .map(|c| format!("{}.{c} = %({c})s", mapper.table))
            .collect();
        let sql = format!(
            "DELETE FROM {} WHERE {}",
            mapper.table,
            conditions.join(" AND ")
        );
        let mut sets: Vec<Vec<(String, Value)>> = doomed
            .iter()
            .map(|id| {
                mapper
                    .primary_key
                    .iter()
                    .map(|c| {
                        (
                            c.clone(),
                            self.objects[id.0]
                                .committed
                                .get(c)
                                .cloned()
                                .unwrap_or(Value::Null),
                        )
                    })
                    .collect()
            })
            .collect();
        let params = if sets.len() == 1 {
            Params::One(sets.remove(0))
        } else {
            Params::Many(sets)
        };
        self.emit(db, sql, params, None)?;
        Ok(())
    }

    /// Persistent objects are flushed in primary-key order, as SQLAlchemy sorts them.
    fn sort_by_primary_key(&self, ids: &mut [ObjId]) {
        ids.sort_by_cached_key(|id| {
            let o = &self.objects[id.0];
            let mapper = &self.registry.mappers[o.mapper];
            mapper
                .primary_key
                .iter()
                .map(|c| {
                    o.committed
                        .get(c)
                        .or(o.values.get(c))
                        .map(Value::key_text)
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
        });
    }
}
