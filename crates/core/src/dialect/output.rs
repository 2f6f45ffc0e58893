//! Values as PostgreSQL's text output writes them (what psql shows), in results, error
//! details and the statement log.

use super::types::PgType;
use gluesql::prelude::Value;

/// A value as PostgreSQL's text output writes it: booleans `t`/`f`, NUMERIC with its scale,
/// UUIDs hyphenated, NULL as `NULL` (psql shows an empty cell; the playground names it).
pub fn pg_text(value: &Value) -> String {
    use gluesql::core::chrono::Timelike;
    match value {
        Value::Bool(b) => (if *b { "t" } else { "f" }).to_string(),
        // Fractional seconds as PostgreSQL prints them: microseconds, trailing zeros cut.
        Value::Timestamp(ts) => format!(
            "{}{}",
            ts.format("%Y-%m-%d %H:%M:%S"),
            fraction(ts.nanosecond())
        ),
        Value::Time(t) => format!("{}{}", t.format("%H:%M:%S"), fraction(t.nanosecond())),
        Value::Interval(interval) => interval_text(interval),
        Value::F64(f) => float_text(*f),
        other => String::from(other),
    }
}

/// A double as PostgreSQL's float8 output writes it: the shortest digits that read back
/// as the same value, in exponent form below 1e-4 and from 1e15 on (`1e+20`, `1e-07`,
/// `1.2345678901234568e+17`), `NaN`, `Infinity`, `-Infinity`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("{:e} always writes an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    if f != 0.0 && !(-4..15).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        format!("{f}")
    }
}

/// `.25` for 250 ms, `.123457` for 123,456,700 ns, nothing for whole seconds.
fn fraction(nanos: u32) -> String {
    let micros = (nanos + 500) / 1000;
    if micros == 0 {
        return String::new();
    }
    let digits = format!("{micros:06}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// An interval in PostgreSQL's default output style: `1 year 2 mons`, `1 day 02:30:00`,
/// `74 days`, `-1 days -06:00:00`, `00:00:00`.
fn interval_text(interval: &gluesql::core::data::Interval) -> String {
    use gluesql::core::data::Interval;
    let unit = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match interval {
        Interval::Month(months) => {
            let (years, months) = (*months as i64 / 12, *months as i64 % 12);
            let mut parts = Vec::new();
            if years != 0 {
                parts.push(unit(years, "year", "years"));
            }
            if months != 0 {
                parts.push(unit(months, "mon", "mons"));
            }
            if parts.is_empty() {
                "00:00:00".to_string()
            } else {
                parts.join(" ")
            }
        }
        Interval::Microsecond(micros) => {
            const DAY: i64 = 86_400_000_000;
            let (days, rest) = (micros / DAY, micros % DAY);
            let mut parts = Vec::new();
            if days != 0 {
                parts.push(unit(days, "day", "days"));
            }
            if rest != 0 || days == 0 {
                let sign = if rest < 0 { "-" } else { "" };
                let rest = rest.abs();
                let (hours, rest) = (rest / 3_600_000_000, rest % 3_600_000_000);
                let (minutes, rest) = (rest / 60_000_000, rest % 60_000_000);
                let (seconds, micros) = (rest / 1_000_000, rest % 1_000_000);
                parts.push(format!(
                    "{sign}{hours:02}:{minutes:02}:{seconds:02}{}",
                    fraction((micros * 1000) as u32)
                ));
            }
            parts.join(" ")
        }
    }
}

/// A value of a column of type `ty`: a TIMESTAMPTZ (stored as UTC) shows its offset.
pub fn pg_text_as(value: &Value, ty: &PgType) -> String {
    match (value, ty) {
        (Value::Timestamp(_), PgType::Timestamp { tz: true }) => format!("{}+00", pg_text(value)),
        _ => pg_text(value),
    }
}

/// PostgreSQL's `Failing row contains (...)` DETAIL: each value as text, NULL as `null`.
pub fn failing_row<'a>(values: impl Iterator<Item = (&'a Value, &'a PgType)>) -> String {
    let cells: Vec<String> = values
        .map(|(value, ty)| match value {
            Value::Null => "null".to_string(),
            value => pg_text_as(value, ty),
        })
        .collect();
    format!("Failing row contains ({}).", cells.join(", "))
}

/// PostgreSQL's `Key (a, b)=(1, x)` for a DETAIL line.
pub fn key_text(columns: &[String], values: &[Value]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::Null => "null".to_string(),
            v => pg_text(v),
        })
        .collect();
    format!("Key ({})=({})", columns.join(", "), values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::float_text;

    #[test]
    fn doubles_print_as_postgresql() {
        for (f, text) in [
            (1e20, "1e+20"),
            (1e-7, "1e-07"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.5, "1.5"),
            (100.0, "100"),
            (123456789012345.0, "123456789012345"),
            (0.0001, "0.0001"),
            (-0.0, "-0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(float_text(f), text);
        }
    }
}
