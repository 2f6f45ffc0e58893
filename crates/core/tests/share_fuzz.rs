//! Fuzzing the link decoder: damaged, truncated, mutated and random links must never
//! panic, and must either decode or give a reason. Deterministic (fixed seed), so a
//! failure reproduces; `SHARE_FUZZ_CASES` raises the count for a longer run.

use sqlpatterns_core::share::{decode_state, encode_state, Location, PageState};

/// xorshift64*: a tiny deterministic PRNG (no dependency needed for a test).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%&?#/+ \xc3\xa9";

fn seeds() -> Vec<String> {
    let mut state = PageState {
        console: Some("SELECT * FROM orders WHERE status = 'pending' LIMIT 20;".into()),
        models: Some("class Order(BaseModel):\n    __tablename__ = 'orders'\n".repeat(5)),
        ..PageState::default()
    };
    state.knobs.insert("n".into(), "100000".into());
    vec![
        encode_state(&state),
        encode_state(&PageState::default()),
        "1.".into(),
        String::new(),
    ]
}

fn mutate(rng: &mut Rng, link: &str) -> String {
    let mut bytes = link.as_bytes().to_vec();
    match rng.below(6) {
        0 => bytes.truncate(rng.below(bytes.len() + 1)),
        1 => {
            for _ in 0..=rng.below(4) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] = ALPHABET[rng.below(ALPHABET.len())];
                }
            }
        }
        2 => {
            let i = rng.below(bytes.len() + 1);
            let junk: Vec<u8> = (0..rng.below(40))
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            bytes.splice(i..i, junk);
        }
        3 => {
            let i = rng.below(bytes.len() + 1);
            let j = i + rng.below(bytes.len() + 1 - i);
            bytes.drain(i..j);
        }
        4 => bytes = (0..rng.below(200)).map(|_| rng.next() as u8).collect(),
        _ => {
            // Flip one bit of the compressed payload: the hardest case for the inflater.
            if bytes.len() > 2 {
                let i = 2 + rng.below(bytes.len() - 2);
                bytes[i] ^= 1 << rng.below(7);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn the_decoder_never_panics_on_damaged_links() {
    let cases: usize = std::env::var("SHARE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let seeds = seeds();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let (mut decoded, mut refused) = (0usize, 0usize);
    for i in 0..cases {
        let link = mutate(&mut rng, &seeds[i % seeds.len()]);
        match decode_state(&link) {
            Ok(_) => decoded += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
        // The whole URL parser too, with the mutated text in every position.
        let _ = Location::parse(&link, &format!("#/pagination?s={link}"));
        let _ = Location::parse("", &link);
    }
    assert_eq!(decoded + refused, cases);
    assert!(
        refused > cases / 2,
        "mutations should mostly be refused: {refused}/{cases}"
    );
    println!("share fuzz: {cases} inputs, {decoded} decoded, {refused} refused with a reason");
}
