//! The session: objects, identity map, attribute and relationship access, get, delete,
//! transactions, and the echo of every statement.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gluesql::core::executor::Payload;

use super::clock::{UuidGenerator, VirtualClock};
use super::mapper::{Direction, Registry, Strategy};
use super::value::Value;
use super::{Echo, OrmError, Params};
use crate::engine::Database;
use crate::model::ir::ModelIr;

/// An object of the session, by position: stable for the session's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ObjId(pub usize);

/// SQLAlchemy's object states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ObjectState {
    Transient,
    Pending,
    Persistent,
    /// Marked by `delete`, deleted by the next flush.
    Deleted,
    Detached,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RelValue {
    Many(Vec<ObjId>),
    One(Option<ObjId>),
}

/// One mapped object: a row's attribute values and what is loaded of it.
#[derive(Clone, Debug)]
pub struct Instance {
    pub class: String,
    pub(crate) mapper: usize,
    /// By column name; a column missing here is unset (transient) or not loaded.
    pub values: BTreeMap<String, Value>,
    /// The values as last loaded or flushed: what dirty checking compares with.
    pub(crate) committed: BTreeMap<String, Value>,
    pub state: ObjectState,
    pub(crate) relations: BTreeMap<String, RelValue>,
    /// The loader strategy the query that loaded it set per relationship.
    pub(crate) lazy: BTreeMap<String, Strategy>,
    /// The loader options under each relationship of the query that loaded it: a lazy
    /// load applies them to what it loads (SQLAlchemy propagates loader options to lazy
    /// loads: `lazyload(User.orders).selectinload(Order.items)` selectin-loads the items
    /// of each lazily loaded collection).
    pub(crate) options: BTreeMap<String, super::options::OptNode>,
    pub(crate) insert_order: u64,
}

/// What `before_flush` sees: `session.new`, `session.dirty`, `session.deleted`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlushSets {
    pub new: Vec<ObjId>,
    pub dirty: Vec<ObjId>,
    pub deleted: Vec<ObjId>,
}

type Hook = Box<dyn FnMut(&mut Session, &FlushSets)>;

/// SQLAlchemy 2.0's `Session` over one model, emitting to an engine [`Database`]
/// passed to each call that may run SQL.
pub struct Session {
    pub(crate) registry: Registry,
    pub(crate) objects: Vec<Instance>,
    pub(crate) identity: HashMap<String, ObjId>,
    pub(crate) new: Vec<ObjId>,
    pub(crate) deleted: Vec<ObjId>,
    /// (parent, relationship, child) removed from a collection since the last flush.
    pub(crate) removed: Vec<(ObjId, String, ObjId)>,
    /// Many-to-many links appended (`true`) or removed since the last flush, as
    /// (parent, relationship, child, appended): rows of the association table.
    pub(crate) links: Vec<(ObjId, String, ObjId, bool)>,
    /// Relationships of objects being deleted whose children's keys go NULL: loaded once
    /// the delete cascade is done (`delete_depth` back to 0).
    deferred_loads: Vec<(ObjId, super::mapper::RelInfo)>,
    delete_depth: usize,
    pub clock: VirtualClock,
    pub uuids: UuidGenerator,
    /// Flush before each query (SQLAlchemy's default; the reference's async sessions
    /// turn it off).
    pub autoflush: bool,
    pub(crate) echo: Vec<Echo>,
    in_transaction: bool,
    began: bool,
    hooks: Vec<Hook>,
    pub(crate) serials: HashMap<String, i64>,
    pub(crate) insert_counter: u64,
    /// Flushed in the current transaction, for rollback: inserted objects, the values
    /// updated objects had before it, and deleted objects.
    pub(crate) tx_inserted: Vec<ObjId>,
    pub(crate) tx_original: BTreeMap<ObjId, BTreeMap<String, Value>>,
    pub(crate) tx_deleted: Vec<ObjId>,
}

impl Session {
    pub fn new(ir: &ModelIr) -> Result<Session, OrmError> {
        Ok(Session::with_registry(Registry::from_ir(ir)?))
    }

