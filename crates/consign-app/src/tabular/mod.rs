//! Tabular files as TMS/WMS exports and Chinese Excel write them (SPEC §2): CSV in UTF-8
//! (with or without a BOM) or GBK/GB18030, detected or chosen; title rows above the
//! header; total rows (合计) below the data. Rows stream: memory stays flat whatever the
//! file size.

pub mod xlsx_guard;
use encoding_rs::{Encoding, GB18030, UTF_8};
use std::io::{self, BufRead, BufReader, Read};

/// The text encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
pub enum TextEncoding {
    #[schema(rename = "utf-8")]
    Utf8,
    /// GB18030, the superset of GBK and GB2312 that Chinese Excel writes.
    #[schema(rename = "gbk")]
    Gbk,
}

impl TextEncoding {
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Gbk => GB18030,
        }
    }

    /// The name users know it by.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
        }
    }

    /// From a user's choice: `utf-8`, `gbk`, `gb18030`, `gb2312`.
    pub fn parse(s: &str) -> Option<TextEncoding> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Some(TextEncoding::Gbk),
            _ => None,
        }
    }
}

/// Guesses the encoding from the first bytes of a file: a UTF-8 BOM, or text that is
/// valid UTF-8 (a sequence cut at the end of the sample does not count against it), is
/// UTF-8; anything else is taken for GBK.
pub fn detect(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Gbk,
    }
}

/// A `Read` that turns bytes in `encoding` into UTF-8 as they stream by (a BOM is
/// dropped; bytes that are not valid in the encoding become U+FFFD).
pub struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
}

impl<R: Read> Decoding<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        Decoding {
            inner,
            decoder: encoding.encoding().new_decoder_with_bom_removal(),
            input: vec![0; 64 * 1024],
            in_start: 0,
            in_end: 0,
            out: vec![0; 3 * 64 * 1024 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
        }
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.eof && self.in_start == self.in_end {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.out,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && written == 0 && self.in_start == self.in_end {
                return Ok(0);
            }
        }
    }
}

/// Opens a CSV stream: the encoding is the given one, or detected from the first 64 KiB.
pub fn csv_reader<R: Read>(
    input: R,
    encoding: Option<TextEncoding>,
) -> io::Result<(csv::Reader<Decoding<BufReader<R>>>, TextEncoding)> {
    let mut buffered = BufReader::with_capacity(64 * 1024, input);
    let enc = match encoding {
        Some(e) => e,
        None => detect(buffered.fill_buf()?),
    };
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Decoding::new(buffered, enc));
    Ok((reader, enc))
}

/// The characters that make Excel and WPS read a CSV cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as a CSV export writes it: one that Excel or WPS would run as a formula
/// (`=HYPERLINK(…)`, `+1+cmd|…`, `@SUM(…)`) gets a leading `'`, which they show as text.
/// [`csv_unescape`] takes it off again on import, so the file re-imports unchanged.
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Undoes [`csv_safe`]: a `'` before a formula character is dropped.
pub fn csv_unescape(cell: &mut String) {
    if cell.starts_with('\'') && cell[1..].starts_with(FORMULA_STARTS) {
        cell.remove(0);
    }
}

/// A line of totals rather than data: a subtotal (小计, per customer or per page) or the
/// file's total (合计, 总计, Total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalRow {
    Subtotal,
    Grand,
}

/// Whether a row is a line of totals: one of its first three filled cells is a total
/// word, alone or after what it totals (`小计`, `KH000012 小计`, `本页合计：`, `Total`).
pub fn total_row(cells: &[String]) -> Option<TotalRow> {
    const SUB: [&str; 4] = ["小计", "本页合计", "页小计", "subtotal"];
    const GRAND: [&str; 6] = ["总合计", "合计", "总计", "grand total", "total", "sum"];
    cells
        .iter()
        .filter(|c| !c.trim().is_empty())
        .take(3)
        .find_map(|c| {
            let t = c.trim().trim_end_matches([':', '：']).trim().to_lowercase();
            if SUB.iter().any(|w| t.ends_with(w)) {
                Some(TotalRow::Subtotal)
            } else if GRAND
                .iter()
                .any(|w| t == *w || t.ends_with(&format!(" {w}")))
                || ["合计", "总计"].iter().any(|w| t.ends_with(w))
            {
                Some(TotalRow::Grand)
            } else {
                None
            }
        })
}

