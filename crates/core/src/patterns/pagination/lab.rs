//! The pagination lab: page through `users` by OFFSET or keyset, profile the cost of a page
//! by depth, and page while rows arrive. Block and action ids: see the parent module.

use crate::engine::{Database, LogEntry};
use crate::index_lab::measure::{ms, thousands, Measured};
use crate::index_lab::paging::{self, ConcurrentRun, Cursor, DepthPoint, Strategy};
use crate::index_lab::seed;
use crate::lab::{
    ActionSpec, Block, Cell, CellStatus, Chart, KnobKind, KnobSpec, KnobValues, Lab, LabRun,
    LabView, Metric, NoteKind, Series, TableBlock,
};

static KNOBS: [KnobSpec; 3] = [
    KnobSpec {
        id: "rows",
        label: "Rows",
        kind: KnobKind::Int {
            min: 1_000,
            max: 100_000,
            presets: &[1_000, 10_000, 100_000],
        },
        default: "10000",
        help: "How many users the table holds (nine in ten are active and listed).",
    },
    KnobSpec {
        id: "per-page",
        label: "Per page",
        kind: KnobKind::Int {
            min: 1,
            max: 100,
            presets: &[10, 20, 50, 100],
        },
        default: "20",
        help: "Rows per page (the reference's per_page).",
    },
    KnobSpec {
        id: "strategy",
        label: "Strategy",
        kind: KnobKind::Choice(&[
            ("offset", "OFFSET / LIMIT + COUNT"),
            ("keyset", "keyset on (created_at, id)"),
            ("keyset-noindex", "keyset, index dropped"),
        ]),
        default: "offset",
        help: "How pages are read: by offset, or from the last row seen (keyset).",
    },
];

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some(
        "The engine layer, not GlueSQL, provides the index and the keyset seek; \
         'keyset, no index' drops ix_users_created_id for its reads and puts it back after.",
    ),
    start,
};

/// The seed's PRNG seed: the same users on every run.
const SEED: u64 = 0x5EED_0018;
/// Pages the concurrent reader reads, and the page depth it starts from.
const CONCURRENT_PAGES: usize = 5;

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let rows = knobs.int("rows").max(1) as usize;
    seed::seed_users(db, rows, SEED)?;
    db.execute(paging::CREATE_INDEX).map_err(|e| e.message)?;
    let mut run = PaginationRun {
        per_page: knobs.int("per-page").max(1) as usize,
        strategy: Strategy::from_id(knobs.get("strategy")),
        total: 0,
        offset: 0,
        history: vec![None],
        page: None,
        count: None,
        profile: None,
        concurrent: None,
        windowed: None,
        outcome: String::new(),
        error: None,
        statements: Vec::new(),
    };
    run.read(db, 0)?;
    Ok(Box::new(run))
}

struct PaginationRun {
    per_page: usize,
    strategy: Strategy,
    /// The active users, as the last COUNT returned.
    total: usize,
    /// The position of the current page's first row.
    offset: usize,
    /// Keyset: the cursor of each page visited, the current page's last.
    history: Vec<Option<Cursor>>,
    page: Option<Measured>,
    count: Option<Measured>,
    profile: Option<Vec<DepthPoint>>,
    concurrent: Option<[ConcurrentRun; 2]>,
    outcome: String,
    error: Option<String>,
    statements: Vec<LogEntry>,
    /// `count-over`: the one-query page with its total, and the two queries it replaces.
    windowed: Option<WindowedTotal>,
}

struct WindowedTotal {
    window: Measured,
    page: Measured,
    count: Measured,
    total: usize,
}

