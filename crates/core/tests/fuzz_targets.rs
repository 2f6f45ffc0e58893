//! The fuzz targets on stable Rust: each runs on a fixed number of seeded pseudo-random
//! inputs and on every file of its regression corpus, `tests/fuzz_regressions/<target>/`
//! (inputs that once crashed, kept so they never crash again, and a few seeds).
//!
//! The targets' bodies live in `tests/fuzz_support/targets.rs`, shared with the
//! coverage-guided libFuzzer targets in `fuzz/` (`scripts/fuzz` runs those for a million
//! inputs each; this test is the short, deterministic version). `FUZZ_CASES=N` sets the
//! number of seeded inputs per target.

#[path = "fuzz_support/targets.rs"]
mod targets;

use sqlpatterns_core::catalogue;
use sqlpatterns_core::rng::SplitMix64;
use sqlpatterns_core::share::{encode_state, PageState};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use targets::Summary;

fn cases(default: usize) -> usize {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The regression corpus of `target`: (file name, bytes), in name order.
fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn random_bytes(rng: &mut SplitMix64, max_len: usize) -> Vec<u8> {
    let len = rng.below(max_len as u64 + 1) as usize;
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// `seed` with a few random byte edits: a cheap stand-in for libFuzzer's mutations.
fn mutated(rng: &mut SplitMix64, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() as u64 + 1) as usize;
        match rng.below(4) {
            0 => bytes.truncate(at),
            1 if at < bytes.len() => bytes[at] = rng.next_u64() as u8,
            2 => {
                let end = (at + rng.below(32) as usize).min(bytes.len());
                bytes.drain(at..end);
            }
            _ => {
                let junk = seed[rng.below(seed.len() as u64 + 1) as usize..]
                    .iter()
                    .take(16);
                let junk: Vec<u8> = junk.copied().collect();
                bytes.splice(at..at, junk);
            }
        }
    }
    bytes
}

/// Runs `target` on its regression corpus, then on `inputs`; a panic names the input.
fn run(name: &str, target: fn(&[u8]) -> Summary, inputs: Vec<Vec<u8>>) -> Summary {
    let mut total = Summary::default();
    let corpus = regressions(name);
    assert!(!corpus.is_empty(), "{name}: the regression corpus is empty");
    let named = corpus.into_iter().chain(
        inputs
            .into_iter()
            .enumerate()
            .map(|(i, b)| (format!("seeded input #{i}"), b)),
    );
    let mut count = 0;
    for (what, input) in named {
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(summary) => total.add(summary),
            Err(_) => {
                let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("{name}-{count}"));
                std::fs::write(&file, &input).unwrap();
                panic!(
                    "{name} panicked on {what} ({} bytes), written to {}; once fixed, keep it \
                     in tests/fuzz_regressions/{name}/:\n{:?}",
                    input.len(),
                    file.display(),
                    String::from_utf8_lossy(&input)
                )
            }
        }
        count += 1;
    }
    println!(
        "{name}: {count} inputs without a panic ({} structured; {} ok, {} refused; {} in GlueSQL's words)",
        total.structured,
        total.ok,
        total.refused,
        total.internal.len()
    );
    for line in total.internal.iter().take(5) {
        println!("  XX000: {line}");
    }
    total
}

#[test]
fn model_parser_never_panics() {
    let mut rng = SplitMix64::new(0xF022_0001);
    let seeds: Vec<&[u8]> = catalogue::all()
        .iter()
        .map(|p| p.reference_code.as_bytes())
        .collect();
    let inputs = (0..cases(3_000))
        .map(|i| match i % 3 {
            0 => {
                let mut bytes = vec![0xF8 | (rng.below(8) as u8)];
                bytes.extend(random_bytes(&mut rng, 600));
                bytes
            }
            1 => {
                let seed = seeds[rng.below(seeds.len() as u64) as usize];
                mutated(&mut rng, seed)
            }
            _ => random_bytes(&mut rng, 200),
        })
        .collect();
    let total = run("model_parser", targets::model_parser, inputs);
    assert!(
        total.structured > 0 && total.ok > 0 && total.refused > 0,
        "{total:?}"
    );
}

#[test]
fn sql_engine_never_panics_and_every_error_has_a_sqlstate() {
    let mut rng = SplitMix64::new(0xF022_0002);
    let inputs = (0..cases(2_000))
        .map(|i| {
            let mut bytes = random_bytes(&mut rng, 400);
            match i % 10 {
                0 => bytes.insert(0, 0xFF),
                1 => bytes.insert(0, 0xFE),
                _ if bytes.first().is_some_and(|b| *b >= 0xFE) => bytes[0] = 0,
                _ => {}
            }
            bytes
        })
        .collect();
    let total = run("sql_engine", targets::sql_engine, inputs);
    assert!(
        total.structured > 0 && total.ok > 0 && total.refused > 0,
        "{total:?}"
    );
}

#[test]
fn permalink_decoder_never_panics_and_decoded_states_round_trip() {
    let mut rng = SplitMix64::new(0xF022_0003);
    let mut state = PageState {
        console: Some("SELECT * FROM t WHERE b = 'x';".into()),
        ..PageState::default()
    };
    state.knobs.insert("n".into(), "1000".into());
    let links = [
        encode_state(&state),
        format!("#/pagination?s={}&embed=1&theme=dark", encode_state(&state)),
        "1.".to_string(),
    ];
    let inputs = (0..cases(5_000))
        .map(|i| match i % 3 {
            0 => {
                let mut bytes = vec![0xF8 | (rng.below(8) as u8)];
                bytes.extend(random_bytes(&mut rng, 300));
                bytes
            }
            1 => {
                let link = &links[rng.below(links.len() as u64) as usize];
                mutated(&mut rng, link.as_bytes())
            }
            _ => random_bytes(&mut rng, 120),
        })
        .collect();
    let total = run("permalink", targets::permalink, inputs);
    assert!(
        total.structured > 0 && total.ok > 0 && total.refused > 0,
        "{total:?}"
    );
}

#[test]
fn knob_values_stay_within_their_specs() {
    let mut rng = SplitMix64::new(0xF022_0004);
    let inputs = (0..cases(3_000))
        .map(|_| random_bytes(&mut rng, 200))
        .collect();
    let total = run("knob_values", targets::knob_values, inputs);
    assert!(total.ok > 0 && total.refused > 0, "{total:?}");
}

#[test]
fn every_target_has_a_libfuzzer_binary_and_a_regression_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
    let lib = std::fs::read_to_string(root.join("fuzz/src/lib.rs")).unwrap();
    assert!(
        lib.contains("crates/core/tests/fuzz_support/targets.rs"),
        "{lib}"
    );
    for target in targets::TARGETS {
        let path = format!("fuzz_targets/{target}.rs");
        let body = std::fs::read_to_string(root.join("fuzz").join(&path)).unwrap();
        assert!(
            body.contains(&format!("sqlpatterns_fuzz::{target}(")),
            "{path}: {body}"
        );
        assert!(
            manifest.contains(&format!("path = \"{path}\"")),
            "fuzz/Cargo.toml lacks {path}"
        );
        assert!(
            !regressions(target).is_empty(),
            "{target}: no regression corpus"
        );
    }
}
