//! One class body attribute: `mapped_column(...)`, `Column(...)`, `relationship(...)`.

use super::super::ast::{kwarg, positional, Arg, Expr, ExprKind};
use super::super::diagnostics::{Diagnostic, Pos};
use super::super::ir::{Column, ColumnCheck, Relationship, SqlType};
use super::values::{
    enum_spec, looks_like_type, py_default, server_default_sql, type_for_python, type_object,
    Annotation,
};
use super::Lowerer;

/// A column before the whole model is known: its type may come from the column its
/// foreign key refers to, and its foreign keys are not yet checked.
#[derive(Clone, Debug)]
pub(super) struct ColumnSpec {
    pub column: Column,
    /// `None` for `Column('x', ForeignKey(...))`: the type comes from the referred column.
    pub sql_type: Option<SqlType>,
    pub foreign_keys: Vec<ForeignKeySpec>,
    /// `autoincrement=` as written.
    pub autoincrement: Option<bool>,
    /// `Enum(..., native_enum=False, create_constraint=True)`: the CHECK SQLAlchemy adds
    /// to the table, as (constraint name, labels).
    pub enum_check: Option<(String, Vec<String>)>,
}

#[derive(Clone, Debug)]
pub(super) struct ForeignKeySpec {
    /// `table.column` as written.
    pub target: String,
    pub name: Option<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
    /// `use_alter=True`: create_all adds it with ALTER TABLE after every table.
    pub use_alter: bool,
    pub pos: Pos,
}

/// Keyword arguments that change nothing in the DDL or the IR (dataclass and ORM
/// options); accepted silently.
const IGNORED_KWARGS: &[&str] = &[
    "doc",
    "info",
    "init",
    "repr",
    "kw_only",
    "compare",
    "hash",
    "deferred",
    "deferred_group",
    "deferred_raiseload",
    "active_history",
    "use_existing_column",
    "quote",
    "system",
    "key",
    "server_onupdate",
    "sort_order",
];

