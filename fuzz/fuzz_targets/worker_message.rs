#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| liveshell_fuzz::worker_message::run(data));
