//! `cargo xtask build-frontend`: the wasm32 build, cut into modules, the JS glue, the
//! optimiser, a content-hashed folder and gzip copies — the same small bundle on every machine.
//!
//! 1. cargo builds the app for wasm32 (`wasm-release` profile: `opt-level = "z"`, LTO), the
//!    linker keeping its relocations (`--emit-relocs`).
//! 2. `wasm_split_cli_support` cuts it at the split points of `frontend/src/split.rs`: a main
//!    module (the frame, the sign-in page, what pages share), a module per page, and chunks
//!    that several pages share; `__wasm_split.js` fetches them when asked.
//! 3. `wasm-bindgen-cli-support` writes the JS glue for the main module (keeping the exports
//!    the page modules link to) and drops the name, producers and debug sections.
//! 4. Binaryen's `wasm-opt` shrinks every module (`PASSES`, as many at once as there are
//!    cores) and strips their names. It comes
//!    from npm (`binaryen`, pinned, run by node), installed under `target/binaryen` — never
//!    from whatever the machine has, so a machine without Debian's binaryen builds the same
//!    bundle; it runs after wasm-bindgen (Debian's binaryen 108 broke the app there; this one
//!    does not).
//! 5. The modules, the glue and the loader name each other by fixed names, so they go into one
//!    folder named by the hash of all of them (`pkg/1a2b…/`); the boot script and the style
//!    sheet get a hash in their names. `index.html` names them and is never cached, the rest
//!    is cached for a year (`backend::static_files`).
//! 6. Every text file and module gets a `.gz` twin at the best level, which the server sends
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

/// The main module's glue, its wasm, and the split modules' loader (fixed names in the hashed
/// folder: they name each other).
const MAIN_JS: &str = "concord_frontend.js";
const MAIN_WASM: &str = "concord_frontend_bg.wasm";
const SPLIT_JS: &str = "__wasm_split.js";

/// What the build wrote, for the report; paths relative to `dist`.
#[derive(Debug)]
pub struct Bundle {
    /// What every visit downloads: the main wasm, its glue, the split loader, the boot script
    /// and the style sheet.
    pub first_load: Vec<String>,
    /// The split modules, fetched when a page that needs them is first shown.
    pub chunks: Vec<String>,
    /// Each split point (a page) and the modules it needs.
    pub pages: Vec<(String, Vec<String>)>,
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("wasm-split wrote a file without a name: {}", path.display()))
}

