//! SVG rendering of a [`Layout`]. Every name comes from user input, so all text is
//! XML-escaped. Class names (`er-table`, `er-edge`, ...) let the UI restyle it; the
//! inline attributes make it readable standalone.

use std::fmt::Write;

use super::{
    Edge, Layout, TableBox, BOX_PADDING, HEADER_HEIGHT, INDEX_GAP, INDEX_ROW_HEIGHT, MARKER_WIDTH,
    ROW_HEIGHT,
};

/// Escapes the five XML special characters, for text and attribute values alike.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 documents.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render_svg(layout: &Layout) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="ui-monospace, monospace" font-size="12">"#,
        w = layout.width,
        h = layout.height
    );
    for edge in &layout.edges {
        edge_svg(&mut svg, edge);
    }
    for table_box in &layout.boxes {
        box_svg(&mut svg, table_box);
    }
    svg.push_str("</svg>");
    svg
}

fn box_svg(svg: &mut String, b: &TableBox) {
    let name = xml_escape(&b.table);
    let _ = write!(
        svg,
        r##"<g class="er-table" data-table="{name}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#ffffff" stroke="#475569"/><rect class="er-header" x="{x}" y="{y}" width="{w}" height="{hh}" rx="4" fill="#334155"/><text x="{tx}" y="{ty}" fill="#ffffff" font-weight="bold">{name}</text>"##,
        x = b.x,
        y = b.y,
        w = b.width,
        h = b.height,
        hh = HEADER_HEIGHT,
        tx = b.x + BOX_PADDING,
        ty = b.y + HEADER_HEIGHT / 2 + 4,
    );
    for (k, row) in b.rows.iter().enumerate() {
        let baseline = b.y + HEADER_HEIGHT + k as i32 * ROW_HEIGHT + ROW_HEIGHT / 2 + 4;
        let marker = match (row.primary_key, row.foreign_key) {
            (true, true) => "PF",
            (true, false) => "PK",
            (false, true) => "FK",
            (false, false) => "",
        };
        let weight = if row.primary_key {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let nullable = if row.nullable { "?" } else { "" };
        let _ = write!(
            svg,
            r##"<text class="er-marker" x="{mx}" y="{baseline}" fill="#b45309" font-size="10">{marker}</text><text class="er-column" x="{cx}" y="{baseline}" fill="#0f172a"{weight}>{column}</text><text class="er-type" x="{rx}" y="{baseline}" fill="#64748b" text-anchor="end">{ty}{nullable}</text>"##,
            mx = b.x + BOX_PADDING,
            cx = b.x + BOX_PADDING + MARKER_WIDTH,
            rx = b.x + b.width - BOX_PADDING,
            column = xml_escape(&row.column),
            ty = xml_escape(&row.sql_type),
        );
    }
    let rule_y = b.y + HEADER_HEIGHT + b.rows.len().max(1) as i32 * ROW_HEIGHT + 4;
    if !b.indexes.is_empty() {
        let _ = write!(
            svg,
            r##"<line class="er-rule" x1="{x1}" y1="{rule_y}" x2="{x2}" y2="{rule_y}" stroke="#cbd5e1"/>"##,
            x1 = b.x,
            x2 = b.x + b.width,
        );
    }
    for (k, index) in b.indexes.iter().enumerate() {
        let baseline = rule_y + INDEX_GAP + k as i32 * INDEX_ROW_HEIGHT + INDEX_ROW_HEIGHT / 2 + 2;
        let _ = write!(
            svg,
            r##"<g class="er-index" data-index="{name}"><title>{kind} {name} {text}</title><text class="er-marker" x="{mx}" y="{baseline}" fill="#0369a1" font-size="10">{marker}</text><text class="er-index-text" x="{cx}" y="{baseline}" fill="#475569" font-size="10">{text}</text></g>"##,
            name = xml_escape(&index.name),
            kind = if index.unique {
                "unique index"
            } else {
                "index"
            },
            marker = if index.unique { "UQ" } else { "IX" },
            text = xml_escape(&index.text),
            mx = b.x + BOX_PADDING,
            cx = b.x + BOX_PADDING + MARKER_WIDTH,
        );
    }
    svg.push_str("</g>");
}

fn edge_svg(svg: &mut String, e: &Edge) {
    let (x1, y1) = e.start;
    let (x2, y2) = e.end;
    let path = if e.same_side {
        // Both ends on the right side of their boxes: a loop out and back.
        let reach = x1.max(x2) + 40;
        format!("M {x1} {y1} C {reach} {y1}, {reach} {y2}, {x2} {y2}")
    } else {
        let mid = (x1 + x2) / 2;
        format!("M {x1} {y1} C {mid} {y1}, {mid} {y2}, {x2} {y2}")
    };
    // Cardinality labels sit just outside the box at each end.
    let outside = |x: i32, other: i32| {
        if e.same_side || other > x {
            x + 6
        } else {
            x - 14
        }
    };
    let (lx1, lx2) = (outside(x1, x2), outside(x2, x1));
    let _ = write!(
        svg,
        r##"<g class="er-edge" data-from="{ft}.{fc}" data-to="{tt}.{tc}"><path d="{path}" fill="none" stroke="#64748b" stroke-width="1.5"/><text x="{lx1}" y="{ly1}" fill="#334155" font-size="11">{c1}</text><text x="{lx2}" y="{ly2}" fill="#334155" font-size="11">{c2}</text></g>"##,
        ft = xml_escape(&e.from_table),
        fc = xml_escape(&e.from_column),
        tt = xml_escape(&e.to_table),
        tc = xml_escape(&e.to_column),
        ly1 = y1 - 4,
        ly2 = y2 - 4,
        c1 = e.from_cardinality.label(),
        c2 = e.to_cardinality.label(),
    );
}
