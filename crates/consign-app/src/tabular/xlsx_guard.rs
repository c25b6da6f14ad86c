//! Checks an XLSX workbook's zip container before calamine parses it, so that a crafted
//! file cannot take the process down (issue 16): calamine trusts the counts a workbook
//! declares (`<sst uniqueCount="…">` becomes one allocation), keeps every shared string in
//! memory and builds each cell's text whole. Here every part is inflated once, counting
//! bytes as they come, not trusting the sizes the zip declares:
//! - a part may not unzip to more than its cap, nor at a ratio past [`MAX_RATIO`];
//! - no element or text between two tags may be longer than [`MAX_TOKEN_BYTES`]
//!   (this bounds any one cell, shared string or attribute list);
//! - the shared-string count may not exceed what the part could hold.
//!
//! Memory stays at one 64 KiB buffer whatever the file claims.

use crate::tabular::FileFault;
use std::io::{self, Read, Seek};

/// Most parts a workbook may have (a real one has a few dozen).
pub const MAX_ENTRIES: usize = 4096;
/// A worksheet may unzip to at most this many bytes (it is streamed, not held).
pub const MAX_SHEET_BYTES: u64 = 2 << 30;
/// The shared strings are held in memory whole: at most this many bytes unzipped.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;
/// What holding them may cost: each item is a `String` (24 bytes) besides its text; the
/// items are counted from above by the part's `<`.
pub const MAX_SHARED_STRINGS_MEMORY: u64 = 512 << 20;
/// Any other part (workbook, styles, relationships, themes): at most this much.
pub const MAX_OTHER_BYTES: u64 = 64 << 20;
/// Unzipped to zipped size; real sheets are 5–30, deflate's limit is about 1,000.
pub const MAX_RATIO: u64 = 250;
/// Parts smaller than this are not held to [`MAX_RATIO`] (a tiny repetitive part may
/// compress well without harm).
const RATIO_FLOOR: u64 = 1 << 20;
/// The longest run of bytes between two `<`: one tag or one text (a cell holds at most
/// 32,767 characters in Excel; escaped UTF-8 that is under 1 MiB).
pub const MAX_TOKEN_BYTES: u64 = 1 << 20;
/// The smallest shared string item, `<si/>`.
const MIN_SHARED_STRING_BYTES: u64 = 5;

/// Checks the workbook and rewinds `input` to its start.
pub fn check<R: Read + Seek>(input: &mut R) -> Result<(), FileFault> {
    let damaged = |e: &dyn std::fmt::Display| FileFault::new("err.xlsx_damaged", e.to_string());
    let start = input.stream_position().map_err(|e| damaged(&e))?;
    {
        let mut zip = zip::ZipArchive::new(&mut *input).map_err(|e| damaged(&e))?;
        if zip.len() > MAX_ENTRIES {
            return Err(FileFault::new(
                "err.xlsx_too_many_parts",
                MAX_ENTRIES.to_string(),
            ));
        }
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).map_err(|e| damaged(&e))?;
            if part.is_dir() {
                continue;
            }
            let name = part.name().map_err(|e| damaged(&e))?.into_owned();
            let compressed = part.compressed_size();
            let lower = name.to_ascii_lowercase();
            let is_xml = lower.ends_with(".xml") || lower.ends_with(".rels");
            let cap = if lower.contains("worksheets/") {
                MAX_SHEET_BYTES
            } else if lower.ends_with("sharedstrings.xml") {
                MAX_SHARED_STRINGS_BYTES
            } else {
                MAX_OTHER_BYTES
            };
            let seen = scan(&mut part, is_xml, lower.ends_with("sharedstrings.xml"))
                .map_err(|e| damaged(&format!("{name}: {e}")))?;
            let bomb = |limit: String| FileFault::new("err.xlsx_part_too_large", limit);
            if seen.bytes > cap {
                return Err(bomb(format!("{name} > {} MiB", cap >> 20)));
            }
            if seen.bytes > RATIO_FLOOR && seen.bytes > compressed.saturating_mul(MAX_RATIO) {
                return Err(bomb(format!("{name} > {MAX_RATIO}:1")));
            }
            if seen.longest_token > MAX_TOKEN_BYTES {
                return Err(FileFault::new(
                    "err.xlsx_cell_too_long",
                    format!("{name} > {} KiB", MAX_TOKEN_BYTES >> 10),
                ));
            }
            if seen.bytes + 24 * seen.tags > MAX_SHARED_STRINGS_MEMORY
                && cap == MAX_SHARED_STRINGS_BYTES
            {
                return Err(bomb(format!(
                    "{name} > {} MiB",
                    MAX_SHARED_STRINGS_MEMORY >> 20
                )));
            }
            if let Some(n) = seen.declared_strings {
                if n > seen.bytes / MIN_SHARED_STRING_BYTES + 1 {
                    return Err(damaged(&format!("{name}: uniqueCount={n}")));
                }
            }
        }
    }
    input
        .seek(io::SeekFrom::Start(start))
        .map_err(|e| damaged(&e))?;
    Ok(())
}

