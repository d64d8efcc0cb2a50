//! The built-in kernel models, embedded in the binary, and loading of a
//! user's model directory (`--kernel DIR`).
//!
//! The built-ins are one tree, `models/v6.1/`, plus the patch series of
//! `models/patches/` (git format-patch files, one per kernel commit, listed
//! per model in `models/patches/series`): each model is built at load time
//! by applying its patches in order. `apply_patch` applies a user's patch
//! (`--patch FILE`) the same way.

use std::path::Path;
use std::sync::OnceLock;

/// One kernel model: its files, in the order they are compiled.
#[derive(Clone, Debug)]
pub struct KernelModel {
    pub name: String,
    /// Kernel versions this model stands for.
    pub versions: String,
    /// The commits it follows.
    pub commits: String,
    pub description: String,
    /// `init_utsname()->release` of the kernel it stands for (report headers).
    pub release: String,
    /// The stall diagnostics that kernel carries (the series' `diagnostics:`):
    /// `holdout-stall`, `stall-info`, `stall-info-since-boot`, `postscan-stall`.
    pub diagnostics: Vec<String>,
    /// Where the kernels the model stands for differ in their diagnostics
    /// (the series' `diagnostics-note:`), for tables.
    pub diagnostics_note: String,
    /// (file name, text). `*.kc` are kernel code; `init.c` is the init program.
    pub files: Vec<(String, String)>,
}

macro_rules! embed {
    ($dir:literal: $($f:literal),* $(,)?) => {
        &[$(($f, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/", $dir, "/", $f)))),*]
    };
}

/// The base tree, in compile order.
static BASE: &[(&str, &str)] = embed!("v6.1": "entry.kc", "exit.kc", "fork.kc", "pid.kc", "pid_namespace.kc",
    "signal.kc", "srcutree.kc", "tasks.kc", "tree.kc", "sched.kc", "trampoline.kc", "init.c");

/// Every patch the series names.
static PATCHES: &[(&str, &str)] = embed!("patches":
    "revert-3f95aa81d265-rcu-Make-TASKS_RCU-handle-tasks-that-are-almo.patch",
    "28319d6dc5e2-rcu-tasks-Fix-synchronize_rcu_tasks-VS-zap_pid_ns_pr.patch",
    "44757092958b-rcu-tasks-Remove-preemption-disablement-around-srcu_.patch",
    "6b70399f9ef3-rcu-tasks-Maintain-lists-to-eliminate-RCU-tasks-do_e.patch",
    "1612160b9127-rcu-tasks-Eliminate-deadlocks-involving-do_exit-and-.patch",
    "9855c37edf00-Revert-rcu-tasks-Fix-synchronize_rcu_tasks-VS-zap_pi.patch",
    "c342b42fa47f-rcu-tasks-Make-Tasks-RCU-wait-idly-for-grace-period-.patch",
);

static SERIES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/patches/series"));

struct Builtin {
    name: &'static str,
    versions: &'static str,
    commits: &'static str,
    description: &'static str,
    release: &'static str,
    diagnostics: &'static str,
    diagnostics_note: &'static str,
    patches: Vec<&'static str>,
}

/// What the series' `diagnostics:` may name.
pub const DIAGNOSTICS: &[&str] = &["holdout-stall", "stall-info", "stall-info-since-boot", "postscan-stall"];

/// Parse the series file: `kernel NAME` stanzas of `key: value` lines.
fn parse_series(text: &'static str) -> Result<Vec<Builtin>, String> {
    let mut out: Vec<Builtin> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("kernel ") {
            out.push(Builtin {
                name: name.trim(),
                versions: "",
                commits: "",
                description: "",
                release: "",
                diagnostics: "",
                diagnostics_note: "",
                patches: Vec::new(),
            });
            continue;
        }
        let (Some(b), Some((key, value))) = (out.last_mut(), line.split_once(':')) else {
            return Err(format!("line {}: expected `kernel NAME` or `key: value`", i + 1));
        };
        let value = value.trim();
        match key {
            "versions" => b.versions = value,
            "commits" => b.commits = value,
            "description" => b.description = value,
            "release" => b.release = value,
            "diagnostics" => {
                if let Some(bad) = value.split(',').map(str::trim).find(|d| !d.is_empty() && !DIAGNOSTICS.contains(d)) {
                    return Err(format!(
                        "line {}: unknown diagnostic `{bad}` (known: {})",
                        i + 1,
                        DIAGNOSTICS.join(", ")
                    ));
                }
                b.diagnostics = value
            }
            "diagnostics-note" => b.diagnostics_note = value,
            "patch" if PATCHES.iter().any(|(n, _)| *n == value) => b.patches.push(value),
            "patch" => return Err(format!("line {}: patch `{value}` is not embedded (see PATCHES)", i + 1)),
            _ => return Err(format!("line {}: unknown key `{key}`", i + 1)),
        }
    }
    Ok(out)
}

fn builtins() -> &'static [Builtin] {
    static B: OnceLock<Vec<Builtin>> = OnceLock::new();
    // The series is part of the binary; tests load every model from it.
    B.get_or_init(|| parse_series(SERIES).unwrap_or_else(|e| panic!("models/patches/series: {e}")))
}

pub fn builtin_names() -> Vec<&'static str> {
    builtins().iter().map(|b| b.name).collect()
}