impl PaginationRun {
    fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }

    fn page_number(&self) -> usize {
        self.offset / self.per_page + 1
    }

    /// Counts (the reference's total) and reads the page at `offset`, whose keyset cursor
    /// is `history.last()`.
    fn read(&mut self, db: &mut Database, offset: usize) -> Result<(), String> {
        let (total, count) = paging::count(db)?;
        self.total = total;
        self.offset = offset;
        let cursor = self.history.last().cloned().flatten();
        let page = paging::read_page(db, self.strategy, offset, cursor.as_ref(), self.per_page, 1)?;
        self.outcome = format!(
            "Page {} of {} by {}: {} rows; the page examined {} rows in {}, the COUNT {} rows in {}.",
            thousands(self.page_number() as u64),
            thousands(self.pages() as u64),
            self.strategy.label(),
            page.rows.len(),
            thousands(page.rows_examined),
            ms(page.time_ms),
            thousands(count.rows_examined),
            ms(count.time_ms),
        );
        self.page = Some(page);
        self.count = Some(count);
        Ok(())
    }

    fn next(&mut self, db: &mut Database) -> Result<(), String> {
        let cursor = self
            .page
            .as_ref()
            .and_then(|p| p.rows.last())
            .and_then(|r| Cursor::after(r));
        self.history.push(cursor);
        self.read(db, self.offset + self.per_page)
    }

    fn prev(&mut self, db: &mut Database) -> Result<(), String> {
        let offset = self.offset.saturating_sub(self.per_page);
        self.history.pop();
        if self.history.is_empty() {
            // After a jump the reader has no trail back: find the cursor (not timed).
            self.history.push(paging::cursor_at(db, offset)?);
        }
        self.read(db, offset)
    }

    fn jump(&mut self, db: &mut Database, percent: usize) -> Result<(), String> {
        // The total of the last COUNT: the page read below counts again, as the reference does.
        let offset = paging::offset_at(percent, self.total, self.per_page);
        // A keyset reader cannot jump: the cursor it would hold there is read first.
        self.history = vec![paging::cursor_at(db, offset)?];
        self.read(db, offset)
    }

    fn profile(&mut self, db: &mut Database) -> Result<(), String> {
        let (total, count) = paging::count(db)?;
        let points = paging::profile(db, total, self.per_page, 3)?;
        let at = |s: Strategy| points.iter().find(|p| p.strategy == s && p.percent == 99);
        if let (Some(offset), Some(keyset)) = (at(Strategy::Offset), at(Strategy::Keyset)) {
            self.outcome = format!(
                "At 99% depth an OFFSET page examined {} rows in {}, a keyset page {} rows in {}; \
                 the COUNT examined {} rows in {}, on every OFFSET page.",
                thousands(offset.page.rows_examined),
                ms(offset.page.time_ms),
                thousands(keyset.page.rows_examined),
                ms(keyset.page.time_ms),
                thousands(count.rows_examined),
                ms(count.time_ms),
            );
        }
        self.count = Some(count);
        self.profile = Some(points);
        Ok(())
    }

    /// The page at the current offset with `count(*) OVER ()`, then the same page and the
    /// reference's COUNT as two queries, each measured.
    fn count_over(&mut self, db: &mut Database) -> Result<(), String> {
        let window =
            crate::index_lab::measure::run(db, &paging::windowed_sql(self.offset, self.per_page))?;
        let page =
            crate::index_lab::measure::run(db, &paging::offset_sql(self.offset, self.per_page))?;
        let (total, count) = paging::count(db)?;
        // The total is the window's last column on every row (none on a page past the end).
        let window_total = window
            .rows
            .first()
            .and_then(|r| r.last())
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if window.rows.len() == page.rows.len() && window_total != total {
            return Err(format!(
                "count(*) OVER () said {window_total}, the COUNT {total}"
            ));
        }
        self.outcome = format!(
            "Page {} with count(*) OVER (): one query, {} rows examined in {}. The page and a separate COUNT: two queries, {} + {} rows examined in {} + {}. The window counts every row the WHERE keeps before LIMIT applies, so it saves the second round trip, not the counting: the page itself no longer stops after {} rows.",
            thousands(self.page_number() as u64),
            thousands(window.rows_examined),
            ms(window.time_ms),
            thousands(page.rows_examined),
            thousands(count.rows_examined),
            ms(page.time_ms),
            ms(count.time_ms),
            self.per_page,
        );
        self.windowed = Some(WindowedTotal {
            window,
            page,
            count,
            total,
        });
        Ok(())
    }

    fn concurrent(&mut self, db: &mut Database) -> Result<(), String> {
        let per_gap = (self.per_page / 4).max(1);
        let offset = paging::concurrent(
            db,
            Strategy::Offset,
            CONCURRENT_PAGES,
            self.per_page,
            per_gap,
        )?;
        let keyset = paging::concurrent(
            db,
            Strategy::Keyset,
            CONCURRENT_PAGES,
            self.per_page,
            per_gap,
        )?;
        self.outcome = format!(
            "A reader read {CONCURRENT_PAGES} pages while {per_gap} new users signed up before each \
             page after the first: OFFSET read {} rows twice and skipped {}; keyset read {} twice \
             and skipped {}. The inserts were rolled back after each run.",
            offset.duplicates.len(),
            offset.skipped.len(),
            keyset.duplicates.len(),
            keyset.skipped.len(),
        );
        self.concurrent = Some([offset, keyset]);
        Ok(())
    }
}