    pub fn with_registry(registry: Registry) -> Session {
        Session {
            registry,
            objects: Vec::new(),
            identity: HashMap::new(),
            new: Vec::new(),
            deleted: Vec::new(),
            removed: Vec::new(),
            links: Vec::new(),
            deferred_loads: Vec::new(),
            delete_depth: 0,
            clock: VirtualClock::default(),
            uuids: UuidGenerator::default(),
            autoflush: true,
            echo: Vec::new(),
            in_transaction: false,
            began: false,
            hooks: Vec::new(),
            serials: HashMap::new(),
            insert_counter: 0,
            tx_inserted: Vec::new(),
            tx_original: BTreeMap::new(),
            tx_deleted: Vec::new(),
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// `Base.metadata.create_all(engine)`: the model's PostgreSQL DDL, run statement by
    /// statement (echoed as SQLAlchemy does, outside the session's transaction).
    pub fn create_all(&mut self, db: &mut Database, ir: &ModelIr) -> Result<(), OrmError> {
        for sql in crate::model::ddl_statements(ir) {
            let result = db.execute(&sql);
            self.echo.push(Echo {
                sql: sql.clone(),
                params: Params::None,
                executed: vec![sql.clone()],
                note: None,
            });
            result.map_err(|e| OrmError::Engine {
                sql,
                message: e.message,
            })?;
        }
        Ok(())
    }

    // --- echo -------------------------------------------------------------------

    /// Every statement so far, as `echo=True` prints them.
    pub fn echo(&self) -> &[Echo] {
        &self.echo
    }

    pub fn clear_echo(&mut self) {
        self.echo.clear();
    }

    /// Statements the ORM emitted, transaction control (BEGIN/COMMIT/ROLLBACK) aside.
    pub fn statement_count(&self) -> usize {
        self.echo
            .iter()
            .filter(|e| !e.is_transaction_control())
            .count()
    }

    /// Runs one statement (several for an executemany) with its parameters inlined,
    /// beginning the session's transaction first if needed (autobegin).
    pub(crate) fn emit(
        &mut self,
        db: &mut Database,
        sql: String,
        params: Params,
        note: Option<String>,
    ) -> Result<Vec<Payload>, OrmError> {
        let executed: Vec<String> = match &params {
            Params::None => vec![sql.clone()],
            Params::One(p) => vec![inline(&sql, p)],
            Params::Many(many) => many.iter().map(|p| inline(&sql, p)).collect(),
        };
        self.emit_executed(db, sql, params, executed, note)
    }

    /// Echoes `sql` with `params` and runs `executed` instead (where the engine needs
    /// other text than PostgreSQL would get).
    pub(crate) fn emit_executed(
        &mut self,
        db: &mut Database,
        sql: String,
        params: Params,
        executed: Vec<String>,
        note: Option<String>,
    ) -> Result<Vec<Payload>, OrmError> {
        self.autobegin(db)?;
        self.echo.push(Echo {
            sql,
            params,
            executed: executed.clone(),
            note,
        });
        let mut payloads = Vec::new();
        for statement in executed {
            let payload = db.execute(&statement).map_err(|e| OrmError::Engine {
                sql: statement.clone(),
                message: e.message,
            })?;
            payloads.push(payload);
        }
        Ok(payloads)
    }

    fn autobegin(&mut self, db: &mut Database) -> Result<(), OrmError> {
        if self.in_transaction {
            return Ok(());
        }
        self.in_transaction = true;
        if db.in_transaction() {
            // Joins the transaction the page already opened.
            self.began = false;
            return Ok(());
        }
        self.began = true;
        self.control(db, "BEGIN (implicit)", "BEGIN")
    }

    fn control(&mut self, db: &mut Database, echo: &str, sql: &str) -> Result<(), OrmError> {
        self.echo.push(Echo {
            sql: echo.to_string(),
            params: Params::None,
            executed: vec![sql.to_string()],
            note: None,
        });
        db.execute(sql).map(|_| ()).map_err(|e| OrmError::Engine {
            sql: sql.to_string(),
            message: e.message,
        })
    }

    /// `session.commit()`: flush, then COMMIT.
    pub fn commit(&mut self, db: &mut Database) -> Result<(), OrmError> {
        self.flush(db)?;
        self.tx_inserted.clear();
        self.tx_original.clear();
        self.tx_deleted.clear();
        if self.in_transaction {
            self.in_transaction = false;
            if self.began {
                self.control(db, "COMMIT", "COMMIT")?;
            }
        }
        Ok(())
    }

    /// `session.rollback()`: ROLLBACK; pending objects and those inserted in the
    /// transaction leave the session, persistent ones go back to their values at the
    /// transaction's start, deleted ones are persistent again. (SQLAlchemy expires them
    /// instead and reloads on access; the values are the same.)
    pub fn rollback(&mut self, db: &mut Database) -> Result<(), OrmError> {
        for id in std::mem::take(&mut self.new) {
            self.objects[id.0].state = ObjectState::Transient;
        }
        for id in std::mem::take(&mut self.tx_inserted) {
            if let Some(pk) = self.primary_key(id) {
                self.identity
                    .remove(&Self::identity_key(&self.objects[id.0].class, &pk));
            }
            self.objects[id.0].state = ObjectState::Transient;
        }
        for (id, original) in std::mem::take(&mut self.tx_original) {
            self.objects[id.0].committed = original;
        }
        let deleted: Vec<ObjId> = std::mem::take(&mut self.deleted)
            .into_iter()
            .chain(std::mem::take(&mut self.tx_deleted))
            .collect();
        for id in deleted {
            self.objects[id.0].state = ObjectState::Persistent;
            if let Some(pk) = self.primary_key(id) {
                let key = Self::identity_key(&self.objects[id.0].class, &pk);
                self.identity.insert(key, id);
            }
        }
        self.removed.clear();
        self.links.clear();
        for object in &mut self.objects {
            if object.state == ObjectState::Persistent {
                object.values = object.committed.clone();
            }
        }
        if self.in_transaction {
            self.in_transaction = false;
            if self.began {
                self.control(db, "ROLLBACK", "ROLLBACK")?;
            }
        }
        Ok(())
    }

    /// `@event.listens_for(session, 'before_flush')`: called at each flush that has
    /// work, with `session.new`, `.dirty` and `.deleted`; it may add objects.
    pub fn on_before_flush(&mut self, hook: impl FnMut(&mut Session, &FlushSets) + 'static) {
        self.hooks.push(Box::new(hook));
    }

    pub(crate) fn run_hooks(&mut self, sets: &FlushSets) {
        let mut hooks = std::mem::take(&mut self.hooks);
        for hook in &mut hooks {
            hook(self, sets);
        }
        hooks.append(&mut self.hooks);
        self.hooks = hooks;
    }

    // --- objects ----------------------------------------------------------------

    /// `Class(**attributes)`: a transient object (defaults are applied at flush).
    pub fn new_object(
        &mut self,
        class: &str,
        attributes: &[(&str, Value)],
    ) -> Result<ObjId, OrmError> {
        let mapper = self.registry.index_of(class)?;
        let id = ObjId(self.objects.len());
        self.objects.push(Instance {
            class: class.to_string(),
            mapper,
            values: BTreeMap::new(),
            committed: BTreeMap::new(),
            state: ObjectState::Transient,
            relations: BTreeMap::new(),
            lazy: BTreeMap::new(),
            options: BTreeMap::new(),
            insert_order: 0,
        });
        for (attribute, value) in attributes {
            self.set(id, attribute, value.clone())?;
        }
        Ok(id)
    }

    /// `session.add(Class(**attributes))`.
    pub fn add_new(
        &mut self,
        class: &str,
        attributes: &[(&str, Value)],
    ) -> Result<ObjId, OrmError> {
        let id = self.new_object(class, attributes)?;
        self.add(id);
        Ok(id)
    }

    /// `session.add(obj)`, cascading save-update along loaded relationships.
    pub fn add(&mut self, id: ObjId) {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            let object = &mut self.objects[id.0];
            match object.state {
                ObjectState::Transient | ObjectState::Detached
                    if !self.identity.values().any(|v| *v == id) =>
                {
                    object.state = ObjectState::Pending;
                    self.insert_counter += 1;
                    object.insert_order = self.insert_counter;
                    self.new.push(id);
                }
                ObjectState::Pending | ObjectState::Persistent => {}
                _ => continue,
            }
            let mapper = &self.registry.mappers[self.objects[id.0].mapper];
            for rel in mapper
                .relationships
                .iter()
                .filter(|r| r.cascade.save_update)
            {
                for child in self.loaded_related(id, &rel.name) {
                    if self.objects[child.0].state == ObjectState::Transient {
                        stack.push(child);
                    }
                }
            }
        }
    }

    pub fn instance(&self, id: ObjId) -> &Instance {
        &self.objects[id.0]
    }

    pub fn state(&self, id: ObjId) -> ObjectState {
        self.objects[id.0].state
    }

    /// An attribute's value (`None` if unset or not loaded).
    pub fn value(&self, id: ObjId, attribute: &str) -> Option<&Value> {
        let object = &self.objects[id.0];
        let column = self.registry.mappers[object.mapper].column_of_attribute(attribute)?;
        object.values.get(&column.name)
    }

    /// `obj.attribute = value`.
    pub fn set(&mut self, id: ObjId, attribute: &str, value: Value) -> Result<(), OrmError> {
        let object = &self.objects[id.0];
        let mapper = &self.registry.mappers[object.mapper];
        let column = mapper.column_of_attribute(attribute).ok_or_else(|| {
            OrmError::InvalidRequest(format!(
                "'{}' object has no attribute '{attribute}'",
                mapper.class
            ))
        })?;
        let name = column.name.clone();
        self.objects[id.0].values.insert(name, value);
        Ok(())
    }

    /// The primary-key values, when all are set.
    pub fn primary_key(&self, id: ObjId) -> Option<Vec<Value>> {
        let object = &self.objects[id.0];
        let mapper = &self.registry.mappers[object.mapper];
        mapper
            .primary_key
            .iter()
            .map(|c| object.values.get(c).filter(|v| !v.is_null()).cloned())
            .collect()
    }

    pub(crate) fn identity_key(class: &str, pk: &[Value]) -> String {
        let parts: Vec<String> = pk.iter().map(Value::key_text).collect();
        format!("{class}\u{1}{}", parts.join("\u{1}"))
    }

    /// The object with this identity, if the session holds it.
    pub fn identity_lookup(&self, class: &str, pk: &[Value]) -> Option<ObjId> {
        self.identity.get(&Self::identity_key(class, pk)).copied()
    }

    /// `session.new`, in the order added.
    pub fn new_objects(&self) -> &[ObjId] {
        &self.new
    }

    /// `session.deleted`.
    pub fn deleted_objects(&self) -> &[ObjId] {
        &self.deleted
    }

    /// `session.dirty`: persistent objects whose column values changed.
    pub fn dirty_objects(&self) -> Vec<ObjId> {
        self.identity
            .values()
            .copied()
            .filter(|id| self.is_dirty(*id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    pub(crate) fn is_dirty(&self, id: ObjId) -> bool {
        let object = &self.objects[id.0];
        object.state == ObjectState::Persistent
            && object
                .values
                .iter()
                .any(|(k, v)| object.committed.get(k) != Some(v))
    }

    // --- relationships ----------------------------------------------------------

    /// The related objects already loaded (no SQL).
    pub(crate) fn loaded_related(&self, id: ObjId, relationship: &str) -> Vec<ObjId> {
        match self.objects[id.0].relations.get(relationship) {
            Some(RelValue::Many(children)) => children.clone(),
            Some(RelValue::One(Some(target))) => vec![*target],
            _ => Vec::new(),
        }
    }

    pub fn is_loaded(&self, id: ObjId, relationship: &str) -> bool {
        self.objects[id.0].relations.contains_key(relationship)
    }

    fn rel_info(&self, id: ObjId, relationship: &str) -> Result<super::mapper::RelInfo, OrmError> {
        let mapper = &self.registry.mappers[self.objects[id.0].mapper];
        mapper.relationship(relationship).cloned().ok_or_else(|| {
            OrmError::InvalidRequest(format!(
                "'{}' object has no relationship '{relationship}'",
                mapper.class
            ))
        })
    }

    /// `obj.relationship` for a collection: loads it if needed (lazy load, or the
    /// `raise` error).
    pub fn related(
        &mut self,
        db: &mut Database,
        id: ObjId,
        relationship: &str,
    ) -> Result<Vec<ObjId>, OrmError> {
        self.ensure_loaded(db, id, relationship)?;
        Ok(self.loaded_related(id, relationship))
    }

    /// `obj.relationship` for a scalar (many-to-one) relationship.
    pub fn related_one(
        &mut self,
        db: &mut Database,
        id: ObjId,
        relationship: &str,
    ) -> Result<Option<ObjId>, OrmError> {
        self.ensure_loaded(db, id, relationship)?;
        Ok(self.loaded_related(id, relationship).first().copied())
    }

    /// `parent.collection.append(child)` (loads the collection first, as SQLAlchemy
    /// does), setting the other side of `back_populates` and cascading save-update.
    pub fn append(
        &mut self,
        db: &mut Database,
        parent: ObjId,
        relationship: &str,
        child: ObjId,
    ) -> Result<(), OrmError> {
        let rel = self.rel_info(parent, relationship)?;
        self.ensure_loaded(db, parent, relationship)?;
        if rel.direction == Direction::ManyToMany {
            return self.append_link(parent, &rel, child);
        }
        self.link(parent, &rel, child);
        if let Some(back) = &rel.back_populates {
            let target = &self.registry.mappers[rel.target];
            if target.relationship(back).is_some_and(|b| !b.collection) {
                self.objects[child.0]
                    .relations
                    .insert(back.clone(), RelValue::One(Some(parent)));
            }
        }
        self.removed
            .retain(|(_, r, c)| !(*r == rel.name && *c == child));
        self.cascade_save(parent, &rel, child);
        Ok(())
    }

    /// `product.categories.append(category)`: both collections (the other side through
    /// back_populates, where loaded) and, at flush, one association row.
    fn append_link(
        &mut self,
        parent: ObjId,
        rel: &super::mapper::RelInfo,
        child: ObjId,
    ) -> Result<(), OrmError> {
        if rel.secondary.is_none() {
            return Err(OrmError::InvalidRequest(format!(
                "{}.{} goes through a table the emulation cannot read (a self-referential or unknown secondary)",
                self.objects[parent.0].class, rel.name
            )));
        }
        // A list collection: appending a category it already holds is not refused here;
        // the flush INSERTs the pair again and the association table's key refuses it,
        // as with SQLAlchemy.
        self.link(parent, rel, child);
        if let Some(RelValue::Many(parents)) = rel
            .back_populates
            .as_ref()
            .and_then(|back| self.objects[child.0].relations.get_mut(back))
        {
            if !parents.contains(&parent) {
                parents.push(parent);
            }
        }
        self.record_link(parent, &rel.name, child, true);
        self.cascade_save(parent, rel, child);
        Ok(())
    }

    /// save-update cascade: `child` joins the session with its (pending or persistent)
    /// parent.
    fn cascade_save(&mut self, parent: ObjId, rel: &super::mapper::RelInfo, child: ObjId) {
        if rel.cascade.save_update
            && matches!(
                self.objects[parent.0].state,
                ObjectState::Pending | ObjectState::Persistent
            )
        {
            self.add(child);
        }
    }

    /// An association row to write or delete at flush; an append and a remove of the
    /// same pair cancel out.
    fn record_link(&mut self, parent: ObjId, relationship: &str, child: ObjId, appended: bool) {
        let before = self.links.len();
        self.links.retain(|(p, r, c, a)| {
            !(*p == parent && r == relationship && *c == child && *a != appended)
        });
        if self.links.len() == before {
            self.links
                .push((parent, relationship.to_string(), child, appended));
        }
    }

    fn link(&mut self, parent: ObjId, rel: &super::mapper::RelInfo, child: ObjId) {
        let relations = &mut self.objects[parent.0].relations;
        if rel.collection {
            match relations
                .entry(rel.name.clone())
                .or_insert_with(|| RelValue::Many(Vec::new()))
            {
                RelValue::Many(children) => {
                    if !children.contains(&child) {
                        children.push(child);
                    }
                }
                one => *one = RelValue::Many(vec![child]),
            }
        } else {
            relations.insert(rel.name.clone(), RelValue::One(Some(child)));
        }
    }

    /// `parent.collection.remove(child)`: at flush the child is deleted
    /// (delete-orphan) or its foreign key set to NULL.
    pub fn remove(
        &mut self,
        db: &mut Database,
        parent: ObjId,
        relationship: &str,
        child: ObjId,
    ) -> Result<(), OrmError> {
        let rel = self.rel_info(parent, relationship)?;
        self.ensure_loaded(db, parent, relationship)?;
        if let Some(RelValue::Many(children)) =
            self.objects[parent.0].relations.get_mut(relationship)
        {
            children.retain(|c| *c != child);
        }
        if rel.direction == Direction::ManyToMany {
            // The association row goes at flush; both objects stay.
            if let Some(RelValue::Many(parents)) = rel
                .back_populates
                .as_ref()
                .and_then(|back| self.objects[child.0].relations.get_mut(back))
            {
                parents.retain(|p| *p != parent);
            }
            self.record_link(parent, &rel.name, child, false);
            return Ok(());
        }
        if let Some(back) = &rel.back_populates {
            if self.objects[child.0].relations.contains_key(back) {
                self.objects[child.0]
                    .relations
                    .insert(back.clone(), RelValue::One(None));
            }
        }
        self.removed.push((parent, rel.name.clone(), child));
        Ok(())
    }

    /// `obj.scalar = value` as SQLAlchemy runs it: a one-to-one whose key is on the other
    /// side (`user.profile = Profile(...)`) loads the current value first (to take the
    /// key from the one it replaces), then sets it; a many-to-one is set directly.
    pub fn assign(
        &mut self,
        db: &mut Database,
        id: ObjId,
        relationship: &str,
        target: Option<ObjId>,
    ) -> Result<(), OrmError> {
        let rel = self.rel_info(id, relationship)?;
        if rel.direction == Direction::OneToMany && !rel.collection {
            self.ensure_loaded_plain(db, id, &rel)?;
            if let Some(back) = &rel.back_populates {
                if let Some(t) = target {
                    self.objects[t.0]
                        .relations
                        .insert(back.clone(), RelValue::One(Some(id)));
                }
            }
            self.objects[id.0]
                .relations
                .insert(rel.name.clone(), RelValue::One(target));
            if let Some(t) = target {
                self.cascade_save(id, &rel, t);
            }
            return Ok(());
        }
        self.set_related(id, relationship, target)
    }

    /// `child.scalar = parent` (many-to-one), appending to the parent's collection when
    /// that is loaded (back_populates).
    pub fn set_related(
        &mut self,
        id: ObjId,
        relationship: &str,
        target: Option<ObjId>,
    ) -> Result<(), OrmError> {
        let rel = self.rel_info(id, relationship)?;
        self.objects[id.0]
            .relations
            .insert(rel.name.clone(), RelValue::One(target));
        if let (Some(target), Some(back)) = (target, &rel.back_populates) {
            if let Some(RelValue::Many(children)) = self.objects[target.0].relations.get_mut(back) {
                if !children.contains(&id) {
                    children.push(id);
                }
            }
            if rel.cascade.save_update
                && self.objects[id.0].state == ObjectState::Transient
                && matches!(
                    self.objects[target.0].state,
                    ObjectState::Pending | ObjectState::Persistent
                )
            {
                // The backref cascade: the child joins its parent's session.
                self.add(id);
            }
        }
        Ok(())
    }

    pub(crate) fn ensure_loaded(
        &mut self,
        db: &mut Database,
        id: ObjId,
        relationship: &str,
    ) -> Result<(), OrmError> {
        if self.is_loaded(id, relationship) {
            return Ok(());
        }
        let rel = self.rel_info(id, relationship)?;
        let object = &self.objects[id.0];
        if matches!(object.state, ObjectState::Transient | ObjectState::Pending) {
            let empty = if rel.collection {
                RelValue::Many(Vec::new())
            } else {
                RelValue::One(None)
            };
            if rel.direction == Direction::ManyToOne && object.state == ObjectState::Pending {
                // A pending child with its foreign key set still finds its parent.
                return self.lazy_load(db, id, &rel);
            }
            self.objects[id.0].relations.insert(rel.name.clone(), empty);
            return Ok(());
        }
        let strategy = object.lazy.get(relationship).copied().unwrap_or(rel.lazy);
        let class = &self.registry.mappers[object.mapper].class;
        match strategy {
            Strategy::Raise => Err(OrmError::InvalidRequest(format!(
                "'{class}.{relationship}' is not available due to lazy='raise'"
            ))),
            Strategy::RaiseOnSql if !self.loadable_from_identity(id, &rel) => {
                Err(OrmError::InvalidRequest(format!(
                    "'{class}.{relationship}' is not available due to lazy='raise_on_sql'"
                )))
            }
            Strategy::NoLoad => {
                let empty = if rel.collection {
                    RelValue::Many(Vec::new())
                } else {
                    RelValue::One(None)
                };
                self.objects[id.0].relations.insert(rel.name.clone(), empty);
                Ok(())
            }
            _ => self.lazy_load(db, id, &rel),
        }
    }

    /// A many-to-one whose target is in the identity map loads without SQL.
    pub(crate) fn loadable_from_identity(&self, id: ObjId, rel: &super::mapper::RelInfo) -> bool {
        if rel.direction != Direction::ManyToOne {
            return false;
        }
        let object = &self.objects[id.0];
        let fk: Option<Vec<Value>> = rel
            .pairs
            .iter()
            .map(|(_, fk)| object.values.get(fk).cloned())
            .collect();
        match fk {
            Some(fk) if fk.iter().all(|v| !v.is_null()) => self
                .identity_lookup(&self.registry.mappers[rel.target].class, &fk)
                .is_some(),
            Some(_) => true,
            None => false,
        }
    }

    // --- get and delete -----------------------------------------------------------

    /// `session.get(Class, pk)`: from the identity map without SQL, else one SELECT by
    /// primary key (then the class's default eager loads).
    pub fn get(
        &mut self,
        db: &mut Database,
        class: &str,
        pk: &[Value],
    ) -> Result<Option<ObjId>, OrmError> {
        if let Some(id) = self.identity_lookup(class, pk) {
            if self.objects[id.0].state != ObjectState::Deleted {
                return Ok(Some(id));
            }
            return Ok(None);
        }
        let mapper = self.registry.index_of(class)?;
        self.load_by_primary_key(db, mapper, pk, &[])
    }

    /// `session.delete(obj)`: cascades delete along relationships that have it, loading
    /// unloaded collections first (one SELECT each) unless `passive_deletes`, which
    /// leaves the children to the database's ON DELETE.
    pub fn delete(&mut self, db: &mut Database, id: ObjId) -> Result<(), OrmError> {
        match self.objects[id.0].state {
            ObjectState::Pending => {
                self.new.retain(|n| *n != id);
                self.objects[id.0].state = ObjectState::Transient;
                return Ok(());
            }
            ObjectState::Persistent => {}
            _ => return Ok(()),
        }
        self.objects[id.0].state = ObjectState::Deleted;
        self.deleted.push(id);
        // A deleted object's association rows are deleted first (SQLAlchemy loads the
        // collection for it unless passive_deletes).
        let many: Vec<_> = self.registry.mappers[self.objects[id.0].mapper]
            .relationships
            .iter()
            .filter(|r| r.direction == Direction::ManyToMany && r.secondary.is_some())
            .cloned()
            .collect();
        for rel in many {
            if rel.passive_deletes && !self.is_loaded(id, &rel.name) {
                continue;
            }
            self.ensure_loaded_plain(db, id, &rel)?;
            for child in self.loaded_related(id, &rel.name) {
                let already = self.links.iter().any(|(p, r, c, a)| {
                    !*a && ((*p == id && *r == rel.name && *c == child)
                        || (*p == child && Some(r) == rel.back_populates.as_ref() && *c == id))
                });
                if !already {
                    self.record_link(id, &rel.name, child, false);
                }
            }
        }
        let mapper = &self.registry.mappers[self.objects[id.0].mapper];
        let rels: Vec<_> = mapper
            .relationships
            .iter()
            .filter(|r| r.direction == Direction::OneToMany)
            .cloned()
            .collect();
        // The delete cascade loads (and deletes) first; the relationships whose children
        // only get a NULL key are loaded after, as SQLAlchemy loads those at flush.
        let (cascading, nulling): (Vec<_>, Vec<_>) = rels
            .into_iter()
            .partition(|r| r.cascade.delete || r.cascade.delete_orphan);
        for rel in nulling.iter().filter(|r| !r.passive_deletes) {
            self.deferred_loads.push((id, rel.clone()));
        }
        for rel in cascading {
            if !self.is_loaded(id, &rel.name) {
                if rel.passive_deletes {
                    continue;
                }
                self.ensure_loaded_plain(db, id, &rel)?;
            }
            for child in self.loaded_related(id, &rel.name) {
                self.delete_depth += 1;
                let deleted = self.delete(db, child);
                self.delete_depth -= 1;
                deleted?;
            }
        }
        if self.delete_depth == 0 {
            // Children's foreign keys are set to NULL at flush: they are loaded now.
            for (parent, rel) in std::mem::take(&mut self.deferred_loads) {
                self.ensure_loaded_plain(db, parent, &rel)?;
            }
        }
        Ok(())
    }

    /// Loads a relationship for the unit of work whatever its strategy (SQLAlchemy's
    /// cascades load with `passive=PASSIVE_OFF`, even under lazy='raise').
    pub(crate) fn ensure_loaded_plain(
        &mut self,
        db: &mut Database,
        id: ObjId,
        rel: &super::mapper::RelInfo,
    ) -> Result<(), OrmError> {
        if self.is_loaded(id, &rel.name) {
            return Ok(());
        }
        if matches!(
            self.objects[id.0].state,
            ObjectState::Transient | ObjectState::Pending
        ) {
            self.objects[id.0]
                .relations
                .insert(rel.name.clone(), RelValue::Many(Vec::new()));
            return Ok(());
        }
        self.lazy_load(db, id, rel)
    }
}

/// Replaces each `%(name)s` with the parameter's SQL literal.
pub(crate) fn inline(sql: &str, params: &[(String, Value)]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("%(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find(")s") {
            Some(end) => {
                let name = &after[..end];
                match params.iter().find(|(k, _)| k == name) {
                    Some((_, value)) => out.push_str(&value.sql_literal()),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The rows of a SELECT payload, converted.
pub(crate) fn rows_of(payloads: &[Payload]) -> Vec<Vec<Value>> {
    payloads
        .iter()
        .flat_map(|p| match p {
            Payload::Select { rows, .. } => rows
                .iter()
                .map(|row| row.iter().map(Value::from_engine).collect())
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}
