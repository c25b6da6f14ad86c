//! Charts drawn on the server as SVG (SPEC §12: no CDN, works offline), with the same
//! Chinese font stack as the pages. Every bar can link to the list behind it.

const FONT: &str = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, sans-serif";

/// Escapes text for SVG (XML).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// One bar: label, value, the text written at its end, and a link.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub href: String,
}

/// Horizontal bars, one row each, scaled to the largest value.
pub fn hbars(title: &str, bars: &[Bar], color: &str) -> String {
    let row = 26.0;
    let (label_w, bar_w, text_w) = (150.0, 260.0, 120.0);
    let width = label_w + bar_w + text_w;
    let height = row * bars.len().max(1) as f64 + 8.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" font-family="{FONT}" font-size="12"><title>{}</title>"#,
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row;
        let w = (b.value / max * bar_w).max(if b.value > 0.0 { 2.0 } else { 0.0 });
        s += &format!(
            r##"<a href="{href}"><g><title>{label}: {text}</title><text x="{lx}" y="{ty}" text-anchor="end" fill="#1f2733">{label}</text><rect x="{bx}" y="{ry}" width="{w:.1}" height="{h}" rx="3" fill="{color}"/><text x="{tx:.1}" y="{ty}" fill="#55606e">{text}</text></g></a>"##,
            href = esc(&b.href),
            label = esc(&b.label),
            text = esc(&b.text),
            lx = label_w - 8.0,
            ty = y + 16.0,
            bx = label_w,
            ry = y + 4.0,
            h = row - 8.0,
            tx = label_w + w + 6.0,
        );
    }
    s + "</svg>"
}

/// The Pareto curve: cumulative share of profit (y) over the share of customers ranked
/// by profit (x), with horizontal cuts at `cuts` (label, y) and where the curve meets them.
pub fn pareto(
    title: &str,
    points: &[(f64, f64)],
    cuts: &[(String, f64)],
    axis: (&str, &str),
) -> String {
    let (w, h, l, r, t, b) = (520.0, 300.0, 48.0, 16.0, 12.0, 36.0);
    let pw = w - l - r;
    let ph = h - t - b;
    let x = |v: f64| l + v.clamp(0.0, 1.0) * pw;
    let y = |v: f64| t + (1.0 - v.clamp(0.0, 1.0)) * ph;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" font-family="{FONT}" font-size="11"><title>{}</title>"#,
        esc(title)
    );
    for i in 0..=4 {
        let v = i as f64 / 4.0;
        s += &format!(
            r##"<line x1="{l}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e2e7ee"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#6b7685">{p}%</text><text x="{xx:.1}" y="{by}" text-anchor="middle" fill="#6b7685">{p}%</text>"##,
            x2 = w - r,
            yy = y(v),
            tx = l - 6.0,
            ty = y(v) + 4.0,
            xx = x(v),
            by = h - b + 16.0,
            p = (v * 100.0) as i64,
        );
    }
    let path: Vec<String> = points
        .iter()
        .map(|(px, py)| format!("{:.1},{:.1}", x(*px), y(*py)))
        .collect();
    s += &format!(
        r##"<polyline fill="none" stroke="#1456d6" stroke-width="2" points="{}"/>"##,
        path.join(" ")
    );
    for (label, cut) in cuts {
        // Where the curve first reaches the cut.
        let at = points
            .windows(2)
            .find(|p| p[1].1 >= *cut)
            .map(|p| {
                let (a, b) = (p[0], p[1]);
                if (b.1 - a.1).abs() < 1e-12 {
                    b.0
                } else {
                    a.0 + (cut - a.1) / (b.1 - a.1) * (b.0 - a.0)
                }
            })
            .unwrap_or(1.0);
        s += &format!(
            r##"<line x1="{l}" x2="{xx:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#c0352b" stroke-dasharray="4 3"/><line x1="{xx:.1}" x2="{xx:.1}" y1="{yy:.1}" y2="{bot}" stroke="#c0352b" stroke-dasharray="4 3"/><text x="{tx:.1}" y="{ty:.1}" fill="#c0352b">{label} · {pc:.1}%</text>"##,
            xx = x(at),
            yy = y(*cut),
            bot = h - b,
            tx = x(at) + 4.0,
            ty = y(*cut) + 14.0,
            label = esc(label),
            pc = at * 100.0,
        );
    }
    s += &format!(
        r##"<text x="{cx}" y="{by}" text-anchor="middle" fill="#1f2733">{xa}</text><text x="12" y="{cy}" transform="rotate(-90 12 {cy})" text-anchor="middle" fill="#1f2733">{ya}</text></svg>"##,
        cx = l + pw / 2.0,
        by = h - 4.0,
        cy = t + ph / 2.0,
        xa = esc(axis.0),
        ya = esc(axis.1),
    );
    s
}