pub fn builtin(name: &str) -> Option<KernelModel> {
    let b = builtins().iter().find(|b| b.name == name)?;
    let mut model = KernelModel {
        name: b.name.to_string(),
        versions: b.versions.to_string(),
        commits: b.commits.to_string(),
        description: b.description.to_string(),
        release: b.release.to_string(),
        diagnostics: b.diagnostics.split(',').map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect(),
        diagnostics_note: b.diagnostics_note.to_string(),
        files: BASE.iter().map(|(n, t)| (format!("{}/{}", b.name, n), t.to_string())).collect(),
    };
    for p in &b.patches {
        let text = PATCHES.iter().find(|(n, _)| n == p).map_or("", |(_, t)| t);
        // The embedded series applies cleanly: tests check every export.
        patch_files(&mut model.files, p, text).unwrap_or_else(|e| panic!("built-in model {name}: {e}"));
    }
    Some(model)
}

/// Apply a user's patch (`--patch FILE`) to a model, after its own series.
/// `label` names the patch in messages; the model's name gets `+` and the
/// patch's file name appended.
pub fn apply_patch(model: &mut KernelModel, label: &str, text: &str) -> Result<(), String> {
    patch_files(&mut model.files, label, text)?;
    model.name = format!("{}+{}", model.name, base_name(label));
    model.commits =
        if model.commits.is_empty() { format!("+ {label}") } else { format!("{} + {label}", model.commits) };
    Ok(())
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// One file's part of a patch.
struct FilePatch {
    /// File names without directories; None for `/dev/null`.
    old: Option<String>,
    new: Option<String>,
    /// `--- `, `+++ ` and the hunks, as diffy parses them.
    text: String,
    /// The `@@ -a,b +c,d @@` header of each hunk.
    headers: Vec<String>,
}

/// The file name of a `--- `/`+++ ` line: up to a tab (`diff -u` puts the
/// date there), without `a/`/`b/` or any directory.
fn header_path(rest: &str) -> Option<String> {
    let p = rest.split('\t').next().unwrap_or(rest).trim_end();
    let p = p.strip_prefix('"').and_then(|p| p.strip_suffix('"')).unwrap_or(p);
    (p != "/dev/null").then(|| base_name(p).to_string())
}

/// The old and new line counts of a hunk header `@@ -a[,b] +c[,d] @@...`.
fn hunk_counts(line: &str) -> Option<(String, usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let end = rest.find(" @@")?;
    let header = format!("@@ -{} @@", &rest[..end]);
    let (old, new) = rest[..end].split_once(" +")?;
    let count = |r: &str| -> Option<usize> {
        match r.split_once(',') {
            Some((s, c)) => s.parse::<usize>().ok().and(c.parse().ok()),
            None => r.parse::<usize>().ok().map(|_| 1),
        }
    };
    Some((header, count(old)?, count(new)?))
}

/// Split a patch (git format-patch, git diff or diff -u output) into its
/// files. Everything outside a file's `---`/`+++` lines and counted hunks
/// (mail header, message, diffstat, `-- ` signature) is skipped.
fn split_patch(label: &str, text: &str) -> Result<Vec<FilePatch>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut files = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (Some(old), Some(new)) =
            (lines[i].strip_prefix("--- "), lines.get(i + 1).and_then(|l| l.strip_prefix("+++ ")))
        else {
            i += 1;
            continue;
        };
        let mut fp = FilePatch {
            old: header_path(old),
            new: header_path(new),
            text: format!("{}{}", lines[i], lines[i + 1]),
            headers: Vec::new(),
        };
        if fp.old.is_none() && fp.new.is_none() {
            return Err(format!("{label}: line {}: a patch from /dev/null to /dev/null", i + 1));
        }
        i += 2;
        while let Some(line) = lines.get(i).filter(|l| l.starts_with("@@ ")) {
            let Some((header, mut old_n, mut new_n)) = hunk_counts(line) else {
                return Err(format!("{label}: line {}: malformed hunk header `{}`", i + 1, line.trim_end()));
            };
            fp.text.push_str(line);
            fp.headers.push(header);
            let start = i + 1;
            i += 1;
            while old_n > 0 || new_n > 0 {
                let Some(line) = lines.get(i) else {
                    return Err(format!("{label}: the hunk at line {start} ends before its header's line counts"));
                };
                let ok = match line.as_bytes().first() {
                    Some(b' ') | Some(b'\n') | Some(b'\r') if old_n > 0 && new_n > 0 => {
                        old_n -= 1;
                        new_n -= 1;
                        true
                    }
                    Some(b'-') if old_n > 0 => {
                        old_n -= 1;
                        true
                    }
                    Some(b'+') if new_n > 0 => {
                        new_n -= 1;
                        true
                    }
                    Some(b'\\') => true,
                    _ => false,
                };
                if !ok {
                    return Err(format!(
                        "{label}: line {}: `{}` does not fit the hunk at line {start} (its header's line counts)",
                        i + 1,
                        line.trim_end()
                    ));
                }
                // Some tools drop the space of an empty context line.
                if line.starts_with(['\n', '\r']) {
                    fp.text.push(' ');
                }
                fp.text.push_str(line);
                i += 1;
            }
            while let Some(line) = lines.get(i).filter(|l| l.starts_with('\\')) {
                fp.text.push_str(line);
                i += 1;
            }
        }
        if fp.headers.is_empty() {
            return Err(format!("{label}: line {}: no hunk (`@@ ... @@`) after the `---`/`+++` lines", i + 1));
        }
        files.push(fp);
    }
    if files.is_empty() {
        return Err(format!("{label}: no file diff (`--- a/FILE`, `+++ b/FILE`, `@@ ... @@`) in it"));
    }
    Ok(files)
}

