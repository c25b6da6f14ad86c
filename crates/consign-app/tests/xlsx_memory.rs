//! Crafted and damaged workbooks are read with bounded memory (issue 16, point 1): the
//! process's peak resident size (Linux `VmHWM`) stays under 256 MiB while the reader goes
//! through the attack files: a shared-strings table that declares 10^16 strings (it
//! aborted the process before the guard), a compression bomb, and 300 randomly damaged
//! workbooks. This is the only test of its binary, so the peak is this test's.

use consign_app::tabular::{read_xlsx, RowEvent};
use std::io::{Cursor, Write};

fn workbook() -> Vec<u8> {
    let rows = [
        ["运单号", "客户名称", "运费"],
        ["SF1001", "上海恒通供应链管理有限公司", "12.5"],
        ["SF1002", "广州顺达物流有限公司", "30"],
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let cells = rows.iter().enumerate().flat_map(|(r, row)| {
        row.iter()
            .enumerate()
            .map(move |(c, v)| (r as u32, c as u16, *v))
    });
    for (r, c, v) in cells {
        sheet.write_string(r, c, v).expect("cell");
    }
    book.save_to_buffer().expect("save")
}

/// The workbook with its shared strings written by `write` as they are compressed (so
/// the test never holds a bomb's text).
fn with_shared_strings(book: &[u8], write: impl Fn(&mut dyn Write)) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(book)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..zin.len() {
        let mut part = zin.by_index(i).expect("part");
        let name = part.name().expect("name").into_owned();
        out.start_file(name.as_str(), opts).expect("start");
        if name.ends_with("sharedStrings.xml") {
            write(&mut out);
        } else {
            std::io::copy(&mut part, &mut out).expect("copy");
        }
    }
    out.finish().expect("finish").into_inner()
}

/// Reads a workbook to its end; true when it was refused as a file.
fn refused(bytes: Vec<u8>) -> bool {
    read_xlsx(Cursor::new(bytes), |ev| {
        let _ = matches!(ev, RowEvent::Row { .. });
        true
    })
    .is_err()
}

/// The process's peak resident size in KiB, where Linux reports it.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A small deterministic generator (the test must not depend on a seed it cannot show).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn crafted_workbooks_are_read_in_bounded_memory() {
    let Some(before) = peak_kib() else {
        eprintln!("*** SKIPPING: no /proc/self/status VmHWM on this system");
        return;
    };
    let good = workbook();
    assert!(!refused(good.clone()), "the plain workbook reads");

    // 1. The 1 KB attack: a shared-strings table that declares 10^16 strings.
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="10000000000000000"><si><t>运单号</t></si></sst>"#;
    let attack = with_shared_strings(&good, |w| w.write_all(sst.as_bytes()).expect("write"));
    assert!(refused(attack), "the absurd count is refused");

    // 2. A compression bomb: 160 MiB of one repeated string in a part of a few hundred
    // KB, written as it is compressed (the test itself never holds it).
    let chunk = "长".repeat(1024 * 1024 / 3);
    let bomb = with_shared_strings(&good, |w| {
        w.write_all(br#"<?xml version="1.0"?><sst count="1" uniqueCount="1"><si><t>"#)
            .expect("write");
        for _ in 0..160 {
            w.write_all(chunk.as_bytes()).expect("write");
        }
        w.write_all(b"</t></si></sst>").expect("write");
    });
    assert!(
        bomb.len() < 4 * 1024 * 1024,
        "a bomb: {} bytes zipped",
        bomb.len()
    );
    assert!(refused(bomb), "the bomb is refused");

    // 3. Damaged copies: bytes changed, cut, inserted or removed anywhere.
    let mut rng = Lcg(0x5eed_2026_1204);
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..(1 + rng.next() % 12) {
            if bytes.is_empty() {
                break;
            }
            let i = (rng.next() as usize) % bytes.len();
            let b = rng.next() as u8;
            match rng.next() % 4 {
                0 => bytes[i] = b,
                1 => bytes.truncate(i),
                2 => bytes.insert(i, b),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        let _ = refused(bytes);
    }

    let after = peak_kib().expect("VmHWM");
    eprintln!("peak resident size: {before} KiB at the start, {after} KiB at the end");
    // Had the reader inflated the bomb (160 MiB) or allocated for the declared count,
    // the peak would have grown by far more.
    assert!(
        after - before < 64 * 1024,
        "the peak resident size grew by {} KiB reading the attack files",
        after - before
    );
}
