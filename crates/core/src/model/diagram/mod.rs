//! ER diagram: a layout (tables as boxes, foreign keys as edges with cardinality) and
//! its SVG rendering ([`to_svg`]).
//!
//! Layout is layered by foreign-key dependency, left to right: referenced tables in the
//! first column, tables referring to them to their right (the order of
//! [`super::sort::layers`]). A layer with more than [`MAX_PER_COLUMN`] tables wraps into
//! several columns, so 10 tables stay readable. Boxes in one column are stacked with a
//! gap and columns are separated by their widest box plus a gutter for the edges, so no
//! two boxes overlap by construction.

mod svg;

use serde::{Deserialize, Serialize};

use super::ir::{Constraint, ModelIr, Table};
use super::sort::layers;

pub use svg::{render_svg, xml_escape};

/// Tables per column before a dependency layer wraps into another column.
pub const MAX_PER_COLUMN: usize = 4;
pub const HEADER_HEIGHT: i32 = 26;
pub const ROW_HEIGHT: i32 = 18;
/// Approximate advance of one character at the diagram's 12px monospace font.
pub const CHAR_WIDTH: i32 = 7;
const MARGIN: i32 = 24;
const COLUMN_GUTTER: i32 = 90;
const ROW_GAP: i32 = 36;
const BOX_PADDING: i32 = 10;
/// Width of the PK/FK marker column inside a box.
pub const MARKER_WIDTH: i32 = 26;
/// Index lines under the columns: 10px text, after a separating rule.
pub const INDEX_ROW_HEIGHT: i32 = 15;
pub const INDEX_CHAR_WIDTH: i32 = 6;
pub const INDEX_GAP: i32 = 6;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub width: i32,
    pub height: i32,
    pub boxes: Vec<TableBox>,
    pub edges: Vec<Edge>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableBox {
    pub table: String,
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
    pub rows: Vec<Row>,
    /// The table's indexes, listed under its columns (a partial or expression index is
    /// the lesson on some pages, so it must be visible, not only in the DDL).
    #[serde(default)]
    pub indexes: Vec<IndexNote>,
}

/// One index line of a box: `UQ (email) WHERE deleted_at IS NULL`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexNote {
    pub name: String,
    pub unique: bool,
    /// The elements and the partial condition: `(email) WHERE deleted_at IS NULL`.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub column: String,
    pub sql_type: String,
    pub primary_key: bool,
    pub foreign_key: bool,
    pub nullable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cardinality {
    One,
    Many,
}

impl Cardinality {
    pub fn label(self) -> &'static str {
        match self {
            Cardinality::One => "1",
            Cardinality::Many => "N",
        }
    }
}

/// One foreign key: from the referring column to the referred one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub from_table: String,
    pub from_column: String,
    pub to_table: String,
    pub to_column: String,
    /// N, or 1 when the foreign-key columns are unique (one-to-one).
    pub from_cardinality: Cardinality,
    pub to_cardinality: Cardinality,
    pub self_reference: bool,
    /// Both ends on the right side of their boxes (a self-reference, or a cycle
    /// between tables of one column): drawn as a loop.
    pub same_side: bool,
    /// Where the edge leaves and enters the boxes (row middles, on a box side).
    pub start: (i32, i32),
    pub end: (i32, i32),
}

impl TableBox {
    /// The vertical middle of a column's row (the header's middle if absent).
    pub fn row_y(&self, column: &str) -> i32 {
        match self.rows.iter().position(|r| r.column == column) {
            Some(k) => self.y + HEADER_HEIGHT + k as i32 * ROW_HEIGHT + ROW_HEIGHT / 2,
            None => self.y + HEADER_HEIGHT / 2,
        }
    }

