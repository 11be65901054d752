//! `cargo xtask build-frontend`: the wasm32 build, the JS glue, the optimiser, content-hashed
//! file names and gzip copies — the same small bundle on every machine.
//!
//! 1. cargo builds the app for wasm32 (`wasm-release` profile: `opt-level = "z"`, LTO).
//! 2. `wasm-bindgen-cli-support` writes the JS glue and drops the name, producers and debug
//!    sections (the name section alone was 2.6 MB).
//! 3. Binaryen's `wasm-opt` shrinks the wasm (`PASSES`). It comes from npm (`binaryen`, pinned, run by
//!    node), installed under `target/binaryen` — never from whatever the machine has, so a
//!    machine without Debian's binaryen builds the same bundle; it runs after wasm-bindgen
//!    (Debian's binaryen 108 broke the app there; this one does not).
//! 4. The wasm, the glue, the boot script and the style sheet get a content hash in their
//!    names (`concord_frontend-1a2b…_bg.wasm`); `index.html` names them and is never cached,
//!    the hashed files are cached for a year (`backend::static_files`).
//! 5. Every text file and the wasm get a `.gz` twin at the best level, which the server sends
//!    as it is.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::{Result, cargo, dist_dir, ensure_wasm_target, npm_package, root, status, target_dir};

/// The Binaryen release the build optimises with (npm, pinned).
const BINARYEN: &str = "binaryen@132.0.0";

/// The optimiser's passes. Measured on this app (docs/benchmarks.md, 2026-12-02): rustc's own
/// `opt-level = "z"` with LTO leaves little for Binaryen, and `-Oz` made the wasm smaller raw
/// (2.2 → 1.8 MB) but *larger* gzipped (617 → 688 KB), which is what a phone downloads; so
/// only the passes that remove code run: identical functions merged, unused elements
/// dropped, no-ops removed.
const PASSES: &[&str] = &[
    "--duplicate-function-elimination",
    "--remove-unused-module-elements",
    "--vacuum",
];

/// What the build wrote, for the report.
#[derive(Debug)]
pub struct Bundle {
    /// The hashed wasm, the glue, the boot script and the style sheet, relative to `dist`.
    pub files: Vec<String>,
}