/// What one part holds, as far as the checks need.
#[derive(Debug, Default)]
struct Seen {
    bytes: u64,
    longest_token: u64,
    /// How many `<` the part holds.
    tags: u64,
    /// `uniqueCount` of the shared strings' `<sst>`, when it is a number.
    declared_strings: Option<u64>,
}

/// Reads a part to its end or to just past the largest cap, counting.
fn scan(part: &mut impl Read, xml: bool, shared_strings: bool) -> io::Result<Seen> {
    let mut seen = Seen::default();
    let mut buf = vec![0u8; 64 * 1024];
    let mut run = 0u64;
    // The start of the part, kept until its first tag has ended (for `<sst …>`).
    let mut head: Vec<u8> = Vec::new();
    loop {
        let n = part.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        seen.bytes += n as u64;
        if xml {
            let mut rest = chunk;
            while let Some(p) = rest.iter().position(|b| *b == b'<') {
                seen.longest_token = seen.longest_token.max(run + p as u64);
                seen.tags += 1;
                run = 0;
                rest = &rest[p + 1..];
            }
            run += rest.len() as u64;
            seen.longest_token = seen.longest_token.max(run);
            if shared_strings && head.len() < 8 * 1024 {
                head.extend_from_slice(&chunk[..chunk.len().min(8 * 1024)]);
            }
        }
        // Past every cap, or a token past its own: nothing more is needed to refuse it.
        if seen.bytes > MAX_SHEET_BYTES || seen.longest_token > MAX_TOKEN_BYTES {
            break;
        }
    }
    if shared_strings {
        seen.declared_strings = sst_count(&head);
    }
    Ok(seen)
}