impl LabRun for PaginationRun {
    fn actions(&self) -> Vec<ActionSpec> {
        let last = self.page_number() >= self.pages();
        vec![
            ActionSpec::new("first", "First page").enabled(self.offset > 0),
            ActionSpec::new("prev", "Previous page").enabled(self.offset > 0),
            ActionSpec::new("next", "Next page").enabled(!last),
            ActionSpec::new("jump-50", "Jump to 50% depth"),
            ActionSpec::new("jump-99", "Jump to 99% depth"),
            ActionSpec::new("profile", "Profile by depth").primary(),
            ActionSpec::new("concurrent", "Page while rows are inserted"),
            ActionSpec::new("count-over", "Total in the same query: COUNT(*) OVER ()"),
        ]
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        let enabled = self
            .actions()
            .into_iter()
            .find(|a| a.id == id)
            .map(|a| a.enabled);
        match enabled {
            None => return Err(format!("unknown action {id:?}")),
            Some(false) => return Err(format!("{id} is not available now")),
            Some(true) => {}
        }
        let before = db.log().last_seq();
        self.error = None;
        let result = match id {
            "first" => {
                self.history = vec![None];
                self.read(db, 0)
            }
            "prev" => self.prev(db),
            "next" => self.next(db),
            "jump-50" => self.jump(db, 50),
            "jump-99" => self.jump(db, 99),
            "profile" => self.profile(db),
            "concurrent" => self.concurrent(db),
            "count-over" => self.count_over(db),
            _ => unreachable!("checked against actions()"),
        };
        if let Err(e) = result {
            self.outcome = format!("{id} failed.");
            self.error = Some(e);
        }
        self.statements = db.log().since(before).to_vec();
        Ok(())
    }

