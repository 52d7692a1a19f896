#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| liveshell_fuzz::main_only_stream::run(data));
