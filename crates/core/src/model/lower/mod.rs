//! Declarative semantics: from the syntax tree to the [`ModelIr`].
//!
//! - A class under a `DeclarativeBase` subclass is mapped unless `__abstract__ = True`.
//! - Its columns are its own, then those of the other classes in its MRO (C3, as
//!   Python computes it) that are not mapped themselves (mixins, abstract bases): the
//!   first definition of a name wins, which is SQLAlchemy's column order.
//! - A class name defined twice: the later definition replaces the earlier one (the
//!   reference redefines Order and Category from snippet to snippet; pasting several
//!   snippets should give their last version, as re-running the module would).

mod aliases;
mod columns;
mod constraints;
mod defined;
mod naming;
mod resolve;
mod values;

use std::collections::{HashMap, HashSet};

use super::ast::{Expr, ExprKind, Stmt, StmtKind};
use super::diagnostics::{Diagnostic, Pos, Severity};
use super::ir::{
    ClassInfo, ClassKind, EnumDef, Literal, Member, MemberKind, ModelIr, Relationship, SqlType,
};
use columns::ColumnSpec;
use constraints::Extras;
use values::{literal, mapped_annotation};

pub(super) struct Lowerer<'a> {
    chars: &'a [char],
    diagnostics: Vec<Diagnostic>,
    enums: Vec<EnumDef>,
    /// The declarative base's `type_annotation_map`: Python type name -> SQL type.
    annotation_map: Vec<(String, SqlType)>,
}

struct ClassDecl<'s> {
    name: String,
    /// Base classes by their last name (`sa.orm.DeclarativeBase` -> DeclarativeBase).
    bases: Vec<String>,
    body: &'s [Stmt],
    pos: Pos,
}

/// Something that becomes a table, placed by its position in the file.
enum Item<'c, 's> {
    Class(&'c ClassDecl<'s>),
    Table { var: String, call: &'s Expr },
}

/// One attribute of one class body, lowered once even if many tables inherit it.
#[derive(Clone)]
enum Attr {
    Column(Box<ColumnSpec>),
    Relationship(Relationship),
    Member(Member),
    /// `__tablename__`, `__table_args__`...: read separately.
    Dunder,
}

/// A table whose columns are known but whose foreign keys are not yet resolved.
pub(super) struct PendingTable {
    table: super::ir::Table,
    specs: Vec<ColumnSpec>,
    extras: Extras,
    /// Mapped classes need a primary key; `Table(...)` does not.
    mapped: bool,
    pos: Pos,
}

const ENUM_BASES: &[&str] = &["Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"];
const DECLARATIVE_BASES: &[&str] = &["DeclarativeBase", "DeclarativeBaseNoMeta"];

pub fn lower(module: &[Stmt], chars: &[char]) -> (ModelIr, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        chars,
        diagnostics: Vec::new(),
        enums: Vec::new(),
        annotation_map: Vec::new(),
    };
    // On the source as written: an import rename binds the alias, not the original.
    for (name, pos) in defined::undefined_names(module) {
        lowerer.error(
            pos,
            format!("name '{name}' is not defined: Python stops here with a NameError (import it, or check the spelling)"),
        );
    }
    let module = aliases::resolve(module);
    let ir = lowerer.module(&module);
    (ir, lowerer.diagnostics)
}