    fn view(&self, _db: &mut Database) -> LabView {
        let mut view = LabView::default();
        view.push(Block::outcome(
            "outcome",
            self.outcome.clone(),
            self.error.clone(),
        ));
        view.push(Block::note(
            "engine-note",
            NoteKind::Engine,
            "Pages are ordered by created_at DESC, id (the reference's order). The engine's \
             index on (created_at, id) serves that order and starts a keyset read at its cursor; \
             its entries are keyed by created_at, ties in id order.",
        ));
        if let (Some(page), Some(count)) = (&self.page, &self.count) {
            view.push(self.page_metrics(page, count));
            view.push(Block::Table(page_table(page)));
        }
        if let Some(points) = &self.profile {
            push_profile(&mut view, points, self.count.as_ref());
        }
        if let Some(runs) = &self.concurrent {
            push_concurrent(&mut view, runs);
        }
        if let Some(w) = &self.windowed {
            view.push(Block::Metrics {
                id: "count-over-metrics".into(),
                title: "The total beside the page: one query vs two".into(),
                items: vec![
                    Metric::new(
                        "window-time",
                        "count(*) OVER (): time",
                        ms(w.window.time_ms),
                    ),
                    Metric::new(
                        "window-rows",
                        "count(*) OVER (): rows examined",
                        thousands(w.window.rows_examined),
                    ),
                    Metric::new(
                        "window-total",
                        "count(*) OVER (): total",
                        w.window
                            .rows
                            .first()
                            .and_then(|r| r.last())
                            .cloned()
                            .unwrap_or_else(|| "(no rows on this page)".into()),
                    ),
                    Metric::new(
                        "separate-time",
                        "page + COUNT: time",
                        format!("{} + {}", ms(w.page.time_ms), ms(w.count.time_ms)),
                    ),
                    Metric::new(
                        "separate-rows",
                        "page + COUNT: rows examined",
                        format!(
                            "{} + {}",
                            thousands(w.page.rows_examined),
                            thousands(w.count.rows_examined)
                        ),
                    ),
                    Metric::new("separate-total", "COUNT: total", thousands(w.total as u64)),
                ],
            });
        }
        view.push(Block::statements(
            "statements",
            "Statements of the last action",
            &self.statements,
            40,
        ));
        view
    }
}

impl PaginationRun {
    fn page_metrics(&self, page: &Measured, count: &Measured) -> Block {
        Block::Metrics {
            id: "page-metrics".into(),
            title: format!("This page ({})", self.strategy.label()),
            items: vec![
                Metric::new(
                    "page",
                    "Page",
                    format!(
                        "{} of {}",
                        thousands(self.page_number() as u64),
                        thousands(self.pages() as u64)
                    ),
                ),
                Metric::new("time", "Time", ms(page.time_ms)),
                Metric::new(
                    "rows-examined",
                    "Rows examined",
                    thousands(page.rows_examined),
                ),
                Metric::new("access", "Access path", page.access.clone()),
                Metric::new("count-time", "COUNT time", ms(count.time_ms)),
                Metric::new(
                    "count-rows-examined",
                    "COUNT rows examined",
                    thousands(count.rows_examined),
                ),
                Metric::new("total", "Total (COUNT)", thousands(self.total as u64)),
            ],
        }
    }
}

fn page_table(page: &Measured) -> TableBlock {
    TableBlock {
        id: "page-rows".into(),
        title: "The page".into(),
        columns: vec!["id".into(), "email".into(), "created_at".into()],
        rows: page
            .rows
            .iter()
            .map(|r| r.iter().map(|v| Cell::plain(v.clone())).collect())
            .collect(),
        omitted: 0,
    }
}

fn push_profile(view: &mut LabView, points: &[DepthPoint], count: Option<&Measured>) {
    let series = |metric: fn(&Measured) -> f64| -> Vec<Series> {
        Strategy::ALL
            .into_iter()
            .map(|s| Series {
                name: s.label().into(),
                points: points
                    .iter()
                    .filter(|p| p.strategy == s)
                    .map(|p| (p.percent as f64, metric(&p.page)))
                    .collect(),
            })
            .collect()
    };
    let at99 = |s: Strategy| {
        points
            .iter()
            .find(|p| p.strategy == s && p.percent == 99)
            .map(|p| &p.page)
    };
    if let (Some(offset), Some(keyset)) = (at99(Strategy::Offset), at99(Strategy::Keyset)) {
        let speedup = offset.time_ms / keyset.time_ms.max(1e-6);
        let mut items = vec![
            Metric::new("offset-99-time", "OFFSET page at 99%", ms(offset.time_ms)),
            Metric::new("keyset-99-time", "Keyset page at 99%", ms(keyset.time_ms)),
            Metric::new("speedup-99", "Keyset faster by", format!("{speedup:.0}x")).with_status(
                if speedup >= 20.0 {
                    CellStatus::Ok
                } else {
                    CellStatus::Warn
                },
            ),
            Metric::new(
                "offset-99-rows",
                "OFFSET rows examined at 99%",
                thousands(offset.rows_examined),
            ),
            Metric::new(
                "keyset-99-rows",
                "Keyset rows examined at 99%",
                thousands(keyset.rows_examined),
            ),
        ];
        if let Some(count) = count {
            items.push(Metric::new("count-time", "COUNT time", ms(count.time_ms)));
        }
        view.push(Block::Metrics {
            id: "profile-metrics".into(),
            title: "At 99% depth (keyset: median of 3 runs)".into(),
            items,
        });
    }
    view.push(Block::Chart(Chart {
        id: "time-vs-depth".into(),
        title: "Time of one page by depth".into(),
        x_label: "page depth (%)".into(),
        y_label: "ms".into(),
        log_y: true,
        series: series(|m| m.time_ms),
    }));
    view.push(Block::Chart(Chart {
        id: "rows-vs-depth".into(),
        title: "Rows examined by one page, by depth".into(),
        x_label: "page depth (%)".into(),
        y_label: "rows examined".into(),
        log_y: true,
        series: series(|m| m.rows_examined as f64),
    }));
    view.push(Block::note(
        "keyset-jump-note",
        NoteKind::Info,
        "A keyset reader cannot jump to a depth: each keyset page is measured from the \
         cursor a reader paging there would hold (read first, not timed). The COUNT is \
         measured apart: the reference runs it before every page.",
    ));
}

