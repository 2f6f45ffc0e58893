//! What a lab shows: a list of generic blocks the UI renders in order. Every number in a
//! block comes from something that really ran (the engine's statement log, a measured
//! duration) or from a simulation labelled as such by a [`Block::Note`].
//!
//! Each block has an `id` (a short kebab-case name, unique within the view) that the UI
//! exposes as `data-block="<id>"`: browser tests and docs find blocks by it.

use crate::engine::LogEntry;

/// The whole view of a lab, top to bottom.
#[derive(Clone, Debug, Default)]
pub struct LabView {
    pub blocks: Vec<Block>,
}

impl LabView {
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// The block with this id, if any (for tests).
    pub fn block(&self, id: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.id() == id)
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    /// What the last action did: one or two sentences, and the error it met or showed.
    Outcome {
        id: String,
        text: String,
        error: Option<String>,
    },
    /// A one-line note: what is simulated, what our engine layer provides, a warning.
    Note {
        id: String,
        kind: NoteKind,
        text: String,
    },
    /// A row of headline numbers ("statements 11", "rows examined 50,020", "time 3.1 ms").
    Metrics {
        id: String,
        title: String,
        items: Vec<Metric>,
    },
    Table(TableBlock),
    Chart(Chart),
    Timeline(Timeline),
    /// Statements that ran (all of them, or the first ones with `omitted` counting the rest).
    Statements {
        id: String,
        title: String,
        entries: Vec<LogEntry>,
        omitted: usize,
    },
    /// Code or SQL shown as text (a migration's upgrade, the reference's fixed function).
    Code {
        id: String,
        title: String,
        language: &'static str,
        text: String,
    },
}

impl Block {
    pub fn id(&self) -> &str {
        match self {
            Block::Outcome { id, .. }
            | Block::Note { id, .. }
            | Block::Metrics { id, .. }
            | Block::Statements { id, .. }
            | Block::Code { id, .. } => id,
            Block::Table(t) => &t.id,
            Block::Chart(c) => &c.id,
            Block::Timeline(t) => &t.id,
        }
    }

    pub fn note(id: &str, kind: NoteKind, text: impl Into<String>) -> Self {
        Block::Note {
            id: id.into(),
            kind,
            text: text.into(),
        }
    }

    pub fn outcome(id: &str, text: impl Into<String>, error: Option<String>) -> Self {
        Block::Outcome {
            id: id.into(),
            text: text.into(),
            error,
        }
    }

    /// Keeps the first `max` entries of `entries` (a lazy load of 1,000 children is 1,001
    /// statements; the view lists the first ones and says how many more ran).
    pub fn statements(
        id: &str,
        title: impl Into<String>,
        entries: &[LogEntry],
        max: usize,
    ) -> Self {
        Block::Statements {
            id: id.into(),
            title: title.into(),
            entries: entries.iter().take(max).cloned().collect(),
            omitted: entries.len().saturating_sub(max),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// "Simulation: ..." (pool contention, lock timelines, the Redis cache).
    Simulation,
    /// "The engine layer, not GlueSQL, provides ...".
    Engine,
    Info,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// A short kebab-case key, exposed as `data-metric` (e.g. "statements").
    pub key: String,
    pub label: String,
    /// The formatted value ("11", "3.1 ms", "50,020").
    pub value: String,
    pub status: CellStatus,
}

impl Metric {
    pub fn new(key: &str, label: &str, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            value: value.into(),
            status: CellStatus::Plain,
        }
    }

    pub fn with_status(mut self, status: CellStatus) -> Self {
        self.status = status;
        self
    }
}

/// A table: data rows, a schema diff, lint findings, or a version x phase matrix (cells
/// coloured by status, the error as the cell's detail).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableBlock {
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows not shown (a 100k-row table shows its first rows).
    pub omitted: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub status: CellStatus,
    /// A longer text shown under the cell text (e.g. the engine's error in a red cell).
    pub detail: Option<String>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    pub fn status(text: impl Into<String>, status: CellStatus) -> Self {
        Self {
            text: text.into(),
            status,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Exposed as `data-status` on the cell; the UI colours it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CellStatus {
    #[default]
    Plain,
    /// Green: worked.
    Ok,
    /// Red: failed (production would break).
    Bad,
    /// Amber: a lint warning, a stale read.
    Warn,
    /// Schema diff: added / removed / changed.
    Added,
    Removed,
    Changed,
    /// Not applicable (a version not running in a phase).
    Idle,
}

impl CellStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Plain => "plain",
            CellStatus::Ok => "ok",
            CellStatus::Bad => "bad",
            CellStatus::Warn => "warn",
            CellStatus::Added => "added",
            CellStatus::Removed => "removed",
            CellStatus::Changed => "changed",
            CellStatus::Idle => "idle",
        }
    }
}

/// A line chart (x: N, page depth, time; y: statements, ms, rows examined). The UI draws
/// it as SVG; each point is also listed in a table under it, so the numbers are readable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Logarithmic y axis (statement counts of 1 and 1,001 on one chart).
    pub log_y: bool,
    pub series: Vec<Series>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Lanes of spans over time: pool connections, a lock held while an index builds, writes
/// blocked. Times are in milliseconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    pub id: String,
    pub title: String,
    pub lanes: Vec<Lane>,
    /// Instants marked across all lanes, e.g. (1500.0, "database restart").
    pub markers: Vec<(f64, String)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lane {
    pub label: String,
    pub spans: Vec<Span>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Span {
    pub start_ms: f64,
    pub end_ms: f64,
    /// Exposed as a class and `data-kind`: "in-use", "idle", "overflow", "wait", "timeout",
    /// "recycled", "lock", "blocked", "write", "build".
    pub kind: String,
    pub label: String,
}