    pub fn overlaps(&self, other: &TableBox) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

/// The layout of every table of the model.
pub fn layout(ir: &ModelIr) -> Layout {
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for layer in layers(ir) {
        for chunk in layer.chunks(MAX_PER_COLUMN) {
            columns.push(chunk.to_vec());
        }
    }
    let mut boxes: Vec<Option<TableBox>> = vec![None; ir.tables.len()];
    let mut x = MARGIN;
    let mut height = MARGIN;
    for column in &columns {
        let mut y = MARGIN;
        let mut widest = 0;
        for &t in column {
            let table_box = table_box(&ir.tables[t], x, y);
            y += table_box.height + ROW_GAP;
            widest = widest.max(table_box.width);
            boxes[t] = Some(table_box);
        }
        height = height.max(y - ROW_GAP + MARGIN);
        x += widest + COLUMN_GUTTER;
    }
    let boxes: Vec<TableBox> = boxes.into_iter().flatten().collect();
    let edges = ir.tables.iter().flat_map(|t| edges_of(t, &boxes)).collect();
    Layout {
        width: (x - COLUMN_GUTTER + MARGIN).max(2 * MARGIN),
        height,
        boxes,
        edges,
    }
}

/// The diagram as a standalone SVG document.
pub fn to_svg(ir: &ModelIr) -> String {
    render_svg(&layout(ir))
}

fn table_box(table: &Table, x: i32, y: i32) -> TableBox {
    let rows: Vec<Row> = table
        .columns
        .iter()
        .map(|c| Row {
            column: c.name.clone(),
            sql_type: if c.autoincrement {
                "SERIAL".into()
            } else {
                c.sql_type.to_sql()
            },
            primary_key: table.primary_key.contains(&c.name),
            foreign_key: table.is_foreign_key(&c.name),
            nullable: c.nullable,
        })
        .collect();
    let widest_row = rows
        .iter()
        .map(|r| {
            // Name, type, the nullable `?`, and a gap of 4: CHAR_WIDTH is a little under a
            // 12px monospace glyph (about 7.2px), so long rows need the slack to not touch.
            let nullable = usize::from(r.nullable);
            (r.column.chars().count() + r.sql_type.chars().count() + nullable + 4) as i32
                * CHAR_WIDTH
                + MARKER_WIDTH
        })
        .max()
        .unwrap_or(0);
    let mut sorted: Vec<_> = table.indexes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let indexes: Vec<IndexNote> = sorted
        .into_iter()
        .map(|i| IndexNote {
            name: i.name.clone(),
            unique: i.unique,
            text: match &i.where_sql {
                Some(condition) => format!("({}) WHERE {condition}", i.elements_sql()),
                None => format!("({})", i.elements_sql()),
            },
        })
        .collect();
    let widest_index = indexes
        .iter()
        .map(|i| (i.text.chars().count() as i32 + 1) * INDEX_CHAR_WIDTH + MARKER_WIDTH)
        .max()
        .unwrap_or(0);
    let header = (table.name.chars().count() as i32 + 2) * CHAR_WIDTH;
    let index_block = if indexes.is_empty() {
        0
    } else {
        INDEX_GAP + indexes.len() as i32 * INDEX_ROW_HEIGHT
    };
    TableBox {
        table: table.name.clone(),
        x,
        y,
        width: widest_row.max(widest_index).max(header).max(120) + 2 * BOX_PADDING,
        height: HEADER_HEIGHT + rows.len().max(1) as i32 * ROW_HEIGHT + 6 + index_block,
        rows,
        indexes,
    }
}

fn edges_of(table: &Table, boxes: &[TableBox]) -> Vec<Edge> {
    let mut out = Vec::new();
    let Some(from) = boxes.iter().find(|b| b.table == table.name) else {
        return out;
    };
    for fk in table.foreign_keys() {
        // A foreign key to a table not in the model has nothing to point at.
        let Some(to) = boxes.iter().find(|b| b.table == fk.ref_table) else {
            continue;
        };
        let from_column = fk.columns.first().cloned().unwrap_or_default();
        let to_column = fk.ref_columns.first().cloned().unwrap_or_default();
        let one_to_one = is_unique(table, &fk.columns);
        let self_reference = fk.ref_table == table.name;
        let (from_y, to_y) = (from.row_y(&from_column), to.row_y(&to_column));
        let (start, end, same_side) = if to.x + to.width <= from.x {
            ((from.x, from_y), (to.x + to.width, to_y), false)
        } else if from.x + from.width <= to.x {
            ((from.x + from.width, from_y), (to.x, to_y), false)
        } else {
            // The same box or the same column: both ends on the right side.
            ((from.x + from.width, from_y), (to.x + to.width, to_y), true)
        };
        out.push(Edge {
            from_table: table.name.clone(),
            from_column,
            to_table: fk.ref_table.clone(),
            to_column,
            from_cardinality: if one_to_one {
                Cardinality::One
            } else {
                Cardinality::Many
            },
            to_cardinality: Cardinality::One,
            self_reference,
            same_side,
            start,
            end,
        });
    }
    out
}

/// Whether these columns are unique on their own (so the foreign key is one-to-one).
fn is_unique(table: &Table, columns: &[String]) -> bool {
    let same =
        |cols: &[String]| cols.len() == columns.len() && cols.iter().all(|c| columns.contains(c));
    same(&table.primary_key)
        || table
            .constraints
            .iter()
            .any(|c| matches!(c, Constraint::Unique { columns: cols, .. } if same(cols)))
        || table.indexes.iter().any(|i| i.is_unique_on(columns))
}