/// Apply one patch to a model's files: change, add (`--- /dev/null`, `*.kc`
/// only) or remove (`+++ /dev/null`) them.
fn patch_files(files: &mut Vec<(String, String)>, label: &str, text: &str) -> Result<(), String> {
    for fp in split_patch(label, text)? {
        let shown = fp.new.as_deref().or(fp.old.as_deref()).unwrap_or_default().to_string();
        let patch = diffy::Patch::from_str(&fp.text).map_err(|e| format!("{label}: {shown}: malformed patch: {e}"))?;
        let Some(old) = &fp.old else {
            if !shown.ends_with(".kc") {
                return Err(format!("{label}: creates {shown}: a patch can add kernel model files (*.kc) only"));
            }
            if files.iter().any(|(n, _)| base_name(n) == shown) {
                return Err(format!("{label}: creates {shown}, which the model already has"));
            }
            let text = diffy::apply("", &patch).map_err(|e| format!("{label}: {shown}: {e}"))?;
            let path = match files.first().map(|(n, _)| n.as_str()) {
                Some(first) if base_name(first).len() < first.len() => {
                    format!("{}{shown}", &first[..first.len() - base_name(first).len()])
                }
                _ => shown.clone(),
            };
            files.push((path, text));
            continue;
        };
        let Some(idx) = files.iter().position(|(n, _)| base_name(n) == old) else {
            let names: Vec<&str> = files.iter().map(|(n, _)| base_name(n)).collect();
            return Err(format!(
                "{label}: the patch changes {old}, which the model does not have (it has {})",
                names.join(", ")
            ));
        };
        let current = &files[idx].1;
        let patched = diffy::apply(current, &patch).map_err(|e| {
            let n: usize = e.to_string().rsplit('#').next().and_then(|d| d.trim().parse().ok()).unwrap_or(0);
            match (patch.hunks().get(n.wrapping_sub(1)), fp.headers.get(n.wrapping_sub(1))) {
                (Some(h), Some(header)) => {
                    format!("{label}: hunk #{n} ({header}) of {old} does not apply: {}", mismatch(old, current, h))
                }
                _ => format!("{label}: {old}: the patch does not apply ({e})"),
            }
        })?;
        if fp.new.is_none() {
            files.remove(idx);
        } else {
            files[idx].1 = patched;
        }
    }
    Ok(())
}