/// Bars either side of zero (e.g. each dimension's SERVQUAL gap): below zero in red to the
/// left, above in green to the right, scaled to `limit`; a missing value draws no bar.
pub fn diverging(title: &str, items: &[(String, Option<f64>, String)], limit: f64) -> String {
    let row = 28.0;
    let (label_w, half, text_w) = (110.0, 150.0, 70.0);
    let width = label_w + 2.0 * half + text_w;
    let height = row * items.len().max(1) as f64 + 8.0;
    let mid = label_w + half;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" font-family="{FONT}" font-size="12"><title>{}</title><line x1="{mid}" y1="0" x2="{mid}" y2="{height}" stroke="#9aa3ad"/>"##,
        esc(title)
    );
    for (i, (label, value, text)) in items.iter().enumerate() {
        let y = 4.0 + i as f64 * row;
        s += &format!(
            r##"<g><title>{label}: {text}</title><text x="{lx}" y="{ty}" text-anchor="end" fill="#1f2733">{label}</text>"##,
            label = esc(label),
            text = esc(text),
            lx = label_w - 8.0,
            ty = y + 17.0,
        );
        if let Some(v) = value {
            let w = (v.abs() / limit.max(1e-9)).min(1.0) * half;
            let (x, color) = if *v < 0.0 {
                (mid - w, "#b3261e")
            } else {
                (mid, "#1a7f4b")
            };
            s += &format!(
                r##"<rect x="{x:.1}" y="{ry}" width="{w:.1}" height="{h}" rx="3" fill="{color}"/>"##,
                ry = y + 5.0,
                h = row - 10.0,
            );
        }
        s += &format!(
            r##"<text x="{tx}" y="{ty}" fill="#55606e">{text}</text></g>"##,
            text = esc(text),
            tx = mid + half + 8.0,
            ty = y + 17.0,
        );
    }
    s + "</svg>"
}

/// Vertical columns over time (e.g. revenue per month), with value labels on hover.
pub fn columns(
    title: &str,
    items: &[(String, f64, String)],
    color: &str,
    axis: &dyn Fn(f64) -> String,
) -> String {
    let (w, h, l, r, t, b) = (640.0, 260.0, 64.0, 8.0, 12.0, 40.0);
    let n = items.len().max(1) as f64;
    let pw = w - l - r;
    let ph = h - t - b;
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1e-9);
    let step = pw / n;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" font-family="{FONT}" font-size="10"><title>{}</title>"#,
        esc(title)
    );
    for i in 0..=4 {
        let v = max * i as f64 / 4.0;
        let yy = t + ph - ph * i as f64 / 4.0;
        s += &format!(
            r##"<line x1="{l}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e2e7ee"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#6b7685">{v}</text>"##,
            x2 = w - r,
            tx = l - 6.0,
            ty = yy + 3.0,
            v = esc(&axis(v)),
        );
    }
    for (i, (label, v, text)) in items.iter().enumerate() {
        let bh = v / max * ph;
        let bx = l + i as f64 * step + step * 0.15;
        s += &format!(
            r##"<g><title>{label}: {text}</title><rect x="{bx:.1}" y="{by:.1}" width="{bw:.1}" height="{bh:.1}" fill="{color}" rx="2"/></g>"##,
            label = esc(label),
            text = esc(text),
            by = t + ph - bh,
            bw = step * 0.7,
        );
        // Every other month labelled, so that 24 fit.
        if i % 2 == 0 || items.len() <= 12 {
            s += &format!(
                r##"<text x="{tx:.1}" y="{ty}" text-anchor="middle" fill="#6b7685">{label}</text>"##,
                tx = bx + step * 0.35,
                ty = h - b + 14.0,
                label = esc(label),
            );
        }
    }
    s + "</svg>"
}