impl Lowerer<'_> {
    /// `mapped_column(...)` (`mapped` = true) or `Column(...)`; `annotation` is the
    /// unwrapped `Mapped[...]`, if any.
    pub(super) fn column(
        &mut self,
        attribute: &str,
        annotation: Option<&Annotation>,
        args: &[Arg],
        class_name: &str,
        pos: Pos,
    ) -> ColumnSpec {
        let mut spec = ColumnSpec {
            column: Column {
                name: attribute.to_string(),
                attribute: attribute.to_string(),
                sql_type: SqlType::Varchar(None),
                nullable: true,
                primary_key: false,
                unique: false,
                index: false,
                autoincrement: false,
                default: None,
                onupdate: None,
                server_default: None,
                server_default_is_string: false,
                checks: Vec::new(),
                comment: None,
                collation: None,
                declared_in: class_name.to_string(),
                line: pos.line,
            },
            sql_type: None,
            foreign_keys: Vec::new(),
            autoincrement: None,
            enum_check: None,
        };
        for (k, value) in positional(args).enumerate() {
            if k == 0 {
                if let Some(name) = value.as_str() {
                    spec.column.name = name.to_string();
                    continue;
                }
            }
            if value.as_call().is_some_and(|(f, _)| f == "ForeignKey") {
                if let Some(fk) = self.foreign_key(value) {
                    spec.foreign_keys.push(fk);
                }
            } else if let Some(("CheckConstraint", check_args)) = value.as_call() {
                match self.column_check(check_args) {
                    Some(check) => spec.column.checks.push(check),
                    None => self.error(
                        value.pos,
                        "a column's CheckConstraint needs its condition as a string or text('...')",
                    ),
                }
            } else if let Some(t) = type_object(value, &self.enums) {
                if let Some(collation) = value
                    .as_call()
                    .and_then(|(_, type_args)| kwarg(type_args, "collation"))
                    .and_then(Expr::as_str)
                {
                    spec.column.collation = Some(collation.to_string());
                }
                if let Some(("Enum", enum_args)) = value.as_call() {
                    let e = enum_spec(enum_args, &self.enums);
                    if !e.native && e.create_constraint {
                        spec.enum_check = Some((e.name, e.labels));
                    }
                }
                spec.sql_type = Some(t);
            } else if let Some(name) = looks_like_type(value) {
                self.warn(
                    value.pos,
                    format!("unknown type {name}: rendered as {}", name.to_uppercase()),
                );
                spec.sql_type = Some(SqlType::Other(name));
            } else {
                self.warn(value.pos, "this argument is not understood; ignored");
            }
        }
        let mut nullable = None;
        for arg in args.iter().filter(|a| a.name.is_some()) {
            let value = &arg.value;
            match arg.name.as_deref().unwrap_or_default() {
                "primary_key" => spec.column.primary_key = self.flag(value),
                "nullable" => nullable = Some(self.flag(value)),
                "unique" => spec.column.unique = self.flag(value),
                "index" => spec.column.index = self.flag(value),
                "autoincrement" => spec.autoincrement = Some(self.flag(value)),
                "default" | "insert_default" | "default_factory" => {
                    spec.column.default = Some(py_default(value, self.chars, &self.enums));
                }
                "onupdate" => {
                    spec.column.onupdate = Some(py_default(value, self.chars, &self.enums))
                }
                "server_default" => match server_default_sql(value) {
                    Ok(sql) => {
                        spec.column.server_default = Some(sql);
                        spec.column.server_default_is_string = value.as_str().is_some();
                    }
                    Err(message) => self.error(value.pos, message),
                },
                "comment" => match value.as_str() {
                    Some(text) => spec.column.comment = Some(text.to_string()),
                    None => self.warn(value.pos, "comment must be a string; ignored"),
                },
                "name" => match value.as_str() {
                    Some(name) => spec.column.name = name.to_string(),
                    None => self.warn(value.pos, "name must be a string"),
                },
                "type_" => match type_object(value, &self.enums) {
                    Some(t) => spec.sql_type = Some(t),
                    None => self.warn(value.pos, "unknown type; ignored"),
                },
                other if IGNORED_KWARGS.contains(&other) => {}
                other => self.warn(value.pos, format!("{other}= is not supported; ignored")),
            }
        }
        if arg_star(args) {
            self.warn(pos, "*args/**kwargs in a column are not expanded");
        }
        // SQLAlchemy reads the type from the annotation only for a column without a
        // ForeignKey: an untyped foreign-key column takes the referred column's type
        // (`Mapped[str]` on a key to VARCHAR(10) is VARCHAR(10)), resolved later.
        if spec.sql_type.is_none() && spec.foreign_keys.is_empty() {
            spec.sql_type = self.annotation_type(annotation, true, pos);
        }
        // SQLAlchemy 2.0: nullable follows `Optional` in the annotation unless given;
        // a primary key is never nullable.
        let annotated_optional = annotation.is_none_or(|a| a.optional);
        spec.column.nullable = !spec.column.primary_key && nullable.unwrap_or(annotated_optional);
        if let Some(t) = &spec.sql_type {
            spec.column.sql_type = t.clone();
        }
        spec
    }

    fn annotation_type(
        &mut self,
        annotation: Option<&Annotation>,
        required: bool,
        pos: Pos,
    ) -> Option<SqlType> {
        let Some(type_name) = annotation.and_then(|a| a.type_name.clone()) else {
            if required {
                self.error(
                    pos,
                    "the column has no type: give one, or annotate it Mapped[...]",
                );
                return Some(SqlType::Varchar(None));
            }
            return None;
        };
        let last = type_name.rsplit('.').next().unwrap_or(&type_name);
        if let Some((_, mapped)) = self
            .annotation_map
            .iter()
            .find(|(python, _)| python == last)
        {
            return Some(mapped.clone());
        }
        match type_for_python(&type_name, &self.enums) {
            Ok(t) => Some(t),
            Err(name) if name == "dict" => {
                self.error(pos, "SQLAlchemy has no default SQL type for dict: write mapped_column(JSON); JSON assumed");
                Some(SqlType::Json)
            }
            Err(name) => {
                self.error(pos, format!("SQLAlchemy has no default SQL type for {name}: pass a type to mapped_column"));
                Some(SqlType::Other(name))
            }
        }
    }

    fn foreign_key(&mut self, call: &Expr) -> Option<ForeignKeySpec> {
        let (_, args) = call.as_call()?;
        let target = positional(args).next().and_then(|t| match &t.kind {
            ExprKind::Str(s) => Some(s.clone()),
            // ForeignKey(User.id): the class attribute; resolved by name later.
            _ => t.dotted(),
        });
        let Some(target) = target else {
            self.error(call.pos, "ForeignKey needs a target such as 'users.id'");
            return None;
        };
        let text = |name: &str| kwarg(args, name).and_then(Expr::as_str).map(str::to_string);
        Some(ForeignKeySpec {
            target,
            name: text("name"),
            ondelete: text("ondelete"),
            onupdate: text("onupdate"),
            use_alter: kwarg(args, "use_alter").is_some_and(|v| self.flag(v)),
            pos: call.pos,
        })
    }

    /// `CheckConstraint('guests > 0', name='ck_...')` given to a column.
    fn column_check(&mut self, args: &[Arg]) -> Option<ColumnCheck> {
        let condition = positional(args).next()?;
        let sql = match condition.as_call() {
            Some(("text", text_args)) => positional(text_args).next()?.as_str()?.to_string(),
            _ => condition.as_str()?.to_string(),
        };
        let name = kwarg(args, "name")
            .and_then(Expr::as_str)
            .map(str::to_string);
        Some(ColumnCheck { name, sql })
    }

    pub(super) fn flag(&mut self, value: &Expr) -> bool {
        match &value.kind {
            ExprKind::Name(n) if n == "True" => true,
            ExprKind::Name(n) if n == "False" => false,
            _ => {
                self.warn(value.pos, "expected True or False; treated as True");
                true
            }
        }
    }

    pub(super) fn relationship(
        &mut self,
        attribute: &str,
        annotation: Option<&Annotation>,
        args: &[Arg],
        class_name: &str,
        pos: Pos,
    ) -> Relationship {
        let source = |e: &Expr| e.source(self.chars);
        let target = positional(args)
            .next()
            .and_then(|t| t.as_str().map(str::to_string).or_else(|| t.dotted()))
            .or_else(|| annotation.and_then(|a| a.type_name.clone()))
            .unwrap_or_default();
        if target.is_empty() {
            self.diagnostics.push(Diagnostic::error(
                pos,
                "relationship() needs a target: annotate Mapped['Class']",
            ));
        }
        let text = |name: &str| {
            kwarg(args, name).map(|v| v.as_str().map_or_else(|| source(v), str::to_string))
        };
        let mut rel = Relationship {
            name: attribute.to_string(),
            target,
            collection: annotation.is_some_and(|a| a.collection),
            back_populates: text("back_populates"),
            cascade: text("cascade"),
            lazy: text("lazy"),
            secondary: kwarg(args, "secondary")
                .map(|v| v.as_str().map_or_else(|| source(v), str::to_string)),
            remote_side: kwarg(args, "remote_side").map(source),
            passive_deletes: kwarg(args, "passive_deletes").map(source),
            other: Vec::new(),
            declared_in: class_name.to_string(),
            line: pos.line,
        };
        if let Some(uselist) = kwarg(args, "uselist") {
            rel.collection = matches!(&uselist.kind, ExprKind::Name(n) if n == "True");
        }
        let known = [
            "back_populates",
            "cascade",
            "lazy",
            "secondary",
            "remote_side",
            "passive_deletes",
            "uselist",
        ];
        for arg in args {
            if let Some(name) = arg.name.as_deref().filter(|n| !known.contains(n)) {
                rel.other.push((name.to_string(), source(&arg.value)));
            }
        }
        rel
    }
}

fn arg_star(args: &[Arg]) -> bool {
    args.iter().any(|a| a.star > 0)
}