/// Where a hunk's context and deleted lines first differ from the file, read
/// at the hunk's start line.
fn mismatch(file: &str, text: &str, hunk: &diffy::Hunk<'_, str>) -> String {
    let have: Vec<&str> = text.split_inclusive('\n').collect();
    let first = hunk.old_range().start().max(1);
    let want = hunk.lines().iter().filter_map(|l| match l {
        diffy::Line::Context(s) | diffy::Line::Delete(s) => Some(s.trim_end_matches(['\n', '\r'])),
        diffy::Line::Insert(_) => None,
    });
    for (k, w) in want.enumerate() {
        let line = first + k;
        match have.get(line - 1).map(|s| s.trim_end_matches(['\n', '\r'])) {
            Some(h) if h == w => continue,
            Some(h) => return format!("line {line} of {file} reads `{h}` where the patch expects `{w}`"),
            None => {
                return format!(
                    "{file} has only {} lines where the patch expects line {line} to read `{w}`",
                    have.len()
                )
            }
        }
    }
    format!("its lines are at line {first} of {file}, but overlap a change of an earlier hunk")
}

/// Load a model directory: every `*.kc` file in name order, and `init.c`.
pub fn load_dir(dir: &Path) -> Result<KernelModel, String> {
    let rd =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read kernel model directory {}: {e}", dir.display()))?;
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kc") || n == "init.c")
        .collect();
    names.sort();
    if !names.iter().any(|n| n.ends_with(".kc")) {
        return Err(format!("{} holds no kernel model files (*.kc)", dir.display()));
    }
    let mut files = Vec::new();
    for n in names {
        let p = dir.join(&n);
        let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        files.push((p.display().to_string(), text));
    }
    let name = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string());
    Ok(KernelModel {
        name,
        versions: "user model".into(),
        commits: String::new(),
        description: format!("kernel model from {}", dir.display()),
        // A model of one's own: the warnings every recent kernel prints.
        release: "user-model".into(),
        diagnostics: vec!["holdout-stall".into(), "stall-info".into(), "stall-info-since-boot".into()],
        diagnostics_note: String::new(),
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads() {
        assert_eq!(builtin_names(), ["unprotected", "v6.1", "v6.3", "v6.9", "v6.11"]);
        for n in builtin_names() {
            assert!(builtin(n).is_some_and(|m| m.files.len() == BASE.len()), "{n}");
        }
    }

    #[test]
    fn malformed_patches_are_messages() {
        let mut files = vec![("m/a.kc".to_string(), "x\ny\nz\n".to_string())];
        for bad in [
            "",
            "--- a/a.kc\n+++ b/a.kc\n",
            "--- a/a.kc\n+++ b/a.kc\n@@ -1,3 +1,3 @@\n x\n",
            "--- a/a.kc\n+++ b/a.kc\n@@ -x +1 @@\n",
            "--- a/a.kc\n+++ b/a.kc\n@@ -1,2 +1,2 @@\n x\n?y\n",
            "--- a/b.kc\n+++ b/b.kc\n@@ -1 +1 @@\n-x\n+w\n",
            "--- /dev/null\n+++ b/a.kc\n@@ -0,0 +1 @@\n+w\n",
            "--- /dev/null\n+++ b/n.h\n@@ -0,0 +1 @@\n+w\n",
        ] {
            assert!(patch_files(&mut files, "p", bad).is_err(), "{bad:?}");
        }
        let e = patch_files(&mut files, "p", "--- a/a.kc\n+++ b/a.kc\n@@ -1,2 +1,2 @@\n x\n-q\n+w\n").unwrap_err();
        assert_eq!(
            e,
            "p: hunk #1 (@@ -1,2 +1,2 @@) of a.kc does not apply: line 2 of a.kc reads `y` where the patch expects `q`"
        );
        patch_files(&mut files, "p", "--- /dev/null\n+++ b/n.kc\n@@ -0,0 +1 @@\n+w\n").unwrap();
        assert_eq!(files[1], ("m/n.kc".to_string(), "w\n".to_string()));
    }
}