/// Yuan for an axis, short: 1.2亿 / 3500万 in Chinese, 120M / 35M in English.
pub fn short_yuan(zh: bool, yuan: f64) -> String {
    match (zh, yuan) {
        (true, v) if v >= 1e8 => format!("{:.1}亿", v / 1e8),
        (true, v) if v >= 1e4 => format!("{:.0}万", v / 1e4),
        (false, v) if v >= 1e6 => format!("{:.1}M", v / 1e6),
        (false, v) if v >= 1e3 => format!("{:.0}k", v / 1e3),
        (_, v) => format!("{v:.0}"),
    }
}

/// A small trend line (e.g. a KPI over 12 months), scaled to its own range; a month
/// without a value breaks the line. The title says what it is, for screen readers.
pub fn sparkline(title: &str, values: &[Option<f64>]) -> String {
    let (w, h, pad) = (96.0, 22.0, 2.0);
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = known
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let span = if known.is_empty() || hi - lo < 1e-12 {
        1.0
    } else {
        hi - lo
    };
    let step = (w - 2.0 * pad) / (values.len().max(2) - 1) as f64;
    let y = |v: f64| {
        if known.len() > 1 && hi - lo >= 1e-12 {
            h - pad - (v - lo) / span * (h - 2.0 * pad)
        } else {
            h / 2.0
        }
    };
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="spark" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title>{}</title>"#,
        esc(title)
    );
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, s: &mut String| {
        if run.len() > 1 {
            *s += &format!(
                r##"<polyline fill="none" stroke="#2f6fd6" stroke-width="1.5" points="{}"/>"##,
                run.join(" ")
            );
        }
        run.clear();
    };
    let mut last = None;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let p = (pad + i as f64 * step, y(*v));
                run.push(format!("{:.1},{:.1}", p.0, p.1));
                last = Some(p);
            }
            None => flush(&mut run, &mut s),
        }
    }
    flush(&mut run, &mut s);
    if let Some((x, yy)) = last {
        s += &format!(r##"<circle cx="{x:.1}" cy="{yy:.1}" r="2" fill="#2f6fd6"/>"##);
    }
    s + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_labels_and_link() {
        let svg = hbars(
            "t",
            &[Bar {
                label: "A 关键客户 <x>".into(),
                value: 3.0,
                text: "3".into(),
                href: "/customers?value_class=a&province=广东".into(),
            }],
            "#1a7f4b",
        );
        assert!(svg.contains("A 关键客户 &lt;x&gt;"));
        assert!(svg.contains(r#"href="/customers?value_class=a&amp;province=广东""#));
        assert!(svg.starts_with("<svg"));
    }

    #[test]
    fn pareto_marks_where_the_curve_meets_a_cut() {
        // 20% of customers hold 80% of profit.
        let pts = [(0.0, 0.0), (0.2, 0.8), (1.0, 1.0)];
        let svg = pareto("p", &pts, &[("80%".into(), 0.8)], ("x", "y"));
        assert!(svg.contains("80% · 20.0%"), "{svg}");
    }
}
