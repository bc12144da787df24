//! Static assets: content-hashed files under /pkg/ are cached for a year and sent precompressed;
//! pages never are cached. (Pages are rendered only by the unhashed site here: with hashing on,
//! Leptos needs the hash file beside the running binary, which `check_hash_file` guards.)

use crate::common::MIGRATIONS;
use leptos::prelude::LeptosOptions;
use reqwest::header;
use sqlx::PgPool;

/// The router over a site root holding one hashed WASM file, plain and brotli-compressed.
async fn serve_site(pool: PgPool, hashed: bool) -> (String, std::path::PathBuf) {
    let root =
        std::env::temp_dir().join(format!("threshold-assets-{}-{hashed}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("threshold.0123abcd.wasm"), vec![0u8; 4096]).unwrap();
    std::fs::write(pkg.join("threshold.0123abcd.wasm.br"), b"brotli bytes").unwrap();
    let store = server::prepare_database(&pool).await.unwrap();
    let options = LeptosOptions::builder()
        .output_name("threshold")
        .site_root(root.to_string_lossy().to_string())
        .hash_files(hashed)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::router(pool, store, options, &server::Settings::local(addr));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), root)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn hashed_assets_are_cached_for_a_year_and_sent_precompressed(pool: PgPool) {
    let (base, root) = serve_site(pool, true).await;
    let http = reqwest::Client::new();
    let wasm = http
        .get(format!("{base}/pkg/threshold.0123abcd.wasm"))
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(
        wasm.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(wasm.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"brotli bytes");

    // A browser that takes no brotli gets the file as it is.
    let plain = http
        .get(format!("{base}/pkg/threshold.0123abcd.wasm"))
        .header(header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().len(), 4096);

    std::fs::remove_dir_all(root).ok();
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn assets_without_a_content_hash_are_not_kept(pool: PgPool) {
    let (base, root) = serve_site(pool, false).await;
    let wasm = reqwest::get(format!("{base}/pkg/threshold.0123abcd.wasm"))
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert!(wasm.headers().get(header::CACHE_CONTROL).is_none());
    // A missing asset is not kept either, and a page is never stored.
    let missing = reqwest::get(format!("{base}/pkg/threshold.ffff.wasm"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get(header::CACHE_CONTROL).is_none());
    let page = reqwest::get(format!("{base}/sign-in")).await.unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    std::fs::remove_dir_all(root).ok();
}

#[test]
fn the_server_refuses_to_start_without_the_hash_file_it_was_told_to_use() {
    let hashed = LeptosOptions::builder()
        .output_name("threshold")
        .hash_files(true)
        .hash_file("no-such-hash-file.txt".into())
        .build();
    let error = server::check_hash_file(&hashed).unwrap_err();
    assert!(error.contains("no-such-hash-file.txt"), "{error}");
    let plain = LeptosOptions::builder().output_name("threshold").build();
    assert_eq!(server::check_hash_file(&plain), Ok(()));
}