impl Lowerer<'_> {
    fn warn(&mut self, pos: Pos, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(pos, message));
    }

    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(pos, message));
    }

    fn module(&mut self, module: &[Stmt]) -> ModelIr {
        let mut classes: Vec<Option<ClassDecl>> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut core_tables = Vec::new();
        let mut module_indexes: Vec<&Expr> = Vec::new();
        let mut declarative_vars = HashSet::new();
        for stmt in module {
            match &stmt.kind {
                StmtKind::Expr(e) if e.as_call().is_some_and(|(f, _)| f == "Index") => {
                    module_indexes.push(e);
                }
                StmtKind::Assign { value, .. }
                    if value.as_call().is_some_and(|(f, _)| f == "Index") =>
                {
                    module_indexes.push(value);
                }
                StmtKind::ClassDef {
                    name, bases, body, ..
                } => {
                    if let Some(old) = by_name.get(name).copied() {
                        let line = classes[old].as_ref().map_or(0, |c| c.pos.line);
                        self.diagnostics.push(Diagnostic::new(
                            stmt.pos,
                            Severity::Info,
                            format!("class {name} replaces its definition at line {line}"),
                        ));
                        classes[old] = None;
                    }
                    by_name.insert(name.clone(), classes.len());
                    classes.push(Some(ClassDecl {
                        name: name.clone(),
                        bases: bases
                            .iter()
                            .filter_map(|b| b.value.last_name().map(str::to_string))
                            .collect(),
                        body,
                        pos: stmt.pos,
                    }));
                }
                StmtKind::Assign { targets, value } => {
                    let Some(var) = targets.first().and_then(|t| t.last_name()) else {
                        continue;
                    };
                    match value.as_call().map(|(f, _)| f) {
                        Some("Table") => core_tables.push((var.to_string(), value)),
                        Some("declarative_base" | "generate_base") => {
                            declarative_vars.insert(var.to_string());
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let classes: HashMap<String, ClassDecl> = classes
            .into_iter()
            .flatten()
            .map(|c| (c.name.clone(), c))
            .collect();
        let mut model = Model {
            classes: &classes,
            declarative_vars,
            mros: HashMap::new(),
            attrs: HashMap::new(),
        };
        let mut class_order: Vec<&ClassDecl> = classes.values().collect();
        class_order.sort_by_key(|c| c.pos);
        // Enums first: a column may name an enum defined below it.
        for decl in &class_order {
            if decl.bases.iter().any(|b| ENUM_BASES.contains(&b.as_str())) {
                let def = self.enum_def(decl);
                self.enums.push(def);
            }
        }

        // `class Base(DeclarativeBase): type_annotation_map = {str: String(255), ...}`:
        // what a bare `Mapped[str]` means in every class under it.
        let map = class_order
            .iter()
            .filter(|c| model.is_base(&c.name))
            .find_map(|c| dunder(c.body, "type_annotation_map"));
        if let Some(ExprKind::Dict(pairs)) = map.map(|m| &m.kind) {
            for (key, value) in pairs {
                let python = key.as_ref().and_then(|k| k.last_name()).map(str::to_string);
                match (python, values::type_object(value, &self.enums)) {
                    (Some(python), Some(sql_type)) => self.annotation_map.push((python, sql_type)),
                    _ => self.warn(
                        value.pos,
                        "this type_annotation_map entry is not understood; ignored",
                    ),
                }
            }
        }
        let mut ir = ModelIr::default();
        let mut pending = Vec::new();
        let mut table_vars = HashMap::new();
        // Tables in definition order: classes and Table(...) interleaved by position.
        let mut positioned: Vec<(Pos, Item)> = class_order
            .iter()
            .map(|d| (d.pos, Item::Class(d)))
            .collect();
        for (var, call) in core_tables {
            positioned.push((call.pos, Item::Table { var, call }));
        }
        positioned.sort_by_key(|p| p.0);
        for (_, item) in positioned {
            match item {
                Item::Class(decl) => {
                    let kind = self.classify(&mut model, decl);
                    ir.classes.push(ClassInfo {
                        name: decl.name.clone(),
                        bases: decl.bases.clone(),
                        kind,
                        line: decl.pos.line,
                    });
                    if kind == ClassKind::Mapped {
                        if let Some(t) = self.mapped_table(&mut model, decl) {
                            pending.push(t);
                        }
                    }
                }
                Item::Table { var, call } => {
                    if let Some(t) = self.core_table(call) {
                        table_vars.insert(var, t.table.name.clone());
                        pending.push(t);
                    }
                }
            }
        }
        for index in module_indexes {
            self.module_index(index, &mut pending, &table_vars);
        }
        ir.enums = std::mem::take(&mut self.enums);
        self.enums = ir.enums.clone();
        ir.tables = self.resolve(pending, &table_vars);
        let convention = classes
            .values()
            .filter(|c| model.is_base(&c.name))
            .find_map(|c| {
                dunder(c.body, "metadata").and_then(naming::NamingConvention::from_metadata)
            })
            .unwrap_or_default();
        convention.apply(&mut ir.tables);
        ir
    }

    /// `Index('ix', func.lower(User.email))` after the classes: SQLAlchemy attaches it to
    /// the table of the first column it names (`Class.attr` or `table.c.col`).
    fn module_index(
        &mut self,
        index: &Expr,
        pending: &mut [PendingTable],
        table_vars: &HashMap<String, String>,
    ) {
        fn first_owner(expr: &Expr) -> Option<(&str, bool)> {
            match &expr.kind {
                ExprKind::Attr(base, _) => match &base.kind {
                    ExprKind::Name(class) => Some((class, true)),
                    ExprKind::Attr(table, c) if c == "c" => table.last_name().map(|t| (t, false)),
                    _ => first_owner(base),
                },
                ExprKind::Call(func, args) => {
                    let in_args = || args.iter().find_map(|a| first_owner(&a.value));
                    // `func.lower(...)` names no table; `User.email.desc()` does.
                    let sql_function = func
                        .dotted()
                        .is_some_and(|d| d.starts_with("func.") || d.contains(".func."));
                    if sql_function {
                        in_args()
                    } else {
                        first_owner(func).or_else(in_args)
                    }
                }
                ExprKind::BinOp(left, _, right) => first_owner(left).or_else(|| first_owner(right)),
                _ => None,
            }
        }
        let Some((_, args)) = index.as_call() else {
            return;
        };
        let owner = args
            .iter()
            .skip(1)
            .filter(|a| a.name.is_none())
            .find_map(|a| first_owner(&a.value));
        let target = owner.and_then(|(name, is_class)| {
            pending.iter().position(|p| {
                if is_class {
                    p.table.class_name.as_deref() == Some(name)
                } else {
                    table_vars.get(name) == Some(&p.table.name)
                }
            })
        });
        match target {
            Some(t) => {
                let p = &mut pending[t];
                let specs = std::mem::take(&mut p.specs);
                let mut extras = std::mem::take(&mut p.extras);
                self.index(index, args, &specs, &mut extras);
                let p = &mut pending[t];
                p.specs = specs;
                p.extras = extras;
            }
            None => self.error(
                index.pos,
                "this Index names no column of a table in this file (write Model.column)",
            ),
        }
    }

    fn enum_def(&mut self, decl: &ClassDecl) -> EnumDef {
        let mut members = Vec::new();
        for stmt in decl.body {
            if let StmtKind::Assign { targets, value } = &stmt.kind {
                if let Some(ExprKind::Name(name)) = targets.first().map(|t| &t.kind) {
                    if name.starts_with('_') {
                        continue;
                    }
                    let value =
                        literal(value).unwrap_or_else(|| Literal::Str(value.source(self.chars)));
                    members.push((name.clone(), value));
                }
            }
        }
        EnumDef {
            name: decl.name.clone(),
            members,
            line: decl.pos.line,
        }
    }

    fn classify(&mut self, model: &mut Model, decl: &ClassDecl) -> ClassKind {
        if decl.bases.iter().any(|b| ENUM_BASES.contains(&b.as_str())) {
            return ClassKind::Enum;
        }
        if model.is_base(&decl.name) {
            return ClassKind::DeclarativeBase;
        }
        let mro = model.mro(&decl.name, self);
        if !mro.iter().any(|c| model.is_base(c)) {
            return ClassKind::Plain;
        }
        if dunder(decl.body, "__abstract__")
            .is_some_and(|v| matches!(&v.kind, ExprKind::Name(n) if n == "True"))
        {
            return ClassKind::Abstract;
        }
        ClassKind::Mapped
    }

    fn mapped_table(&mut self, model: &mut Model, decl: &ClassDecl) -> Option<PendingTable> {
        let mro = model.mro(&decl.name, self);
        let mapped_ancestor = mro.iter().skip(1).any(|c| model.is_mapped(c, self));
        let declared = dunder(decl.body, "__tablename__").is_none().then(|| {
            mro.iter()
                .filter_map(|c| model.classes.get(c))
                .find_map(|c| declared_tablename(c.body, &decl.name))
        });
        if let Some(Some(found)) = declared {
            return match found {
                Ok(table_name) => self.mapped_table_named(model, decl, &mro, table_name),
                Err(pos) => {
                    self.error(
                        pos,
                        "this declared_attr __tablename__ is not one we can evaluate (write `return cls.__name__.lower()` or a string)",
                    );
                    None
                }
            };
        }
        let Some(name_expr) = dunder(decl.body, "__tablename__") else {
            if mapped_ancestor {
                self.warn(
                    decl.pos,
                    "single-table inheritance is not modelled: no table of its own",
                );
            } else {
                self.error(
                    decl.pos,
                    format!(
                        "class {} needs __tablename__ (or __abstract__ = True)",
                        decl.name
                    ),
                );
            }
            return None;
        };
        let Some(table_name) = name_expr.as_str().map(str::to_string) else {
            self.error(name_expr.pos, "__tablename__ must be a string");
            return None;
        };
        self.mapped_table_named(model, decl, &mro, table_name)
    }

    fn mapped_table_named(
        &mut self,
        model: &mut Model,
        decl: &ClassDecl,
        mro: &[String],
        table_name: String,
    ) -> Option<PendingTable> {
        let mut seen = HashSet::new();
        let mut specs = Vec::new();
        let mut table = super::ir::Table {
            name: table_name,
            class_name: Some(decl.name.clone()),
            docstring: docstring(decl.body),
            line: decl.pos.line,
            columns: Vec::new(),
            primary_key: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            relationships: Vec::new(),
            members: Vec::new(),
            primary_key_name: None,
            comment: None,
            options: Vec::new(),
            conventional_names: Vec::new(),
        };
        let mut table_args = None;
        for class in mro {
            // A mapped superclass keeps its columns in its own table (joined inheritance).
            if class != &decl.name && (model.is_mapped(class, self) || model.is_base(class)) {
                continue;
            }
            let Some(source) = model.classes.get(class) else {
                continue;
            };
            if table_args.is_none() {
                table_args = dunder(source.body, "__table_args__");
            }
            for (name, attr) in model.attrs(class, self) {
                if !seen.insert(name) {
                    continue;
                }
                match attr {
                    Attr::Column(spec) => specs.push(*spec),
                    Attr::Relationship(r) => table.relationships.push(r),
                    Attr::Member(m) => table.members.push(m),
                    Attr::Dunder => {}
                }
            }
        }
        let mut extras = Extras::default();
        if let Some(args) = table_args {
            self.table_args(args, &specs, &mut extras);
        }
        Some(PendingTable {
            table,
            specs,
            extras,
            mapped: true,
            pos: decl.pos,
        })
    }

    /// `Table('name', metadata, Column(...), ..., constraints...)`.
    fn core_table(&mut self, call: &Expr) -> Option<PendingTable> {
        let (_, args) = call.as_call()?;
        let mut positional = super::ast::positional(args);
        let Some(name) = positional.next().and_then(Expr::as_str).map(str::to_string) else {
            self.error(call.pos, "Table() needs a name string first");
            return None;
        };
        let mut specs = Vec::new();
        let mut others = Vec::new();
        for arg in positional.skip(1) {
            match arg.as_call() {
                Some(("Column" | "mapped_column", column_args)) => {
                    let column_name = super::ast::positional(column_args)
                        .next()
                        .and_then(Expr::as_str)
                        .unwrap_or_default();
                    if column_name.is_empty() {
                        self.error(arg.pos, "Column() in a Table needs a name string first");
                        continue;
                    }
                    specs.push(self.column(column_name, None, column_args, &name, arg.pos));
                }
                _ => others.push(arg),
            }
        }
        let mut extras = Extras::default();
        for other in others {
            self.table_extra(other, &specs, &mut extras);
        }
        extras.comment = super::ast::kwarg(args, "comment")
            .and_then(Expr::as_str)
            .map(str::to_string);
        let table = super::ir::Table {
            name,
            class_name: None,
            docstring: None,
            line: call.pos.line,
            columns: Vec::new(),
            primary_key: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            relationships: Vec::new(),
            members: Vec::new(),
            primary_key_name: None,
            comment: None,
            options: Vec::new(),
            conventional_names: Vec::new(),
        };
        Some(PendingTable {
            table,
            specs,
            extras,
            mapped: false,
            pos: call.pos,
        })
    }

    /// Lowers every attribute of one class body.
    fn class_body(&mut self, decl: &ClassDecl) -> Vec<(String, Attr)> {
        let mut out = Vec::new();
        for stmt in decl.body {
            match &stmt.kind {
                StmtKind::AnnAssign {
                    target,
                    annotation,
                    value,
                } => {
                    let Some(name) = target
                        .last_name()
                        .filter(|_| matches!(target.kind, ExprKind::Name(_)))
                    else {
                        continue;
                    };
                    let attr = self.attribute(
                        name,
                        mapped_annotation(annotation),
                        value.as_ref(),
                        decl,
                        stmt.pos,
                    );
                    out.push((name.to_string(), attr));
                }
                StmtKind::Assign { targets, value } => {
                    for target in targets {
                        if let ExprKind::Name(name) = &target.kind {
                            let attr = self.attribute(name, None, Some(value), decl, stmt.pos);
                            out.push((name.clone(), attr));
                        }
                    }
                }
                StmtKind::FunctionDef {
                    name,
                    decorators,
                    returns,
                    result,
                } => {
                    let decorators: Vec<String> =
                        decorators.iter().map(|d| d.source(self.chars)).collect();
                    if decorators.iter().any(|d| d.contains("declared_attr")) {
                        // `__tablename__` is read by `table_name`; a column or
                        // relationship is what the function returns, as if assigned.
                        if name.starts_with("__") {
                            continue;
                        }
                        match result {
                            Some(value) => {
                                let annotation = returns.as_ref().and_then(mapped_annotation);
                                let attr =
                                    self.attribute(name, annotation, Some(value), decl, stmt.pos);
                                out.push((name.clone(), attr));
                            }
                            None => self.warn(
                                stmt.pos,
                                "this declared_attr returns nothing we can read (write `return mapped_column(...)`); its column or relationship is missing",
                            ),
                        }
                        continue;
                    }
                    let is_property = decorators
                        .iter()
                        .any(|d| d.ends_with("property") || d.ends_with(".setter"));
                    out.push((
                        name.clone(),
                        Attr::Member(Member {
                            name: name.clone(),
                            kind: if is_property {
                                MemberKind::Property
                            } else {
                                MemberKind::Method
                            },
                            decorators,
                            declared_in: decl.name.clone(),
                            line: stmt.pos.line,
                        }),
                    ));
                }
                StmtKind::ClassDef { name, .. } => out.push((
                    name.clone(),
                    Attr::Member(Member {
                        name: name.clone(),
                        kind: MemberKind::Attribute,
                        decorators: Vec::new(),
                        declared_in: decl.name.clone(),
                        line: stmt.pos.line,
                    }),
                )),
                StmtKind::Other(word) => {
                    self.warn(
                        stmt.pos,
                        format!("'{word}' in a class body is not evaluated"),
                    );
                }
                StmtKind::Import { .. } | StmtKind::Expr(_) | StmtKind::Pass => {}
            }
        }
        out
    }

    fn attribute(
        &mut self,
        name: &str,
        annotation: Option<values::Annotation>,
        value: Option<&Expr>,
        decl: &ClassDecl,
        pos: Pos,
    ) -> Attr {
        if name.starts_with("__") && name.ends_with("__") {
            return Attr::Dunder;
        }
        let call = value.and_then(Expr::as_call);
        match call {
            Some(("mapped_column" | "Column", args)) => Attr::Column(Box::new(self.column(
                name,
                annotation.as_ref(),
                args,
                &decl.name,
                pos,
            ))),
            Some(("relationship" | "relation", args)) => Attr::Relationship(self.relationship(
                name,
                annotation.as_ref(),
                args,
                &decl.name,
                pos,
            )),
            None if value.is_none() && annotation.is_some() => {
                // `name: Mapped[str]` alone is a column with every default.
                Attr::Column(Box::new(self.column(
                    name,
                    annotation.as_ref(),
                    &[],
                    &decl.name,
                    pos,
                )))
            }
            _ => Attr::Member(Member {
                name: name.to_string(),
                kind: MemberKind::Attribute,
                decorators: Vec::new(),
                declared_in: decl.name.clone(),
                line: pos.line,
            }),
        }
    }
}

/// Class relationships of the file: MROs and lowered bodies, computed once each.
struct Model<'c, 's> {
    classes: &'c HashMap<String, ClassDecl<'s>>,
    declarative_vars: HashSet<String>,
    mros: HashMap<String, Vec<String>>,
    attrs: HashMap<String, Vec<(String, Attr)>>,
}

impl Model<'_, '_> {
    fn is_base(&self, name: &str) -> bool {
        self.declarative_vars.contains(name)
            || self.classes.get(name).is_some_and(|c| {
                c.bases
                    .iter()
                    .any(|b| DECLARATIVE_BASES.contains(&b.as_str()))
            })
    }

    fn is_mapped(&mut self, name: &str, lowerer: &mut Lowerer) -> bool {
        let Some(decl) = self.classes.get(name) else {
            return false;
        };
        if self.is_base(name) || dunder(decl.body, "__abstract__").is_some() {
            return false;
        }
        let mro = self.mro(name, lowerer);
        mro.iter().any(|c| self.is_base(c)) && dunder(decl.body, "__tablename__").is_some()
    }

    fn attrs(&mut self, name: &str, lowerer: &mut Lowerer) -> Vec<(String, Attr)> {
        if let Some(cached) = self.attrs.get(name) {
            return cached.clone();
        }
        let lowered = match self.classes.get(name) {
            Some(decl) => lowerer.class_body(decl),
            None => Vec::new(),
        };
        self.attrs.insert(name.to_string(), lowered.clone());
        lowered
    }

    /// Python's C3 linearisation over the classes of this file (bases defined
    /// elsewhere, such as DeclarativeBase or str, are left out).
    fn mro(&mut self, name: &str, lowerer: &mut Lowerer) -> Vec<String> {
        let mut visiting = HashSet::new();
        self.mro_inner(name, lowerer, &mut visiting)
    }

    fn mro_inner(
        &mut self,
        name: &str,
        lowerer: &mut Lowerer,
        visiting: &mut HashSet<String>,
    ) -> Vec<String> {
        if let Some(done) = self.mros.get(name) {
            return done.clone();
        }
        let Some(decl) = self.classes.get(name) else {
            return Vec::new();
        };
        if !visiting.insert(name.to_string()) {
            lowerer.error(decl.pos, format!("class {name} inherits from itself"));
            return vec![name.to_string()];
        }
        let bases: Vec<String> = decl
            .bases
            .iter()
            .filter(|b| self.classes.contains_key(*b))
            .cloned()
            .collect();
        let mut sequences: Vec<Vec<String>> = bases
            .iter()
            .map(|b| self.mro_inner(b, lowerer, visiting))
            .collect();
        sequences.push(bases);
        let mut result = vec![name.to_string()];
        loop {
            sequences.retain(|s| !s.is_empty());
            if sequences.is_empty() {
                break;
            }
            let head = sequences
                .iter()
                .map(|s| s[0].clone())
                .find(|candidate| !sequences.iter().any(|s| s[1..].contains(candidate)));
            let Some(head) = head else {
                let pos = decl.pos;
                lowerer.error(
                    pos,
                    format!("cannot create a consistent method resolution order for {name}"),
                );
                for s in &sequences {
                    for c in s {
                        if !result.contains(c) {
                            result.push(c.clone());
                        }
                    }
                }
                break;
            };
            for s in &mut sequences {
                if s[0] == head {
                    s.remove(0);
                }
            }
            result.push(head);
        }
        visiting.remove(name);
        self.mros.insert(name.to_string(), result.clone());
        result
    }
}

/// The value assigned to a dunder (`__tablename__ = 'x'`) in a class body.
/// A `@declared_attr.directive def __tablename__(cls)` in `body`, evaluated for the class
/// `class_name`: `Err` with its position when its expression is not one we can evaluate.
fn declared_tablename(body: &[Stmt], class_name: &str) -> Option<Result<String, Pos>> {
    fn eval(expr: &Expr, class_name: &str) -> Option<String> {
        match &expr.kind {
            ExprKind::Str(s) => Some(s.clone()),
            ExprKind::Attr(base, attr) if attr == "__name__" && base.last_name() == Some("cls") => {
                Some(class_name.to_string())
            }
            ExprKind::Call(func, args) if args.is_empty() => match &func.kind {
                ExprKind::Attr(inner, method) if method == "lower" => {
                    eval(inner, class_name).map(|s| s.to_lowercase())
                }
                ExprKind::Attr(inner, method) if method == "upper" => {
                    eval(inner, class_name).map(|s| s.to_uppercase())
                }
                _ => None,
            },
            ExprKind::BinOp(a, op, b) if op == "+" => {
                Some(eval(a, class_name)? + &eval(b, class_name)?)
            }
            _ => None,
        }
    }
    body.iter().find_map(|stmt| match &stmt.kind {
        StmtKind::FunctionDef {
            name,
            decorators,
            result,
            ..
        } if name == "__tablename__"
            && decorators
                .iter()
                .any(|d| d.dotted().is_some_and(|n| n.contains("declared_attr"))) =>
        {
            Some(
                result
                    .as_ref()
                    .and_then(|r| eval(r, class_name))
                    .ok_or(stmt.pos),
            )
        }
        _ => None,
    })
}

fn dunder<'s>(body: &'s [Stmt], name: &str) -> Option<&'s Expr> {
    body.iter().rev().find_map(|stmt| match &stmt.kind {
        StmtKind::Assign { targets, value }
            if targets.iter().any(|t| t.last_name() == Some(name)) =>
        {
            Some(value)
        }
        StmtKind::AnnAssign {
            target,
            value: Some(value),
            ..
        } if target.last_name() == Some(name) => Some(value),
        _ => None,
    })
}

fn docstring(body: &[Stmt]) -> Option<String> {
    match body.first().map(|s| &s.kind) {
        Some(StmtKind::Expr(e)) => e.as_str().map(|s| s.trim().to_string()),
        _ => None,
    }
}
