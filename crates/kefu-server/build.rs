//! Compiles the PostgreSQL API tests in only when `KEFU_TEST_POSTGRES_URL` is set, so
//! without it they show as *ignored* (skipped, with the reason) instead of passing without
//! running (the same switch as kefu-store's).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kefu_test_postgres)");
    println!("cargo::rerun-if-env-changed=KEFU_TEST_POSTGRES_URL");
    if std::env::var("KEFU_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=kefu_test_postgres");
    }
}