pub fn build() -> Result<Bundle> {
    ensure_wasm_target()?;
    let profile = "wasm-release";
    status(cargo().args([
        "build",
        "--package",
        "concord-frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
    ]))?;
    let wasm = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("concord_frontend.wasm");

    let stage = target_dir().join("frontend-stage");
    reset_dir(&stage)?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&wasm)
        .out_name("concord_frontend")
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e}"))?
        .omit_default_module_path(false)
        .typescript(false)
        .debug(false)
        .keep_debug(false)
        .remove_name_section(true)
        .remove_producers_section(true);
    bindgen
        .generate(&stage)
        .map_err(|e| format!("wasm-bindgen could not generate the glue: {e}"))?;
    if stage.join("snippets").exists() {
        return Err(
            "wasm-bindgen wrote JS snippets; the build does not hash them yet (frontend/src must not use inline_js or module snippets)".into(),
        );
    }
    let optimized = stage.join("concord_frontend_opt.wasm");
    optimize(&stage.join("concord_frontend_bg.wasm"), &optimized)?;

    let dist = dist_dir();
    reset_dir(&dist)?;
    fs::create_dir_all(dist.join("pkg")).map_err(|e| format!("cannot create pkg: {e}"))?;
    let wasm_bytes = read(&optimized)?;
    let wasm_name = format!("pkg/concord_frontend-{}_bg.wasm", short_hash(&wasm_bytes));
    write(&dist.join(&wasm_name), &wasm_bytes)?;

    let glue = read_text(&stage.join("concord_frontend.js"))?;
    let glue = replace_once(
        &glue,
        "'concord_frontend_bg.wasm'",
        &format!("'{}'", wasm_name.trim_start_matches("pkg/")),
    )?;
    let glue_name = hashed("pkg/concord_frontend", "js", glue.as_bytes());
    write(&dist.join(&glue_name), glue.as_bytes())?;

    let statics = root().join("frontend").join("static");
    let style = read_text(&statics.join("style.css"))?;
    let style_name = hashed("style", "css", style.as_bytes());
    write(&dist.join(&style_name), style.as_bytes())?;

    let boot = read_text(&statics.join("boot.js"))?;
    let boot = replace_once(&boot, "/pkg/concord_frontend.js", &format!("/{glue_name}"))?;
    let boot = replace_once(
        &boot,
        "/pkg/concord_frontend_bg.wasm",
        &format!("/{wasm_name}"),
    )?;
    let boot_name = hashed("boot", "js", boot.as_bytes());
    write(&dist.join(&boot_name), boot.as_bytes())?;

    let index = read_text(&statics.join("index.html"))?;
    let mut html = index;
    for (from, to) in [
        ("/style.css", &style_name),
        ("/pkg/concord_frontend.js", &glue_name),
        ("/pkg/concord_frontend_bg.wasm", &wasm_name),
        ("/boot.js", &boot_name),
    ] {
        html = replace_once(&html, &format!("\"{from}\""), &format!("\"/{to}\""))?;
    }
    write(&dist.join("index.html"), html.as_bytes())?;
    fs::copy(statics.join("favicon.svg"), dist.join("favicon.svg"))
        .map_err(|e| format!("cannot copy favicon.svg: {e}"))?;

    let files = vec![wasm_name, glue_name, boot_name, style_name];
    for file in files
        .iter()
        .map(String::as_str)
        .chain(["index.html", "favicon.svg"])
    {
        gzip_twin(&dist.join(file))?;
    }
    for file in &files {
        let size = fs::metadata(dist.join(file)).map(|m| m.len()).unwrap_or(0);
        let gz = fs::metadata(dist.join(format!("{file}.gz")))
            .map(|m| m.len())
            .unwrap_or(0);
        eprintln!(
            "xtask: {file}: {} KiB ({} KiB gzipped)",
            size / 1024,
            gz / 1024
        );
    }
    eprintln!("xtask: frontend built into {}", dist.display());
    Ok(Bundle { files })
}

/// Runs npm Binaryen's `wasm-opt` with `PASSES` (dropping any debug and producers sections). A failure
/// stops the build: an unoptimised bundle is never shipped by accident.
fn optimize(input: &Path, output: &Path) -> Result {
    let binaryen = npm_package("binaryen", BINARYEN, "bin/wasm-opt")?;
    status(
        Command::new("node")
            .arg(binaryen)
            .args(["--strip-debug", "--strip-producers"])
            .args(PASSES)
            .args([
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(input)
            .arg("-o")
            .arg(output),
    )
    .map_err(|e| {
        format!("{e} (the frontend build optimises with {BINARYEN} from npm, run by node)")
    })
}

/// `stem-<16 hex digits of SHA-256>.ext`.
fn hashed(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{stem}-{}.{ext}", short_hash(bytes))
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Replaces the one occurrence of `from`; a missing one is an error (the glue or a static file
/// changed shape, and a silent miss would ship a page loading the wrong file).
fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(format!(
            "expected `{from}` once in a frontend file, found it {n} times"
        )),
    }
}

/// Writes `file.gz` beside `file` (gzip, best level).
fn gzip_twin(file: &Path) -> Result {
    let bytes = read(file)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes)
        .and_then(|()| gz.finish())
        .map_err(|e| format!("gzip {}: {e}", file.display()))
        .and_then(|out| {
            let mut name = file.as_os_str().to_owned();
            name.push(".gz");
            write(&PathBuf::from(name), &out)
        })
}

fn reset_dir(dir: &Path) -> Result {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("could not clear {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
