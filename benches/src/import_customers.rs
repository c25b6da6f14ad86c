//! `consign-bench import-customers`: writes two customers files of N customers each, one
//! row per contact and two contacts per customer (the way CRMs export customers): Chinese
//! company names (city, a two-character trade name, trade, legal form), regions,
//! industries, credit codes for most, two contacts with mobile numbers; then times
//! `consign import customers`: the first file into an empty database, the second (other
//! customers) into the database that now holds the first, and the first file again
//! (every row unchanged).

use crate::import::{fresh_dir, Run};
use anyhow::{bail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const HEADER: &str =
    "客户编号,客户名称,客户类型,行业,省份,城市,服务方式,统一社会信用代码,地址,联系人,手机,职务";

/// (province, city, USCC region code).
const CITIES: &[(&str, &str, &str)] = &[
    ("上海", "上海", "310000"),
    ("北京", "北京", "110000"),
    ("广东", "广州", "440100"),
    ("广东", "深圳", "440300"),
    ("广东", "东莞", "441900"),
    ("广东", "佛山", "440600"),
    ("浙江", "杭州", "330100"),
    ("浙江", "宁波", "330200"),
    ("浙江", "义乌", "330782"),
    ("江苏", "苏州", "320500"),
    ("江苏", "南京", "320100"),
    ("江苏", "无锡", "320200"),
    ("四川", "成都", "510100"),
    ("重庆", "重庆", "500000"),
    ("湖北", "武汉", "420100"),
    ("陕西", "西安", "610100"),
    ("河南", "郑州", "410100"),
    ("湖南", "长沙", "430100"),
    ("天津", "天津", "120000"),
    ("安徽", "合肥", "340100"),
    ("山东", "青岛", "370200"),
    ("福建", "厦门", "350200"),
    ("辽宁", "沈阳", "210100"),
    ("云南", "昆明", "530100"),
];
/// Characters Chinese trade names (字号) are commonly made of.
const TRADE: &str = "恒通华宇远航金桥嘉禾瑞丰鑫达众联新景安达宏图永盛佳美康诚星辰汇通同创凯乐捷运\
    北辰美之源云端天合盛世锦程万邦顺泰隆兴富源德信百川中信海纳长虹东方明珠银河博远\
    广元泰和祥瑞鼎盛宝丰精工立信诚达聚鑫弘毅正大亿联九州华夏兴业利民昌荣润泽卓越\
    创新智远友邦和谐騰飞豪迈金鹏龙腾凤翔天宇晨光朝阳东升晟昊皓源汇丰旭日";
/// (industry, words for what the company does, service modes).
const TRADES: &[(&str, &[&str], &str)] = &[
    (
        "ecommerce",
        &["电商", "网络科技", "电子商务", "商贸"],
        "express;ltl",
    ),
    (
        "manufacturing",
        &["机械制造", "精密机械", "五金制品", "模具", "机电设备"],
        "ltl;ftl",
    ),
    ("auto_parts", &["汽配", "汽车配件", "汽车零部件"], "ltl;ftl"),
    (
        "cold_chain_food",
        &["冷链食品", "果业", "生鲜", "食品"],
        "cold_chain",
    ),
    (
        "pharmaceuticals",
        &["医药", "生物医药", "医疗器械"],
        "express;cold_chain",
    ),
    ("chemicals", &["化工", "化工贸易", "新材料"], "ftl"),
    ("textiles", &["纺织", "服饰", "纺织品进出口"], "express;ltl"),
    ("retail", &["连锁超市", "百货", "便利店管理"], "ltl"),
    (
        "electronics",
        &["电子", "电子科技", "智能科技"],
        "express;ltl",
    ),
];
const SUFFIXES: &[&str] = &[
    "有限公司",
    "股份有限公司",
    "贸易有限公司",
    "供应链管理有限公司",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str =
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红娥玲芬燕彬斌宇浩凯鹏飞鑫波宁";
const TITLES: &[&str] = &[
    "物流经理",
    "采购主管",
    "财务",
    "仓储主管",
    "总经理",
    "运营专员",
];

/// Writes `n` distinct companies from `seed`, codes `{prefix}000001…`, two rows each.
fn write_file(path: &Path, seed: u64, n: usize, prefix: &str) -> Result<()> {
    let mut rng = consign_app::demo::Rng::new(seed);
    let trade: Vec<char> = TRADE.chars().filter(|c| !c.is_whitespace()).collect();
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut names = std::collections::HashSet::new();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{HEADER}")?;
    let mut i = 0;
    let mut tries = 0;
    while i < n {
        tries += 1;
        if tries > n * 20 {
            bail!("only {i} distinct company names");
        }
        let (province, city, region) = *rng.pick(CITIES);
        let (industry, words, modes) = *rng.pick(TRADES);
        let brand: String = [*rng.pick(&trade), *rng.pick(&trade)].iter().collect();
        let word = rng.pick(words);
        let suffix = rng.pick(SUFFIXES);
        let name = if rng.chance(0.2) {
            format!("{brand}{word}（{city}）{suffix}")
        } else {
            format!("{city}{brand}{word}{suffix}")
        };
        if !names.insert(name.clone()) {
            continue;
        }
        i += 1;
        let base = format!("91{region}MA{}", rng.digits(7)).to_uppercase();
        let uscc = match consign_domain::validate::uscc_check_char(&base) {
            Some(c) if rng.chance(0.7) => format!("{base}{c}"),
            _ => String::new(),
        };
        let address = format!("{city}市{}路{}号", brand, 1 + rng.below(999));
        for _ in 0..2 {
            let person: String = [*rng.pick(&surnames), *rng.pick(&given), *rng.pick(&given)]
                .iter()
                .collect();
            writeln!(
                out,
                "{prefix}{i:06},{name},企业,{industry},{province},{city},{modes},{uscc},{address},{person},1{}{},{}",
                3 + rng.below(7),
                rng.digits(9),
                rng.pick(TITLES),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn import(consign: &Path, data_dir: &Path, db_url: Option<&str>, file: &Path) -> Result<Run> {
    crate::import::import_kind(consign, data_dir, db_url, "customers", file, &[])
}

fn report(label: &str, customers: usize, r: &Run) {
    println!(
        "{label:<44} {:>6.1} s {:>8.0} customers/s {:>8.0} rows/s  peak RSS {:>4} MB   {}",
        r.seconds,
        customers as f64 / r.seconds,
        2.0 * customers as f64 / r.seconds,
        r.peak_rss_mb,
        r.summary
    );
}

pub async fn run(
    customers: usize,
    dir: PathBuf,
    consign: PathBuf,
    postgres: Option<String>,
    again: bool,
) -> Result<()> {
    crate::need_binary(&consign)?;
    std::fs::create_dir_all(&dir)?;
    let first = dir.join(format!("customers-{customers}-a.csv"));
    let second = dir.join(format!("customers-{customers}-b.csv"));
    let t = Instant::now();
    write_file(&first, 42, customers, "KA")?;
    write_file(&second, 4242, customers, "KB")?;
    println!(
        "files ready in {:.1} s: {} and {} ({} rows each)",
        t.elapsed().as_secs_f64(),
        first.display(),
        second.display(),
        2 * customers
    );
    let target = postgres.as_deref();
    if let Some(u) = target {
        crate::empty_pg(u).await?;
    }
    let label = if target.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let d = fresh_dir(&dir)?;
    let r = import(&consign, &d, target, &first)?;
    report(
        &format!("{label}: {customers} into an empty database"),
        customers,
        &r,
    );
    let r = import(&consign, &d, target, &second)?;
    report(
        &format!("{label}: {customers} more into {customers}"),
        customers,
        &r,
    );
    if again {
        let r = import(&consign, &d, target, &first)?;
        report(&format!("{label}: the first file again"), customers, &r);
    }
    Ok(())
}
