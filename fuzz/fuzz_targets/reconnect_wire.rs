#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| liveshell_fuzz::reconnect_wire::run(data));