fn push_concurrent(view: &mut LabView, runs: &[ConcurrentRun; 2]) {
    let [offset, keyset] = runs;
    let status = |n: usize| {
        if n == 0 {
            CellStatus::Ok
        } else {
            CellStatus::Bad
        }
    };
    view.push(Block::Metrics {
        id: "concurrent-metrics".into(),
        title: "Paging while users sign up".into(),
        items: vec![
            Metric::new(
                "offset-duplicates",
                "OFFSET: rows read twice",
                offset.duplicates.len().to_string(),
            )
            .with_status(status(offset.duplicates.len())),
            Metric::new(
                "offset-skipped",
                "OFFSET: rows skipped",
                offset.skipped.len().to_string(),
            )
            .with_status(status(offset.skipped.len())),
            Metric::new(
                "keyset-duplicates",
                "Keyset: rows read twice",
                keyset.duplicates.len().to_string(),
            )
            .with_status(status(keyset.duplicates.len())),
            Metric::new(
                "keyset-skipped",
                "Keyset: rows skipped",
                keyset.skipped.len().to_string(),
            )
            .with_status(status(keyset.skipped.len())),
            Metric::new(
                "inserted",
                "Rows inserted per run",
                offset.inserted.to_string(),
            ),
        ],
    });
    let mut rows = Vec::new();
    for (strategy, run) in [(Strategy::Offset, offset), (Strategy::Keyset, keyset)] {
        let label = strategy.label();
        for (id, pages) in &run.duplicates {
            let pages: Vec<String> = pages.iter().map(usize::to_string).collect();
            rows.push(vec![
                Cell::plain(label),
                Cell::plain(id.to_string()),
                Cell::plain(pages.join(", ")),
                Cell::status("seen twice", CellStatus::Bad),
            ]);
        }
        for id in &run.skipped {
            rows.push(vec![
                Cell::plain(label),
                Cell::plain(id.to_string()),
                Cell::plain("-"),
                Cell::status("skipped", CellStatus::Bad),
            ]);
        }
        if run.duplicates.is_empty() && run.skipped.is_empty() {
            rows.push(vec![
                Cell::plain(label),
                Cell::plain("-"),
                Cell::plain("-"),
                Cell::status("none", CellStatus::Ok)
                    .with_detail("every row read once, none skipped"),
            ]);
        }
    }
    view.push(Block::Table(TableBlock {
        id: "duplicates".into(),
        title: "Rows read twice or skipped".into(),
        columns: vec![
            "strategy".into(),
            "id".into(),
            "pages".into(),
            "status".into(),
        ],
        rows,
        omitted: 0,
    }));
}
