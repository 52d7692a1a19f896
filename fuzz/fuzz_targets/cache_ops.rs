#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| liveshell_fuzz::cache_ops::run(data));