/// Whether a row is a total line (合计, 总计, 小计, Total) rather than data.
pub fn is_total_row(cells: &[String]) -> bool {
    total_row(cells).is_some()
}

/// Normalizes a header cell for matching: no spaces, no units in brackets
/// (`运费(元)` → `运费`), lower case.
pub fn header_key(cell: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in cell.trim().trim_start_matches('\u{feff}').chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            c if depth == 0 && !c.is_whitespace() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// The header among the first rows: the first row in which at least `min_known` cells
/// are known column names (`known` gives a cell's field). Returns its index and, per
/// column, the field it holds.
pub fn find_header<'a>(
    rows: &[Vec<String>],
    known: impl Fn(&str) -> Option<&'a str>,
    min_known: usize,
) -> Option<(usize, Vec<Option<&'a str>>)> {
    rows.iter().enumerate().find_map(|(i, row)| {
        let fields: Vec<Option<&str>> = row.iter().map(|c| known(&header_key(c))).collect();
        (fields.iter().filter(|f| f.is_some()).count() >= min_known).then_some((i, fields))
    })
}

/// Longest row we accept (bytes of UTF-8). Longer ones are reported as bad rows; memory
/// stays bounded whatever the file holds (a missing quote must not swallow the file).
pub const MAX_ROW_BYTES: usize = 64 * 1024;

/// One row of a file, or a row that could not be read at all.
pub enum RowEvent<'a> {
    /// `no` is the 1-based row number as a spreadsheet shows it.
    Row { no: u64, cells: &'a [String] },
    Bad {
        no: u64,
        key: &'static str,
        arg: String,
    },
}

/// A problem with the whole file: nothing after it can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFault {
    pub key: &'static str,
    pub arg: String,
}

impl FileFault {
    pub fn new(key: &'static str, arg: impl Into<String>) -> FileFault {
        FileFault {
            key,
            arg: arg.into(),
        }
    }
}

/// Reads one physical line (without its line end) into `buf`, keeping at most `cap`
/// bytes; returns None at the end, else whether the line was longer than `cap`.
fn read_line_capped<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(p) => (p, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        if take > room {
            too_long = true;
        }
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(if done { take + 1 } else { take });
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(too_long))
}

