//! What the tests that open our files in other people's programs share: finding LibreOffice,
//! poppler and Python with its packages, converting a file with LibreOffice headless, and a
//! temporary directory that is kept when a test fails.
//!
//! scripts/test installs every one of these programs and packages. Without them a test fails
//! with a message naming what is missing (it does not skip): a file nobody has opened is not
//! known to open.

// Each test file uses the part of this module it needs; the rest would warn there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a LibreOffice conversion may take: the first start on a fresh profile, on a busy
/// two-core machine, takes several seconds; a hang must not stall the test run.
const CONVERSION_TIMEOUT: Duration = Duration::from_secs(120);

/// The Python packages the client scripts import, at the versions scripts/test installs.
pub const PYTHON_DOCX: (&str, &str) = ("docx", "python-docx==1.2.0");
pub const OPENPYXL: (&str, &str) = ("openpyxl", "openpyxl==3.1.5");

/// The path of a program on PATH, or a failure that says how to get it.
pub fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "`{name}` is not installed. These tests need LibreOffice (soffice, with Writer and Calc), \
             poppler-utils (pdftotext, pdffonts, pdfimages) and python3; scripts/test installs them \
             (Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils)."
        )
    })
}

/// Runs one of the Python scripts beside this module (tests/clients/) with `args`, after
/// checking that the packages it imports are there, and returns what it printed.
pub fn python(script: &str, packages: &[(&str, &str)], args: &[&Path]) -> String {
    let python = tool("python3");
    for (module, requirement) in packages {
        let found = Command::new(&python).args(["-c", &format!("import {module}")]).output().unwrap();
        assert!(
            found.status.success(),
            "Python cannot import {module}: scripts/test installs it (python3 -m pip install {requirement})"
        );
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients").join(script);
    output(Command::new(&python).arg(&path).args(args))
}

/// A .docx as python-docx reads it (tests/clients/docx_read.py): each paragraph as its style
/// name (none when python-docx cannot tell it) and its text.
#[derive(Debug, serde::Deserialize)]
pub struct DocxAsRead {
    pub body: Vec<(Option<String>, String)>,
    pub cells: Vec<(Option<String>, String)>,
    pub footers: Vec<(Option<String>, String)>,
    /// The names of the document's paragraph styles.
    pub styles: Vec<String>,
    /// Width and height in EMU of each inline picture.
    pub pictures: Vec<(u64, u64)>,
}

impl DocxAsRead {
    /// The texts of the paragraphs, anywhere, whose style python-docx could not tell.
    pub fn without_style(&self) -> Vec<&str> {
        let all = self.body.iter().chain(&self.cells).chain(&self.footers);
        all.filter(|(style, _)| style.is_none()).map(|(_, text)| text.as_str()).collect()
    }

    /// The style of the body paragraph with this text.
    pub fn style_of(&self, text: &str) -> Option<&str> {
        let found = self.body.iter().find(|(_, t)| t == text);
        found.unwrap_or_else(|| panic!("no paragraph {text}: {self:?}")).0.as_deref()
    }
}

/// Reads a .docx with python-docx.
pub fn python_docx(docx: &Path) -> DocxAsRead {
    let printed = python("docx_read.py", &[PYTHON_DOCX], &[docx]);
    serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{e}: {printed}"))
}

/// `soffice --headless --convert-to {to}` of `input` into `dir`, with its profile in `dir`
/// (not the user's) and a time limit; returns the converted file. LibreOffice's soffice is a
/// script that starts soffice.bin: both run in a process group of their own, so that a hung
/// conversion is killed whole.
pub fn convert(input: &Path, to: &str, dir: &Path) -> PathBuf {
    use std::os::unix::process::CommandExt;

    let soffice = tool("soffice");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
    let mut child = Command::new(&soffice)
        .env("HOME", &home)
        .arg(format!("-env:UserInstallation=file://{}", home.join("libreoffice").display()))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(input)
        .stdin(Stdio::null())
        .stdout(log("soffice.out"))
        .stderr(log("soffice.err"))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", soffice.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CONVERSION_TIMEOUT {
            // The whole group: soffice and the soffice.bin it started.
            let _ = Command::new("kill").arg("-KILL").arg(format!("-{}", child.id())).status();
            let _ = child.wait();
            panic!("LibreOffice did not convert {} within {} s", input.display(), CONVERSION_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    assert!(status.success(), "soffice failed ({status}):\n{}\n{}", read("soffice.out"), read("soffice.err"));
    eprintln!("LibreOffice converted {} in {:.1} s", input.display(), started.elapsed().as_secs_f64());
    // "pdf" or "csv:Text - txt - csv (StarCalc):44,34,76": the extension is before the colon.
    let extension = to.split(':').next().unwrap_or(to);
    let converted = dir.join(input.file_stem().unwrap()).with_extension(extension);
    assert!(converted.is_file(), "LibreOffice wrote no {extension}; see {}", dir.display());
    converted
}

/// What a command printed, or a failure with what it said.
pub fn output(command: &mut Command) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A directory of its own under the system's temporary directory, removed afterwards unless
/// the test failed (then it is kept, with LibreOffice's output, to look at).
pub struct TempDir(PathBuf);

impl TempDir {
    /// `name` tells the tests of one process apart (they run in parallel threads).
    pub fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("tonglian-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} to look at", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
