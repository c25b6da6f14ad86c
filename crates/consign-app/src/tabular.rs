//! Tabular files as TMS/WMS exports and Chinese Excel write them (SPEC §2): CSV in UTF-8
//! (with or without a BOM) or GBK/GB18030, detected or chosen; title rows above the
//! header; total rows (合计) below the data. Rows stream: memory stays flat whatever the
//! file size.

use encoding_rs::{Encoding, GB18030, UTF_8};
use std::io::{self, BufRead, BufReader, Read};

/// The text encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GB18030, the superset of GBK and GB2312 that Chinese Excel writes.
    Gbk,
}

impl TextEncoding {
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Gbk => GB18030,
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

/// Whether a row is a total line (合计, 总计, 小计, Total) rather than data.
pub fn is_total_row(cells: &[String]) -> bool {
    cells
        .iter()
        .find(|c| !c.trim().is_empty())
        .map(|c| {
            let t = c.trim().trim_end_matches([':', '：']).to_lowercase();
            matches!(
                t.as_str(),
                "合计" | "总计" | "小计" | "总合计" | "total" | "sum" | "grand total"
            )
        })
        .unwrap_or(false)
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
    fn headers_and_totals() {
        assert_eq!(header_key(" 运费(元) "), "运费");
        assert_eq!(header_key("计费重量（kg）"), "计费重量");
        assert_eq!(header_key("Waybill No"), "waybillno");
        assert!(is_total_row(&["合计".into(), "".into()]));
        assert!(is_total_row(&["".into(), "Total:".into()]));
        assert!(!is_total_row(&["SF1".into()]));
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
