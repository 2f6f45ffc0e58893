//! Tables in the order `metadata.create_all` creates them (SQLAlchemy's
//! `sort_tables_and_constraints`): start from the tables in definition order, then
//! repeatedly take (in that order) every table whose referred tables are all taken.
//! Self-references do not count. A foreign key with `use_alter=True` does not count
//! either: create_all adds it after every table, with ALTER TABLE. Where tables refer to
//! each other in a cycle, every foreign key of each table on the cycle is moved to that
//! ALTER TABLE step too (SQLAlchemy does the same, with a warning) and the sort runs again.

use super::ir::{ForeignKey, ModelIr, Table};

/// What create_all does with a schema: tables in dependency layers (layer 0 refers to no
/// other table, layer n only to layers below it) and the foreign keys it adds afterwards.
pub struct CreateOrder<'a> {
    pub layers: Vec<Vec<usize>>,
    /// (table index, foreign key) added with ALTER TABLE after every table exists.
    pub altered: Vec<(usize, &'a ForeignKey)>,
}

impl CreateOrder<'_> {
    /// Whether create_all leaves this foreign key of table `table` out of its CREATE TABLE.
    pub fn is_altered(&self, table: usize, fk: &ForeignKey) -> bool {
        self.altered
            .iter()
            .any(|(t, f)| *t == table && std::ptr::eq(*f, fk))
    }
}

pub fn create_order(ir: &ModelIr) -> CreateOrder<'_> {
    let mut altered: Vec<(usize, &ForeignKey)> = Vec::new();
    for (t, table) in ir.tables.iter().enumerate() {
        altered.extend(
            table
                .foreign_keys()
                .filter(|fk| fk.use_alter)
                .map(|fk| (t, fk)),
        );
    }
    let layers = match topological_layers(ir, &altered) {
        Ok(layers) => layers,
        Err(()) => {
            for t in on_a_cycle(ir, &altered) {
                for fk in ir.tables[t].foreign_keys() {
                    if !altered
                        .iter()
                        .any(|(at, f)| *at == t && std::ptr::eq(*f, fk))
                    {
                        altered.push((t, fk));
                    }
                }
            }
            topological_layers(ir, &altered).expect("no cycle is left once its keys are altered")
        }
    };
    CreateOrder { layers, altered }
}

/// The dependency layers, for the diagram's columns.
pub fn layers(ir: &ModelIr) -> Vec<Vec<usize>> {
    create_order(ir).layers
}

/// Kahn's sort in rounds over definition order; `Err` where a cycle is left.
fn topological_layers(
    ir: &ModelIr,
    altered: &[(usize, &ForeignKey)],
) -> Result<Vec<Vec<usize>>, ()> {
    let depends = dependencies(ir, altered);
    let mut todo: Vec<usize> = (0..ir.tables.len()).collect();
    let mut done = vec![false; ir.tables.len()];
    let mut result = Vec::new();
    while !todo.is_empty() {
        let ready: Vec<usize> = todo
            .iter()
            .copied()
            .filter(|&t| depends[t].iter().all(|&d| done[d]))
            .collect();
        if ready.is_empty() {
            return Err(());
        }
        for &t in &ready {
            done[t] = true;
        }
        todo.retain(|t| !done[*t]);
        result.push(ready);
    }
    Ok(result)
}

/// For each table, the other tables it refers to through keys created inline.
fn dependencies(ir: &ModelIr, altered: &[(usize, &ForeignKey)]) -> Vec<Vec<usize>> {
    ir.tables
        .iter()
        .enumerate()
        .map(|(t, table)| {
            let mut out = Vec::new();
            for fk in table.foreign_keys() {
                if fk.ref_table == table.name
                    || altered
                        .iter()
                        .any(|(at, f)| *at == t && std::ptr::eq(*f, fk))
                {
                    continue;
                }
                if let Some(i) = position(ir, &fk.ref_table) {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
            out
        })
        .collect()
}

/// Tables that can reach themselves through inline foreign keys.
fn on_a_cycle(ir: &ModelIr, altered: &[(usize, &ForeignKey)]) -> Vec<usize> {
    let depends = dependencies(ir, altered);
    (0..ir.tables.len())
        .filter(|&start| {
            let mut seen = vec![false; ir.tables.len()];
            let mut stack = depends[start].clone();
            while let Some(t) = stack.pop() {
                if t == start {
                    return true;
                }
                if !std::mem::replace(&mut seen[t], true) {
                    stack.extend(&depends[t]);
                }
            }
            false
        })
        .collect()
}

fn position(ir: &ModelIr, name: &str) -> Option<usize> {
    ir.tables.iter().position(|t: &Table| t.name == name)
}
