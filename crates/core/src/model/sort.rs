//! Tables in dependency order, as SQLAlchemy's `MetaData.sorted_tables` gives them:
//! start from the tables sorted by name, then repeatedly take (in that order) every
//! table whose referred tables are all taken. Self-references do not count.

use super::ir::{ModelIr, Table};

/// The dependency layers: layer 0 refers to no other table, layer n only to layers
/// below it. Tables caught in a foreign-key cycle come last, as one layer, by name
/// (SQLAlchemy would warn and add those foreign keys with ALTER TABLE instead).
pub fn layers(ir: &ModelIr) -> Vec<Vec<usize>> {
    let mut todo: Vec<usize> = (0..ir.tables.len()).collect();
    todo.sort_by(|&a, &b| ir.tables[a].name.cmp(&ir.tables[b].name));
    let depends: Vec<Vec<usize>> = ir.tables.iter().map(|t| dependencies(ir, t)).collect();
    let mut done = vec![false; ir.tables.len()];
    let mut result = Vec::new();
    while !todo.is_empty() {
        let ready: Vec<usize> = todo
            .iter()
            .copied()
            .filter(|&t| depends[t].iter().all(|&d| done[d]))
            .collect();
        if ready.is_empty() {
            result.push(std::mem::take(&mut todo));
            break;
        }
        for &t in &ready {
            done[t] = true;
        }
        todo.retain(|t| !done[*t]);
        result.push(ready);
    }
    result
}

/// Tables in create order.
pub fn sorted_tables(ir: &ModelIr) -> Vec<&Table> {
    layers(ir)
        .into_iter()
        .flatten()
        .map(|i| &ir.tables[i])
        .collect()
}

/// Indices of the other tables `table` refers to.
fn dependencies(ir: &ModelIr, table: &Table) -> Vec<usize> {
    let mut out = Vec::new();
    for fk in table.foreign_keys() {
        if fk.ref_table == table.name {
            continue;
        }
        if let Some(i) = ir.tables.iter().position(|t| t.name == fk.ref_table) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}
