//! The ER diagram: no overlapping boxes, an edge per foreign key with its cardinality,
//! self-references as loops, and user-supplied names escaped in the SVG.

use sqlpatterns_core::model::diagram::{layout, Cardinality};
use sqlpatterns_core::model::{parse, to_svg};

const PRELUDE: &str = "\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass
";

/// Ten tables: a chain, a star on t0, one self-reference and one one-to-one key.
fn ten_tables() -> String {
    let mut source = PRELUDE.to_string();
    for k in 0..10 {
        source += &format!(
            "\nclass T{k}(Base):\n    __tablename__ = 'table_number_{k}'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    title_of_a_rather_long_column: Mapped[str] = mapped_column(String(200))\n"
        );
        if k > 0 {
            source += "    root_id: Mapped[int] = mapped_column(ForeignKey('table_number_0.id'))\n";
        }
        if k > 1 {
            source += &format!("    prev_id: Mapped[int | None] = mapped_column(ForeignKey('table_number_{}.id'))\n", k - 1);
        }
    }
    source +=
        "    parent_id: Mapped[int | None] = mapped_column(ForeignKey('table_number_9.id'))\n";
    source +=
        "    twin_id: Mapped[int] = mapped_column(ForeignKey('table_number_1.id'), unique=True)\n";
    source
}

#[test]
fn ten_tables_do_not_overlap() {
    let parsed = parse(&ten_tables());
    assert_eq!(parsed.ir.tables.len(), 10, "{:?}", parsed.diagnostics);
    let l = layout(&parsed.ir);
    assert_eq!(l.boxes.len(), 10);
    for (i, a) in l.boxes.iter().enumerate() {
        assert!(
            a.x >= 0 && a.y >= 0 && a.x + a.width <= l.width && a.y + a.height <= l.height,
            "{a:?} outside"
        );
        for b in &l.boxes[i + 1..] {
            assert!(!a.overlaps(b), "{} overlaps {}", a.table, b.table);
        }
    }
}

#[test]
fn every_foreign_key_has_an_edge_with_cardinality() {
    let parsed = parse(&ten_tables());
    let l = layout(&parsed.ir);
    let fk_count: usize = parsed
        .ir
        .tables
        .iter()
        .map(|t| t.foreign_keys().count())
        .sum();
    assert_eq!(fk_count, 9 + 8 + 2);
    for table in &parsed.ir.tables {
        for fk in table.foreign_keys() {
            let edge = l
                .edges
                .iter()
                .find(|e| {
                    e.from_table == table.name
                        && e.from_column == fk.columns[0]
                        && e.to_table == fk.ref_table
                })
                .unwrap_or_else(|| panic!("no edge for {}.{:?}", table.name, fk.columns));
            assert_eq!(edge.to_cardinality, Cardinality::One);
        }
    }
    let twin = l
        .edges
        .iter()
        .find(|e| e.from_column == "twin_id")
        .expect("twin edge");
    assert_eq!(
        twin.from_cardinality,
        Cardinality::One,
        "a unique foreign key is one-to-one"
    );
    let root = l
        .edges
        .iter()
        .find(|e| e.from_column == "root_id")
        .expect("root edge");
    assert_eq!(root.from_cardinality, Cardinality::Many);
    let svg = to_svg(&parsed.ir);
    assert_eq!(svg.matches("class=\"er-edge\"").count(), fk_count);
}

#[test]
fn self_reference_is_a_loop_on_one_box() {
    let parsed = parse(&ten_tables());
    let l = layout(&parsed.ir);
    let edge = l
        .edges
        .iter()
        .find(|e| e.from_column == "parent_id")
        .expect("self edge");
    assert!(edge.self_reference && edge.same_side);
    let b = l
        .boxes
        .iter()
        .find(|b| b.table == "table_number_9")
        .expect("box");
    assert_eq!((edge.start.0, edge.end.0), (b.x + b.width, b.x + b.width));
}

#[test]
fn referenced_tables_are_left_of_the_tables_referring_to_them() {
    let parsed = parse(&ten_tables());
    let l = layout(&parsed.ir);
    for edge in l.edges.iter().filter(|e| !e.same_side) {
        let from = l
            .boxes
            .iter()
            .find(|b| b.table == edge.from_table)
            .expect("from");
        let to = l
            .boxes
            .iter()
            .find(|b| b.table == edge.to_table)
            .expect("to");
        assert!(
            to.x + to.width < from.x,
            "{} should be left of {}",
            to.table,
            from.table
        );
    }
}

#[test]
fn names_are_xml_escaped() {
    let source = format!(
        "{PRELUDE}\nclass Evil(Base):\n    __tablename__ = 'a<b>&\"c\\''\n    id: Mapped[int] = mapped_column('x<y&z', primary_key=True)\n    other: Mapped[int] = mapped_column(ForeignKey('a<b>&\"c\\'.x<y&z'))\n"
    );
    let parsed = parse(&source);
    assert_eq!(parsed.ir.tables[0].name, "a<b>&\"c'");
    let svg = to_svg(&parsed.ir);
    assert!(svg.contains("a&lt;b&gt;&amp;&quot;c&apos;"), "{svg}");
    assert!(svg.contains("x&lt;y&amp;z"), "{svg}");
    assert!(!svg.contains("a<b") && !svg.contains("x<y"), "{svg}");
    // Names add no markup: every '<' opens a tag that a '>' closes ("&gt;" has none).
    assert_eq!(svg.matches('<').count(), svg.matches('>').count(), "{svg}");
}

#[test]
fn reference_models_each_get_a_box_per_table() {
    for name in [
        "one_to_many",
        "many_to_many",
        "association_object",
        "self_referential",
        "enum_field",
    ] {
        let path = format!(
            "{}/tests/fixtures/models/{name}.py",
            env!("CARGO_MANIFEST_DIR")
        );
        let parsed = parse(&std::fs::read_to_string(&path).expect("fixture"));
        let svg = to_svg(&parsed.ir);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("class=\"er-table\"").count(),
            parsed.ir.tables.len(),
            "{name}"
        );
    }
}

#[test]
fn boxes_are_wide_enough_for_their_longest_row_in_a_real_monospace_font() {
    // 12px monospace glyphs are about 7.2px wide (DejaVu Sans Mono, Menlo): a row's name,
    // type and nullable mark must fit with room to spare, or name and type touch.
    let source = "class Base(DeclarativeBase):\n    pass\n\nclass User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))\n";
    let parsed = parse(source);
    let diagram = layout(&parsed.ir);
    for table in &diagram.boxes {
        for row in &table.rows {
            let chars = row.column.chars().count()
                + row.sql_type.chars().count()
                + usize::from(row.nullable);
            let needed = (chars as f64 * 7.25) as i32
                + sqlpatterns_core::model::diagram::MARKER_WIDTH
                + 20
                + 8;
            assert!(
                table.width >= needed,
                "{}.{}: box {} < {needed}",
                table.table,
                row.column,
                table.width
            );
        }
    }
}
