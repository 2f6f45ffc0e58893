#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sqlpatterns_fuzz::sql_engine(data);
});