/// `uniqueCount` on the `<sst>` element at the start of the shared strings: the number
/// of items calamine reserves room for. (`count`, the number of uses, may be far larger
/// and is not used.)
fn sst_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("<sst")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let at = tag.find("uniqueCount")? + "uniqueCount".len();
    let quoted = tag[at..].trim_start().strip_prefix('=')?.trim_start();
    let q = quoted.chars().next()?;
    let value = quoted[1..].split(q).next()?;
    Some(value.trim().parse::<u64>().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::{read_xlsx, RowEvent, MAX_ROW_BYTES};
    use proptest::prelude::*;
    use std::io::{Cursor, Write};

    /// A small real workbook: a header and two rows, strings shared.
    fn workbook() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in [
            ["运单号", "客户名称", "运费"],
            ["SF1001", "上海恒通供应链管理有限公司", "12.5"],
            ["SF1002", "广州顺达物流有限公司", "30"],
        ]
        .iter()
        .enumerate()
        {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *v).expect("cell");
            }
        }
        book.save_to_buffer().expect("save")
    }

    /// The workbook with some parts replaced (`change` returns the new bytes) and
    /// others added.
    fn rezip(
        book: &[u8],
        change: impl Fn(&str) -> Option<Vec<u8>>,
        add: &[(&str, Vec<u8>)],
    ) -> Vec<u8> {
        let mut zin = zip::ZipArchive::new(Cursor::new(book)).expect("zip");
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(true);
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).expect("part");
            let name = f.name().expect("name").into_owned();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("read");
            let data = change(&name).unwrap_or(data);
            out.start_file(name, opts).expect("start");
            out.write_all(&data).expect("write");
        }
        for (name, data) in add {
            out.start_file(*name, opts).expect("start");
            out.write_all(data).expect("write");
        }
        out.finish().expect("finish").into_inner()
    }

    /// Rows of a workbook as read for an import, or the fault.
    fn rows(bytes: Vec<u8>) -> Result<Vec<Result<Vec<String>, &'static str>>, FileFault> {
        let mut out = Vec::new();
        read_xlsx(Cursor::new(bytes), |ev| {
            out.push(match ev {
                RowEvent::Row { cells, .. } => Ok(cells.to_vec()),
                RowEvent::Bad { key, .. } => Err(key),
            });
            true
        })?;
        Ok(out)
    }

    fn shared_strings(unique_count: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="{unique_count}"><si><t>运单号</t></si><si><t>客户名称</t></si><si><t>运费</t></si><si><t>SF1001</t></si><si><t>上海恒通供应链管理有限公司</t></si><si><t>12.5</t></si><si><t>SF1002</t></si><si><t>广州顺达物流有限公司</t></si><si><t>30</t></si></sst>"#
        )
        .into_bytes()
    }

    #[test]
    fn a_real_workbook_passes_and_reads_whole() {
        let r = rows(workbook()).expect("read");
        assert_eq!(r.len(), 3);
        assert_eq!(
            r[1],
            Ok(vec![
                "SF1001".into(),
                "上海恒通供应链管理有限公司".into(),
                "12.5".into()
            ])
        );
    }

    #[test]
    fn an_absurd_shared_string_count_is_refused_before_calamine_reserves_it() {
        // This 1 KB change once aborted the process (calamine reserves uniqueCount items).
        let book = rezip(
            &workbook(),
            |n| {
                n.ends_with("sharedStrings.xml")
                    .then(|| shared_strings("10000000000000000"))
            },
            &[],
        );
        let f = rows(book).expect_err("refused");
        assert_eq!(f.key, "err.xlsx_damaged");
        assert!(
            f.arg.contains("xl/sharedStrings.xml") && f.arg.contains("uniqueCount"),
            "{}",
            f.arg
        );
        // The same count, told truthfully, reads.
        let book = rezip(
            &workbook(),
            |n| {
                n.ends_with("sharedStrings.xml")
                    .then(|| shared_strings("9"))
            },
            &[],
        );
        assert_eq!(rows(book).expect("read").len(), 3);
    }

    #[test]
    fn a_zip_bomb_is_refused_by_its_ratio_without_inflating_it_whole() {
        // 64 MiB of one repeated row compresses about 340:1.
        let row = r#"<row r="9"><c r="A9" t="inlineStr"><is><t>x</t></is></c></row>"#;
        let mut sheet = String::from(r#"<worksheet><sheetData>"#);
        while sheet.len() < 64 << 20 {
            sheet.push_str(row);
        }
        sheet.push_str("</sheetData></worksheet>");
        let book = rezip(
            &workbook(),
            |n| {
                n.ends_with("worksheets/sheet1.xml")
                    .then(|| sheet.clone().into_bytes())
            },
            &[],
        );
        assert!(book.len() < 1 << 20, "{} bytes", book.len());
        let f = rows(book).expect_err("refused");
        assert_eq!(f.key, "err.xlsx_part_too_large");
        assert!(
            f.arg.starts_with("xl/worksheets/sheet1.xml > 250:1"),
            "{}",
            f.arg
        );
    }

    #[test]
    fn a_cell_longer_than_any_real_one_is_refused() {
        // Two MiB of text that does not compress well, in one shared string.
        let mut x = 0x2545_f491_u32;
        let text: String = (0..2 << 20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect();
        let sst = format!(r#"<sst uniqueCount="1"><si><t>{text}</t></si></sst>"#);
        let book = rezip(
            &workbook(),
            |n| {
                n.ends_with("sharedStrings.xml")
                    .then(|| sst.clone().into_bytes())
            },
            &[],
        );
        let f = rows(book).expect_err("refused");
        assert_eq!(f.key, "err.xlsx_cell_too_long");
    }

    #[test]
    fn too_many_parts_are_refused() {
        let extra: Vec<(String, Vec<u8>)> = (0..=MAX_ENTRIES)
            .map(|i| (format!("x/{i}.bin"), vec![]))
            .collect();
        let extra: Vec<(&str, Vec<u8>)> =
            extra.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
        let f = rows(rezip(&workbook(), |_| None, &extra)).expect_err("refused");
        assert_eq!((f.key, f.arg.as_str()), ("err.xlsx_too_many_parts", "4096"));
    }

    #[test]
    fn a_row_past_the_row_limit_is_a_bad_row_and_the_next_still_reads() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let long = "长".repeat(10_000); // 30,000 bytes a cell
        sheet.write_string(0, 0, "运单号").expect("cell");
        for c in 0..3 {
            sheet.write_string(1, c, &long).expect("cell");
        }
        sheet.write_string(2, 0, "SF1003").expect("cell");
        let r = rows(book.save_to_buffer().expect("save")).expect("read");
        assert!(3 * long.len() > MAX_ROW_BYTES);
        assert_eq!(
            r,
            vec![
                Ok(vec!["运单号".to_string()]),
                Err("err.line_too_long"),
                Ok(vec!["SF1003".to_string()])
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// Damaged workbooks (bytes changed, cut or inserted anywhere) end in rows or a
        /// fault: never a panic or an abort.
        #[test]
        fn mutated_workbooks_never_take_the_process_down(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..12),
        ) {
            let mut bytes = workbook();
            for (at, byte, how) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match how {
                    0 => bytes[i] = byte,
                    1 => bytes.truncate(i),
                    2 => bytes.insert(i, byte),
                    _ => { bytes.remove(i); }
                }
            }
            let _ = rows(bytes);
        }

        /// Workbooks whose shared strings declare any count, or whose parts hold any
        /// text, end in rows or a fault.
        #[test]
        fn crafted_shared_strings_never_take_the_process_down(
            count in "[0-9]{1,25}|-1|0x10|",
            body in "(<si><t>[a-z长]{0,20}</t></si>|<si/>|<|>|&amp;|<r>){0,40}",
        ) {
            let sst = format!(r#"<sst count="1" uniqueCount="{count}">{body}</sst>"#);
            let book = rezip(&workbook(), |n| n.ends_with("sharedStrings.xml").then(|| sst.clone().into_bytes()), &[]);
            let _ = rows(book);
        }
    }

    #[test]
    fn the_shared_string_count_is_read_from_the_sst_tag() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="10000000000000000"><si>"#;
        assert_eq!(sst_count(head), Some(10_000_000_000_000_000));
        assert_eq!(
            sst_count(br#"<sst count='300' uniqueCount = '2'>"#),
            Some(2)
        );
        assert_eq!(
            sst_count(br#"<sst uniqueCount="99999999999999999999999">"#),
            Some(u64::MAX)
        );
        assert_eq!(sst_count(b"<sst>"), None);
    }
}
