//! `MetaData(naming_convention={...})`: names for the constraints and indexes a model
//! leaves unnamed, as SQLAlchemy gives them at table creation. SQLAlchemy's default
//! convention, `{"ix": "ix_%(column_0_label)s"}`, applies always (it is what names an
//! `index=True` column's index and an `Index(None, ...)`).

use super::super::ast::{kwarg, Expr, ExprKind};
use super::super::ir::{Constraint, Table};

/// The convention: key (`ix`, `uq`, `ck`, `fk`, `pk`) and template.
#[derive(Clone, Debug, Default)]
pub(super) struct NamingConvention {
    templates: Vec<(String, String)>,
}

impl NamingConvention {
    /// From `MetaData(naming_convention={...})`, if `expr` is that call.
    pub fn from_metadata(expr: &Expr) -> Option<NamingConvention> {
        let (callee, args) = expr.as_call()?;
        if callee != "MetaData" {
            return None;
        }
        let ExprKind::Dict(pairs) = &kwarg(args, "naming_convention")?.kind else {
            return None;
        };
        let templates = pairs
            .iter()
            .filter_map(|(k, v)| Some((k.as_ref()?.as_str()?.to_string(), v.as_str()?.to_string())))
            .collect();
        Some(NamingConvention { templates })
    }

    fn template(&self, key: &str) -> Option<&str> {
        self.templates
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.as_str())
            .or((key == "ix").then_some("ix_%(column_0_label)s"))
    }

    /// The name for a constraint of kind `key` on `columns`; `None` where the convention
    /// gives none (the constraint stays as written).
    fn name(
        &self,
        key: &str,
        table: &str,
        columns: &[String],
        referred_table: Option<&str>,
        explicit: Option<&str>,
    ) -> Option<String> {
        let template = self.template(key)?;
        // An explicit name is kept, unless the template is built from it.
        if explicit.is_some() && !template.contains("%(constraint_name)s") {
            return None;
        }
        if explicit.is_none() && template.contains("%(constraint_name)s") {
            return None;
        }
        let first = columns.first().map(String::as_str).unwrap_or_default();
        let tokens = [
            ("table_name", table.to_string()),
            ("column_0_name", first.to_string()),
            ("column_0_label", format!("{table}_{first}")),
            ("column_0N_name", columns.concat()),
            ("column_0_N_name", columns.join("_")),
            (
                "referred_table_name",
                referred_table.unwrap_or_default().to_string(),
            ),
            ("constraint_name", explicit.unwrap_or_default().to_string()),
        ];
        let mut name = template.to_string();
        for (token, value) in tokens {
            name = name.replace(&format!("%({token})s"), &value);
        }
        Some(name)
    }

    /// Names every table's unnamed (or convention-named) constraints and indexes.
    pub fn apply(&self, tables: &mut [Table]) {
        for table in tables {
            if let Some(name) = self.name(
                "pk",
                &table.name,
                &table.primary_key,
                None,
                table.primary_key_name.as_deref(),
            ) {
                if !table.primary_key.is_empty() {
                    table.conventional_names.push(name.clone());
                    table.primary_key_name = Some(name);
                }
            }
            for constraint in &mut table.constraints {
                match constraint {
                    Constraint::Unique { name, columns } => {
                        if let Some(n) =
                            self.name("uq", &table.name, columns, None, name.as_deref())
                        {
                            table.conventional_names.push(n.clone());
                            *name = Some(n);
                        }
                    }
                    Constraint::Check { name, .. } => {
                        if let Some(n) = self.name("ck", &table.name, &[], None, name.as_deref()) {
                            table.conventional_names.push(n.clone());
                            *name = Some(n);
                        }
                    }
                    Constraint::ForeignKey(fk) => {
                        if let Some(n) = self.name(
                            "fk",
                            &table.name,
                            &fk.columns,
                            Some(&fk.ref_table),
                            fk.name.as_deref(),
                        ) {
                            table.conventional_names.push(n.clone());
                            fk.name = Some(n);
                        }
                    }
                }
            }
            for index in &mut table.indexes {
                if index.name.is_empty() {
                    let columns: Vec<String> = index
                        .plain_columns()
                        .unwrap_or_default()
                        .into_iter()
                        .map(str::to_string)
                        .collect();
                    if let Some(n) = self.name("ix", &table.name, &columns, None, None) {
                        table.conventional_names.push(n.clone());
                        index.name = n;
                    }
                }
            }
        }
    }
}