/// Splits one CSV record (RFC 4180: `"` quotes, `""` inside quotes) into `out`; returns
/// false when a quoted cell is still open at the end (the record goes on on the next line).
fn split_record(line: &str, out: &mut Vec<String>) -> bool {
    out.clear();
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        let mut cell = String::new();
        if i < b.len() && b[i] == b'"' {
            i += 1;
            loop {
                match b[i..].iter().position(|c| *c == b'"') {
                    None => return false,
                    Some(p) => {
                        cell.push_str(&line[i..i + p]);
                        i += p + 1;
                        if i < b.len() && b[i] == b'"' {
                            cell.push('"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        // The rest up to the comma (after a closing quote: anything there, kept as written).
        let end = b[i..]
            .iter()
            .position(|c| *c == b',')
            .map_or(b.len(), |p| i + p);
        cell.push_str(&line[i..end]);
        i = end;
        out.push(cell);
        if i >= b.len() {
            return true;
        }
        i += 1; // the comma
    }
}

/// Reads CSV rows as they stream, calling `f` for each until it returns false. A row
/// longer than [`MAX_ROW_BYTES`] or with a quote that never closes is reported as bad
/// and reading goes on with the next line, so every good row still arrives. Cells that
/// did not decode in `encoding` make their row bad too.
pub fn read_csv<R: Read>(
    input: R,
    encoding: TextEncoding,
    mut f: impl FnMut(RowEvent) -> bool,
) -> Result<(), FileFault> {
    let io_fault = |e: io::Error| FileFault::new("err.csv_malformed", e.to_string());
    let mut r = BufReader::with_capacity(256 * 1024, Decoding::new(input, encoding));
    // Lines read ahead while looking for the end of a quoted cell, given back if it never
    // ends: (line number, text, too long).
    let mut pending: std::collections::VecDeque<(u64, Vec<u8>, bool)> = Default::default();
    let mut next_no = 1u64;
    let mut buf = Vec::new();
    let mut cells = Vec::new();
    let mut read_next = |r: &mut BufReader<Decoding<R>>,
                         pending: &mut std::collections::VecDeque<(u64, Vec<u8>, bool)>|
     -> Result<Option<(u64, Vec<u8>, bool)>, FileFault> {
        if let Some(x) = pending.pop_front() {
            return Ok(Some(x));
        }
        match read_line_capped(r, &mut buf, MAX_ROW_BYTES + 1).map_err(io_fault)? {
            None => Ok(None),
            Some(too_long) => {
                let no = next_no;
                next_no += 1;
                Ok(Some((no, std::mem::take(&mut buf), too_long)))
            }
        }
    };
    while let Some((no, first, too_long)) = read_next(&mut r, &mut pending)? {
        let bad = |key: &'static str| RowEvent::Bad {
            no,
            key,
            arg: MAX_ROW_BYTES.to_string(),
        };
        if too_long || first.len() > MAX_ROW_BYTES {
            if !f(bad("err.line_too_long")) {
                return Ok(());
            }
            continue;
        }
        // The decoder only writes UTF-8.
        let mut record = String::from_utf8_lossy(&first).into_owned();
        let mut used: Vec<(u64, Vec<u8>, bool)> = Vec::new();
        let complete = loop {
            if split_record(&record, &mut cells) {
                break true;
            }
            match read_next(&mut r, &mut pending)? {
                None => break false,
                Some(line) => {
                    if line.2 || record.len() + line.1.len() + 1 > MAX_ROW_BYTES {
                        used.push(line);
                        break false;
                    }
                    record.push('\n');
                    record.push_str(&String::from_utf8_lossy(&line.1));
                    used.push(line);
                }
            }
        };
        if !complete {
            // Give the lines back: the open quote was a mistake in row `no` alone.
            for line in used.into_iter().rev() {
                pending.push_front(line);
            }
            if !f(bad("err.line_too_long")) {
                return Ok(());
            }
            continue;
        }
        if cells.iter().any(|c| c.contains('\u{fffd}')) {
            let ev = RowEvent::Bad {
                no,
                key: "err.encoding",
                arg: encoding.label().to_string(),
            };
            if !f(ev) {
                return Ok(());
            }
            continue;
        }
        cells.iter_mut().for_each(csv_unescape);
        if !f(RowEvent::Row { no, cells: &cells }) {
            return Ok(());
        }
    }
    Ok(())
}

/// Reads the first worksheet of an XLSX workbook as it streams (cells in row order),
/// calling `f` for each non-empty row until it returns false. Numbers come as text
/// without float noise; dates as `YYYY-MM-DD HH:MM:SS` (the sheet's local time).
///
/// The container is checked first ([`xlsx_guard`]); a row whose cells add up to
/// more than [`MAX_ROW_BYTES`] is reported as bad, as in a CSV file.
pub fn read_xlsx<R: Read + io::Seek>(
    mut input: R,
    mut f: impl FnMut(RowEvent) -> bool,
) -> Result<(), FileFault> {
    use calamine::{DataRef, Reader, Xlsx};
    xlsx_guard::check(&mut input)?;
    let damaged = |e: calamine::XlsxError| FileFault::new("err.xlsx_damaged", e.to_string());
    let mut book: Xlsx<R> = Xlsx::new(input).map_err(damaged)?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(FileFault::new("err.no_sheet", ""));
    };
    let mut reader = book.worksheet_cells_reader(&sheet).map_err(damaged)?;
    let mut row: Vec<String> = Vec::new();
    let mut current: Option<u32> = None;
    // Bytes of the current row's cells so far.
    let mut row_bytes = 0usize;
    let flush = |row: &mut Vec<String>,
                 row_bytes: &mut usize,
                 no: u32,
                 f: &mut dyn FnMut(RowEvent) -> bool|
     -> bool {
        while row.last().is_some_and(|c| c.is_empty()) {
            row.pop();
        }
        let no = u64::from(no) + 1;
        let go = if *row_bytes > MAX_ROW_BYTES {
            f(RowEvent::Bad {
                no,
                key: "err.line_too_long",
                arg: MAX_ROW_BYTES.to_string(),
            })
        } else {
            row.is_empty() || f(RowEvent::Row { no, cells: row })
        };
        row.clear();
        *row_bytes = 0;
        go
    };
    while let Some(cell) = reader.next_cell().map_err(damaged)? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current {
                if !flush(&mut row, &mut row_bytes, prev, &mut f) {
                    return Ok(());
                }
            }
            current = Some(r);
        }
        let text = match cell.get_value() {
            DataRef::Empty => String::new(),
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => (*s).to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(x) => number_text(*x),
            DataRef::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            DataRef::DateTime(d) => match d.as_datetime() {
                // To the nearest second: a day fraction of 09:05 reads as 09:04:59.999.
                Some(t) if d.is_datetime() => (t + chrono::Duration::milliseconds(500))
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                _ => number_text(d.as_f64()),
            },
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::Error(e) => format!("#{e}"),
        };
        row_bytes = row_bytes.saturating_add(text.len());
        if row_bytes > MAX_ROW_BYTES {
            continue; // the row is reported as bad when it ends; its cells are not kept
        }
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    if let Some(prev) = current {
        flush(&mut row, &mut row_bytes, prev, &mut f);
    }
    Ok(())
}

/// A spreadsheet number as text: whole numbers without `.0`, and no binary float noise
/// (`108.28999999999999` → `108.29`).
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8], enc: Option<TextEncoding>) -> (Vec<Vec<String>>, TextEncoding) {
        let (mut r, e) = csv_reader(bytes, enc).expect("open");
        let rows = r
            .records()
            .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
            .collect();
        (rows, e)
    }

    #[test]
    fn encodings_are_detected() {
        let text = "运单号,客户名称\r\nSF1,顺丰速运有限公司\r\n";
        let (gbk, _, _) = GB18030.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for (bytes, want) in [
            (text.as_bytes().to_vec(), TextEncoding::Utf8),
            (bom, TextEncoding::Utf8),
            (gbk.to_vec(), TextEncoding::Gbk),
        ] {
            let (r, e) = rows(&bytes, None);
            assert_eq!(e, want);
            assert_eq!(r[0][0], "运单号", "no BOM left in the first cell");
            assert_eq!(r[1][1], "顺丰速运有限公司");
        }
    }

    #[test]
    fn csv_records_split_as_rfc_4180_says() {
        let mut out = Vec::new();
        assert!(split_record(r#"a,"b,""c""",,"1,234.50""#, &mut out));
        assert_eq!(out, ["a", r#"b,"c""#, "", "1,234.50"]);
        assert!(split_record("x,", &mut out));
        assert_eq!(out, ["x", ""], "a trailing comma is an empty last cell");
        assert!(
            !split_record(r#"a,"open"#, &mut out),
            "an open quote continues the record"
        );
    }

    #[test]
    fn a_chosen_encoding_wins() {
        let (gbk, _, _) = GB18030.encode("名称\n冷链\n");
        let (r, e) = rows(&gbk, Some(TextEncoding::Gbk));
        assert_eq!((e, r[1][0].as_str()), (TextEncoding::Gbk, "冷链"));
        assert_eq!(TextEncoding::parse("GB2312"), Some(TextEncoding::Gbk));
        assert_eq!(TextEncoding::parse("latin1"), None);
    }

    #[test]
    fn long_gbk_streams_across_buffer_boundaries() {
        // Far more than one 64 KiB buffer, with two-byte characters split at the edges.
        let line = "SF1234567890,上海恒通供应链管理有限公司,冷链\n";
        let text = line.repeat(20_000);
        let (gbk, _, _) = GB18030.encode(&text);
        let (r, _) = rows(&gbk, None);
        assert_eq!(r.len(), 20_000);
        assert!(r.iter().all(|row| row[1] == "上海恒通供应链管理有限公司"));
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back_as_written() {
        for cell in [
            "=HYPERLINK(\"http://evil.example\",\"点此\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1",
            "\r=1",
        ] {
            let safe = csv_safe(cell);
            assert!(safe.starts_with('\''), "{safe}");
            let mut back = safe.clone();
            csv_unescape(&mut back);
            assert_eq!(back, cell);
        }
        for plain in ["上海恒通", "SF1001", "'引号开头", "12.50", ""] {
            assert_eq!(csv_safe(plain), plain);
            let mut back = plain.to_string();
            csv_unescape(&mut back);
            assert_eq!(
                back, plain,
                "a cell that was not escaped is read as written"
            );
        }
        // Through the reader, as an import sees the exported file.
        let file = "备注,运单号\n'=1+1,SF1\n";
        let mut got = Vec::new();
        read_csv(file.as_bytes(), TextEncoding::Utf8, |ev| {
            if let RowEvent::Row { cells, .. } = ev {
                got.push(cells.to_vec());
            }
            true
        })
        .expect("read");
        assert_eq!(got[1], vec!["=1+1".to_string(), "SF1".to_string()]);
    }

    #[test]
    fn headers_and_totals() {
        assert_eq!(header_key(" 运费(元) "), "运费");
        assert_eq!(header_key("计费重量（kg）"), "计费重量");
        assert_eq!(header_key("Waybill No"), "waybillno");
        assert!(is_total_row(&["合计".into(), "".into()]));
        assert!(is_total_row(&["".into(), "Total:".into()]));
        assert!(!is_total_row(&["SF1".into()]));
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            total_row(&row(&["", "", "KH000012 小计", "3", "360.00"])),
            Some(TotalRow::Subtotal)
        );
        assert_eq!(
            total_row(&row(&["本页合计：", "360.00"])),
            Some(TotalRow::Subtotal)
        );
        assert_eq!(
            total_row(&row(&["总计", "", "1,234.00"])),
            Some(TotalRow::Grand)
        );
        assert_eq!(
            total_row(&row(&["", "Grand Total", "1234"])),
            Some(TotalRow::Grand)
        );
        assert_eq!(
            total_row(&row(&[
                "DP2026110300001",
                "2026-11-03",
                "KH000012",
                "上海顺达物流"
            ])),
            None,
            "a data row"
        );
        let rows = vec![
            vec!["2025年10月 月结对账单".to_string(), String::new()],
            vec!["运单号".to_string(), "运费(元)".to_string()],
        ];
        let known = |k: &str| match k {
            "运单号" => Some("waybill_no"),
            "运费" => Some("revenue"),
            _ => None,
        };
        let (i, fields) = find_header(&rows, known, 2).expect("header");
        assert_eq!(i, 1);
        assert_eq!(fields, vec![Some("waybill_no"), Some("revenue")]);
    }
}
