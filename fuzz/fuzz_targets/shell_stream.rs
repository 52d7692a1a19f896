#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| liveshell_fuzz::shell_stream::run(data));