fn size_of(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

pub fn build() -> Result<Bundle> {
    ensure_wasm_target()?;
    let profile = "wasm-release";
    // The linker keeps its relocations, which wasm-split reads to cut the module apart.
    // `cargo rustc` gives the flag to the app's own link only: the caller's rustflags (CI's
    // `-D warnings`, a config's) stay as they are, and so do the dependencies' builds.
    status(cargo().args([
        "rustc",
        "--package",
        "concord-frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
        "--",
        "-Clink-arg=--emit-relocs",
    ]))?;
    let wasm = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("concord_frontend.wasm");

    let stage = target_dir().join("frontend-stage");
    reset_dir(&stage)?;
    let split_dir = stage.join("split");
    let split_main = split_dir.join("main.wasm");
    let input = read(&wasm)?;
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &split_dir;
        options.main_out_path = &split_main;
        options.link_name = "./__wasm_split.js";
        options.main_module = "./concord_frontend.js";
        options
    })
    .map_err(|e| format!("wasm-split could not split the app: {e:#}"))?;

    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&split_main)
        .out_name("concord_frontend")
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e}"))?
        .omit_default_module_path(false)
        .typescript(false)
        .debug(false)
        .keep_debug(false)
        .keep_lld_exports(true)
        .demangle(false)
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

    // Everything the app's modules load from each other, by fixed names, in one folder.
    let pkg = stage.join("pkg");
    fs::create_dir_all(&pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
    let mut jobs = vec![(stage.join("concord_frontend_bg.wasm"), pkg.join(MAIN_WASM))];
    let mut chunks = Vec::new();
    for module in &split.split_modules {
        let name = file_name(module)?;
        jobs.push((module.clone(), pkg.join(&name)));
        chunks.push(name);
    }
    chunks.sort();
    optimize_all(jobs)?;
    for (from, file) in [(&stage, MAIN_JS), (&split_dir, SPLIT_JS)] {
        fs::copy(from.join(file), pkg.join(file))
            .map_err(|e| format!("cannot copy {file}: {e}"))?;
    }

    // The folder's name is the hash of all of it: a change anywhere is a new folder, and
    // the files in it can be cached for ever.
    let mut names: Vec<String> = [MAIN_JS, MAIN_WASM, SPLIT_JS]
        .into_iter()
        .map(str::to_owned)
        .chain(chunks.iter().cloned())
        .collect();
    names.sort();
    let mut digest = Sha256::new();
    for name in &names {
        digest.update(name.as_bytes());
        digest.update([0]);
        digest.update(read(&pkg.join(name))?);
    }
    let folder = format!(
        "pkg/{}",
        digest
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );

    let dist = dist_dir();
    reset_dir(&dist)?;
    fs::create_dir_all(dist.join(&folder)).map_err(|e| format!("cannot create {folder}: {e}"))?;
    for name in &names {
        fs::copy(pkg.join(name), dist.join(&folder).join(name))
            .map_err(|e| format!("cannot copy {name}: {e}"))?;
    }
    let glue_name = format!("{folder}/{MAIN_JS}");
    let wasm_name = format!("{folder}/{MAIN_WASM}");
    let split_name = format!("{folder}/{SPLIT_JS}");

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
        ("/pkg/__wasm_split.js", &split_name),
        ("/boot.js", &boot_name),
    ] {
        html = replace_once(&html, &format!("\"{from}\""), &format!("\"/{to}\""))?;
    }
    write(&dist.join("index.html"), html.as_bytes())?;
    fs::copy(statics.join("favicon.svg"), dist.join("favicon.svg"))
        .map_err(|e| format!("cannot copy favicon.svg: {e}"))?;
    install_font(&dist)?;

    let first_load = vec![wasm_name, glue_name, split_name, boot_name, style_name];
    let mut pages: Vec<(String, Vec<String>)> = split
        .prefetch_map
        .into_iter()
        .map(|(page, files)| {
            let files = files
                .into_iter()
                .map(|f| format!("{folder}/{f}.wasm"))
                .collect();
            (page, files)
        })
        .collect();
    pages.sort();
    let chunk_files: Vec<String> = chunks.iter().map(|c| format!("{folder}/{c}")).collect();
    for file in first_load
        .iter()
        .chain(&chunk_files)
        .map(String::as_str)
        .chain(["index.html", "favicon.svg"])
    {
        gzip_twin(&dist.join(file))?;
    }
    for file in first_load.iter().chain(&chunk_files) {
        eprintln!(
            "xtask: {file}: {} KiB ({} KiB gzipped)",
            size_of(&dist.join(file)) / 1024,
            size_of(&dist.join(format!("{file}.gz"))) / 1024
        );
    }
    eprintln!("xtask: frontend built into {}", dist.display());
    Ok(Bundle {
        first_load,
        chunks: chunk_files,
        pages,
    })
}

/// The Song face of the agreement (its print view and the server's PDF): Noto Serif SC, a
/// complete TrueType font in an npm package (pinned), under the OFL.
const SONG_FONT: &str = "@expo-google-fonts/noto-serif-sc@0.4.3";

/// Puts the Song face into `dist/fonts/` (the server reads it for PDFs; the print view's
/// `@font-face` loads it when a document is printed).
fn install_font(dist: &Path) -> Result {
    let font = crate::npm_package("fonts", SONG_FONT, "400Regular/NotoSerifSC_400Regular.ttf")
        .map_err(|e| {
            format!("{e} (the agreement's print view and PDF need {SONG_FONT} from npm)")
        })?;
    let fonts = dist.join("fonts");
    fs::create_dir_all(&fonts).map_err(|e| format!("cannot create {}: {e}", fonts.display()))?;
    fs::copy(&font, fonts.join("NotoSerifSC-Regular.ttf"))
        .map_err(|e| format!("cannot copy {}: {e}", font.display()))?;
    Ok(())
}

/// Optimises every module (input, output), as many at a time as the machine has cores.
fn optimize_all(jobs: Vec<(PathBuf, PathBuf)>) -> Result {
    let binaryen = npm_package("binaryen", BINARYEN, "bin/wasm-opt")?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let queue = std::sync::Mutex::new(jobs);
    let next = || queue.lock().ok().and_then(|mut q| q.pop());
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    while let Some((input, output)) = next() {
                        optimize(&binaryen, &input, &output)?;
                    }
                    Ok(())
                })
            })
            .collect();
        runs.into_iter().try_for_each(|run| {
            run.join()
                .unwrap_or_else(|_| Err("wasm-opt's thread panicked".into()))
        })
    })
}

/// Runs npm Binaryen's `wasm-opt` with `PASSES` (dropping any debug and producers sections). A failure
/// stops the build: an unoptimised bundle is never shipped by accident.
fn optimize(binaryen: &Path, input: &Path, output: &Path) -> Result {
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
