//! Deterministic demo data: a logistics company's organisation, its users and a
//! customer archive of realistic Chinese customers (enterprises across industries,
//! individuals, government bodies and institutions at three levels) with contacts.

pub mod credit;
pub mod improvements;
pub mod ops;
pub mod portal;
pub mod service;
pub mod surveys;
use crate::audit::{self, Entry};
use crate::auth::{self, Actor};
use crate::{App, Result};
use chrono::{Duration, TimeZone, Utc};
use consign_domain::customer::Phone;
use consign_domain::customer::{join_modes, CustomerKind, GovLevel, Industry, ServiceMode};
use consign_domain::search;
use consign_domain::validate::uscc_check_char;
use consign_store::customers as repo;
use consign_store::entity::{contact, customer, user};
use consign_store::users as users_repo;
use pinyin_free::pinyin_of;
use sea_orm::Set;
use std::collections::HashSet;

/// Password of every demo user (printed by `consign demo`).
pub const DEMO_PASSWORD: &str = "consign-demo-2026";

/// A small deterministic generator (SplitMix64): the same seed gives the same archive
/// on every machine and every version of the rand crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// (province, city, administrative code prefix, landline area code)
pub const CITIES: &[(&str, &str, &str, &str)] = &[
    ("上海", "上海", "310000", "021"),
    ("北京", "北京", "110000", "010"),
    ("广东", "广州", "440100", "020"),
    ("广东", "深圳", "440300", "0755"),
    ("广东", "东莞", "441900", "0769"),
    ("广东", "佛山", "440600", "0757"),
    ("浙江", "杭州", "330100", "0571"),
    ("浙江", "宁波", "330200", "0574"),
    ("浙江", "义乌", "330782", "0579"),
    ("江苏", "苏州", "320500", "0512"),
    ("江苏", "南京", "320100", "025"),
    ("江苏", "无锡", "320200", "0510"),
    ("山东", "青岛", "370200", "0532"),
    ("山东", "济南", "370100", "0531"),
    ("福建", "厦门", "350200", "0592"),
    ("福建", "福州", "350100", "0591"),
    ("四川", "成都", "510100", "028"),
    ("重庆", "重庆", "500000", "023"),
    ("湖北", "武汉", "420100", "027"),
    ("湖南", "长沙", "430100", "0731"),
    ("河南", "郑州", "410100", "0371"),
    ("陕西", "西安", "610100", "029"),
    ("天津", "天津", "120000", "022"),
    ("辽宁", "沈阳", "210100", "024"),
    ("辽宁", "大连", "210200", "0411"),
    ("安徽", "合肥", "340100", "0551"),
    ("江西", "南昌", "360100", "0791"),
    ("广西", "南宁", "450100", "0771"),
    ("云南", "昆明", "530100", "0871"),
    ("黑龙江", "哈尔滨", "230100", "0451"),
    ("吉林", "长春", "220100", "0431"),
    ("河北", "石家庄", "130100", "0311"),
    ("山西", "太原", "140100", "0351"),
    ("新疆", "乌鲁木齐", "650100", "0991"),
    ("贵州", "贵阳", "520100", "0851"),
    ("海南", "海口", "460100", "0898"),
];

const BRANDS: &[&str] = &[
    "恒通",
    "华宇",
    "远航",
    "金桥",
    "嘉禾",
    "瑞丰",
    "鑫达",
    "众联",
    "新景",
    "安达",
    "宏图",
    "永盛",
    "佳美",
    "天成",
    "海纳",
    "博远",
    "盛世",
    "兴隆",
    "鼎泰",
    "汇通",
    "凯乐",
    "优品",
    "锦程",
    "中晟",
    "顺丰",
    "长虹",
    "星辰",
    "润泽",
    "德信",
    "启航",
    "万嘉",
    "宝利",
    "银河",
    "东方",
    "南洋",
    "北辰",
    "合众",
    "广源",
    "聚鑫",
    "同创",
    "百川",
    "华韵",
    "睿达",
    "泰和",
    "富源",
    "利民",
    "美之源",
    "鲜丰",
    "绿源",
    "康诚",
    "仁和",
    "济生",
    "精工",
    "力拓",
    "捷运",
    "速通",
    "云端",
    "优选",
    "乐购",
    "好邻居",
];

/// An industry's business words, short-name suffix, typical modes and goods.
type IndustryProfile = (
    Industry,
    &'static [&'static str],
    &'static str,
    &'static [ServiceMode],
    &'static str,
);

const INDUSTRIES: &[IndustryProfile] = &[
    (
        Industry::Ecommerce,
        &["电子商务", "网络科技", "电商"],
        "电商",
        &[
            ServiceMode::Express,
            ServiceMode::Warehousing,
            ServiceMode::Ltl,
        ],
        "服装、日用品、小家电",
    ),
    (
        Industry::Manufacturing,
        &["机械制造", "精密制造", "工业设备"],
        "制造",
        &[ServiceMode::Ftl, ServiceMode::Ltl],
        "机械设备、零部件",
    ),
    (
        Industry::ColdChainFood,
        &["冷链食品", "生鲜食品", "食品"],
        "食品",
        &[ServiceMode::ColdChain, ServiceMode::Ltl],
        "冷冻肉类、乳制品、速冻食品",
    ),
    (
        Industry::Pharmaceuticals,
        &["医药", "生物医药", "药业"],
        "医药",
        &[
            ServiceMode::ColdChain,
            ServiceMode::Express,
            ServiceMode::Warehousing,
        ],
        "药品、医疗器械、疫苗",
    ),
    (
        Industry::AutoParts,
        &["汽车零部件", "汽配", "汽车配件"],
        "汽配",
        &[ServiceMode::Ftl, ServiceMode::Ltl, ServiceMode::Warehousing],
        "汽车零部件、轮胎",
    ),
    (
        Industry::Retail,
        &["商贸", "百货", "连锁超市"],
        "商贸",
        &[
            ServiceMode::Ltl,
            ServiceMode::Warehousing,
            ServiceMode::Express,
        ],
        "快消品、日用百货",
    ),
    (
        Industry::Electronics,
        &["电子科技", "电器", "智能科技"],
        "电子",
        &[
            ServiceMode::Express,
            ServiceMode::Ltl,
            ServiceMode::International,
        ],
        "电子元器件、数码产品",
    ),
    (
        Industry::Chemicals,
        &["化工", "新材料"],
        "化工",
        &[ServiceMode::Ftl, ServiceMode::Ltl],
        "化工原料、涂料",
    ),
    (
        Industry::Textiles,
        &["服饰", "纺织"],
        "纺织",
        &[
            ServiceMode::Ltl,
            ServiceMode::Express,
            ServiceMode::International,
        ],
        "布料、成衣",
    ),
    (
        Industry::Agriculture,
        &["农产品", "果业", "茶业"],
        "农业",
        &[ServiceMode::ColdChain, ServiceMode::Ftl],
        "水果、茶叶、粮油",
    ),
];

const SUFFIXES: &[&str] = &[
    "有限公司",
    "有限公司",
    "股份有限公司",
    "供应链管理有限公司",
    "贸易有限公司",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "欧阳", "司马", "诸葛",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "丹", "婷", "浩然",
    "子涵", "欣怡", "宇轩", "思远", "一鸣", "嘉怡", "俊杰", "晨曦", "雨桐", "文博", "佳琪",
];
const TITLES: &[&str] = &[
    "物流经理",
    "采购主管",
    "仓储主管",
    "总经理",
    "财务经理",
    "运营总监",
    "供应链经理",
    "行政主管",
];
const TAGS: &[&str] = &[
    "月结客户",
    "重点客户",
    "电商大促",
    "冷链温控",
    "危险品",
    "大件物流",
    "跨境",
    "新客户",
    "需回访",
    "VIP",
    "合同客户",
    "价格敏感",
];

const GOV_NATIONAL: &[&str] = &[
    "国家粮食和物资储备局{c}储备库",
    "中国{c}海关技术中心",
    "国家药品监督管理局{c}检验中心",
    "中国邮政集团{c}分公司",
];
const GOV_PROVINCIAL: &[&str] = &[
    "{p}省人民医院",
    "{p}省农业农村厅",
    "{p}省疾病预防控制中心",
    "{p}省交通运输厅物资处",
];
const GOV_MUNICIPAL: &[&str] = &[
    "{c}市第一人民医院",
    "{c}市教育局",
    "{c}市应急管理局",
    "{c}市图书馆",
];
const INSTITUTIONS: &[&str] = &[
    "{c}理工学院",
    "{c}市实验中学",
    "{c}职业技术学院",
    "{c}科技馆",
    "{c}市红十字会",
];

fn person_name(r: &mut Rng) -> String {
    format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN))
}

fn mobile(r: &mut Rng) -> String {
    let prefixes = [
        "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158",
        "159", "176", "177", "180", "181", "186", "187", "188", "189", "199",
    ];
    format!("{}{}", r.pick(&prefixes), r.digits(8))
}

fn id_number(r: &mut Rng, region: &str) -> String {
    let year = 1960 + r.below(45);
    let month = 1 + r.below(12);
    let day = 1 + r.below(28);
    let body = format!("{}{year:04}{month:02}{day:02}{}", &region[..6], r.digits(3));
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

fn uscc(r: &mut Rng, region: &str) -> String {
    const CH: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let org: String = (0..9).map(|_| CH[r.below(CH.len())] as char).collect();
    let first = format!("91{region}{org}");
    let check = uscc_check_char(&first).unwrap_or('0');
    format!("{first}{check}")
}

/// Full pinyin of a name, for plausible e-mail addresses and domains.
mod pinyin_free {
    pub fn pinyin_of(name: &str) -> String {
        consign_domain::search::keys_for(&[name])
            .into_iter()
            .filter_map(|k| k.strip_prefix("p:").map(String::from))
            .max_by_key(|k| k.len())
            .unwrap_or_else(|| "contact".into())
    }
}

/// One generated customer with its contacts.
pub struct DemoCustomer {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: CustomerKind,
    pub gov_level: Option<GovLevel>,
    pub industry: Industry,
    pub province: String,
    pub city: String,
    pub address: String,
    pub goods_types: String,
    pub modes: Vec<ServiceMode>,
    pub external: bool,
    pub owner_slot: Option<usize>,
    pub status: &'static str,
    pub uscc: Option<String>,
    pub id_number: Option<String>,
    pub tags: Vec<String>,
    pub contacts: Vec<(String, String, String, Option<String>)>,
    pub created_days_ago: i64,
}

const STREETS: &[&str] = &[
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "长江路",
    "黄河路",
    "科技园路",
    "物流园大道",
    "工业大道",
    "开发区纬二路",
];

/// Generates `n` customers from `seed`. `owners` is the number of owner slots; about one
/// customer in ten is left in the pool.
pub fn generate(seed: u64, n: usize, owners: usize) -> Vec<DemoCustomer> {
    let mut r = Rng::new(seed);
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let i = out.len();
        let &(province, city, region, _area) = r.pick(CITIES);
        let roll = r.below(100);
        let (kind, gov_level, name, short, industry, modes, goods): (
            CustomerKind,
            Option<GovLevel>,
            String,
            Option<String>,
            Industry,
            Vec<ServiceMode>,
            String,
        ) = if roll < 74 {
            let (ind, words, short_sfx, modes, goods) = r.pick(INDUSTRIES);
            let brand = r.pick(BRANDS);
            let word = r.pick(words);
            let suffix = if *ind == Industry::ColdChainFood && r.chance(0.3) {
                "冷链物流有限公司"
            } else {
                r.pick(SUFFIXES)
            };
            let name = if r.chance(0.25) {
                format!("{brand}{word}（{city}）{suffix}")
            } else {
                format!("{city}{brand}{word}{suffix}")
            };
            let k = 1 + r.below(modes.len());
            let mut m: Vec<ServiceMode> = modes.iter().take(k).copied().collect();
            if r.chance(0.1) {
                m.push(ServiceMode::International);
            }
            (
                CustomerKind::Enterprise,
                None,
                name,
                Some(format!("{brand}{short_sfx}")),
                *ind,
                m,
                goods.to_string(),
            )
        } else if roll < 88 {
            let name = person_name(&mut r);
            (
                CustomerKind::Individual,
                None,
                name,
                None,
                Industry::Personal,
                vec![ServiceMode::Express],
                "个人物品、网购退换货".to_string(),
            )
        } else {
            let (tpl, level) = match r.below(4) {
                0 => (r.pick(GOV_NATIONAL), Some(GovLevel::National)),
                1 => (r.pick(GOV_PROVINCIAL), Some(GovLevel::Provincial)),
                2 => (r.pick(GOV_MUNICIPAL), Some(GovLevel::Municipal)),
                _ => (r.pick(INSTITUTIONS), None),
            };
            let name = tpl.replace("{c}", city).replace("{p}", province);
            (
                CustomerKind::Government,
                level,
                name,
                None,
                Industry::PublicSector,
                vec![ServiceMode::Ltl, ServiceMode::Express],
                "办公物资、档案、医疗物资".to_string(),
            )
        };
        // Individuals may share a name; organisations must not.
        let name = if kind != CustomerKind::Individual && !names.insert(name.clone()) {
            continue;
        } else {
            name
        };
        let owner_slot = if r.chance(0.1) {
            None
        } else {
            Some(r.below(owners.max(1)))
        };
        let status = match r.below(20) {
            0..=1 => "prospect",
            2 => "suspended",
            3 => "lost",
            _ => "active",
        };
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..r.below(3) {
            let t = r.pick(TAGS).to_string();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let n_contacts = match kind {
            CustomerKind::Individual => 1,
            _ => 1 + r.below(3),
        };
        let domain = format!(
            "{}.com.cn",
            pinyin_of(short.as_deref().unwrap_or(&name))
                .chars()
                .take(12)
                .collect::<String>()
        );
        let contacts = (0..n_contacts)
            .map(|j| {
                let cname = if kind == CustomerKind::Individual {
                    name.clone()
                } else {
                    person_name(&mut r)
                };
                let title = if kind == CustomerKind::Individual {
                    String::new()
                } else {
                    r.pick(TITLES).to_string()
                };
                let email = if kind == CustomerKind::Individual || r.chance(0.3) {
                    None
                } else {
                    Some(format!(
                        "{}{}@{domain}",
                        pinyin_of(&cname),
                        if j > 0 { j.to_string() } else { String::new() }
                    ))
                };
                (cname, title, mobile(&mut r), email)
            })
            .collect();
        out.push(DemoCustomer {
            code: format!("KH{:06}", i + 1),
            uscc: (kind == CustomerKind::Enterprise).then(|| uscc(&mut r, region)),
            id_number: (kind == CustomerKind::Individual && r.chance(0.5))
                .then(|| id_number(&mut r, region)),
            address: format!("{city}市{}{}号", r.pick(STREETS), 1 + r.below(999)),
            name,
            short_name: short,
            kind,
            gov_level,
            industry,
            province: province.to_string(),
            city: city.to_string(),
            goods_types: goods,
            modes,
            external: r.chance(0.15),
            owner_slot,
            status,
            tags,
            contacts,
            created_days_ago: r.below(730) as i64,
        });
    }
    out
}

/// The demo organisation and users; returns the ids of the owners customers go to.
pub async fn seed_users(app: &App) -> Result<Vec<i64>> {
    let conn = &app.db.conn;
    let root = crate::users::root_unit(app, "远达物流集团").await?;
    let sh = users_repo::create_unit(conn, Some(&root), "上海分公司", "branch").await?;
    let sh_key = users_repo::create_unit(conn, Some(&sh), "华东大客户部", "team").await?;
    let sh_sme = users_repo::create_unit(conn, Some(&sh), "华东中小客户组", "team").await?;
    let gz = users_repo::create_unit(conn, Some(&root), "广州分公司", "branch").await?;
    let gz_sales = users_repo::create_unit(conn, Some(&gz), "华南销售组", "team").await?;
    let hash = auth::hash_password(app, DEMO_PASSWORD).await?;
    let now = Utc::now();
    let people: &[(&str, &str, &str, i64)] = &[
        ("admin", "系统管理员", "admin", root.id),
        ("wangjl", "王建林", "manager", sh.id),
        ("lixy", "李晓云", "account_manager", sh_key.id),
        ("zhaop", "赵鹏", "account_manager", sh_sme.id),
        ("chenj", "陈静", "account_manager", gz_sales.id),
        ("liuy", "刘洋", "service_agent", sh.id),
        ("sunl", "孙丽", "service_agent", gz.id),
        ("zhoum", "周敏", "credit_officer", root.id),
    ];
    let mut owners = Vec::new();
    for (username, name, role, unit) in people {
        let u = users_repo::insert_user(
            conn,
            user::ActiveModel {
                username: Set(username.to_string()),
                display_name: Set(name.to_string()),
                email: Set(Some(format!("{username}@yuanda-logistics.cn"))),
                password_hash: Set(hash.clone()),
                role: Set(role.to_string()),
                org_unit_id: Set(*unit),
                disabled: Set(false),
                lang: Set(None),
                last_login_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
        if matches!(*role, "account_manager" | "manager") {
            owners.push(u.id);
        }
    }
    Ok(owners)
}

/// Inserts generated customers through the same rows, keys and audit entries as the
/// use cases, in batches of one transaction each.
pub async fn insert_customers(app: &App, list: &[DemoCustomer], owners: &[i64]) -> Result<()> {
    let actor = Actor::system("demo");
    let now = Utc::now();
    let base = Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    for chunk in list.chunks(500) {
        let txn = app.db.begin_write().await?;
        let mut keys: Vec<(i64, Vec<String>)> = Vec::with_capacity(chunk.len());
        for d in chunk {
            let created = base - Duration::days(d.created_days_ago);
            let owner = d.owner_slot.map(|s| owners[s % owners.len()]);
            let m = repo::insert(
                &txn,
                customer::ActiveModel {
                    code: Set(d.code.clone()),
                    name: Set(d.name.clone()),
                    short_name: Set(d.short_name.clone()),
                    name_norm: Set(search::normalize_name(&d.name)),
                    kind: Set(d.kind.as_str().into()),
                    gov_level: Set(d.gov_level.map(|g| g.as_str().into())),
                    industry: Set(Some(d.industry.as_str().into())),
                    province: Set(Some(d.province.clone())),
                    city: Set(Some(d.city.clone())),
                    address: Set(Some(d.address.clone())),
                    goods_types: Set(Some(d.goods_types.clone())),
                    service_modes: Set(join_modes(&d.modes)),
                    data_source: Set(if d.external { "external" } else { "internal" }.into()),
                    owner_id: Set(owner),
                    status: Set(d.status.into()),
                    uscc: Set(d.uscc.clone()),
                    id_number_enc: Set(d.id_number.as_deref().map(|v| app.vault.encrypt(v))),
                    notes: Set(None),
                    custom_fields: Set("{}".into()),
                    archived_at: Set(None),
                    merged_into_id: Set(None),
                    pool_since: Set(owner.is_none().then_some(created)),
                    last_interaction_at: Set(Some(
                        now - Duration::days((d.created_days_ago % 20) + 1),
                    )),
                    created_at: Set(created),
                    updated_at: Set(created),
                    ..Default::default()
                },
            )
            .await?;
            keys.push((
                m.id,
                search::customer_keys(&d.name, d.short_name.as_deref()),
            ));
            repo::add_tags(&txn, m.cid(), &d.tags).await?;
            for (j, (name, title, phone, email)) in d.contacts.iter().enumerate() {
                repo::insert_contact(
                    &txn,
                    contact::ActiveModel {
                        customer_id: Set(m.id),
                        name: Set(name.clone()),
                        title: Set((!title.is_empty()).then(|| title.clone())),
                        phone_enc: Set(Some(app.vault.encrypt(phone))),
                        // The generator writes valid numbers (a test checks them).
                        phone_hash: Set(Some(app.vault.phone_hash(&Phone::trusted(phone.clone())))),
                        email_enc: Set(email.as_deref().map(|e| app.vault.encrypt(e))),
                        wechat: Set(None),
                        is_primary: Set(j == 0),
                        created_at: Set(created),
                        updated_at: Set(created),
                        ..Default::default()
                    },
                )
                .await?;
            }
            audit::record(
                &txn,
                &actor,
                Entry {
                    action: "customer.create",
                    entity_type: "customer",
                    entity_id: m.id.to_string(),
                    customer_id: Some(m.id),
                    summary: Some(format!("{} {}", m.code, m.name)),
                    said: None,
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        let refs: Vec<(i64, &[String])> = keys.iter().map(|(id, k)| (*id, k.as_slice())).collect();
        repo::insert_search_keys(&txn, &refs).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Seeds the demo if the database has no users yet: users, `customers` customers and
/// about `shipments` shipments over the 24 months before today. Returns whether it seeded.
pub async fn seed_if_empty(app: &App, customers: usize, shipments: usize) -> Result<bool> {
    if users_repo::count_users(&app.db.conn).await? > 0 {
        return Ok(false);
    }
    let owners = seed_users(app).await?;
    let list = generate(20261127, customers, owners.len());
    insert_customers(app, &list, &owners).await?;
    let today = chrono::Utc::now().with_timezone(&app.tz()).date_naive();
    crate::demo::ops::seed_shipments(app, shipments, 20261127, today).await?;
    crate::demo::ops::seed_billing(app, 20261127, today).await?;
    // The month-end snapshots of the last twelve months (a history of classes to show),
    // then today's.
    use chrono::Datelike;
    let this_month = today.with_day(1).unwrap_or(today);
    for back in (0..12).rev() {
        if let Some(d) = this_month.checked_sub_months(chrono::Months::new(back)) {
            crate::classification::recompute(
                app,
                &crate::auth::Actor::system("demo"),
                Some(d),
                "demo",
            )
            .await?;
        }
    }
    if today != this_month {
        crate::classification::recompute(
            app,
            &crate::auth::Actor::system("demo"),
            Some(today),
            "demo",
        )
        .await?;
    }
    // Tickets come after the classification: their deadlines follow the value class.
    let tickets = (customers / 10).clamp(20, 200);
    crate::demo::service::seed(app, 20261127, tickets, chrono::Utc::now()).await?;
    // Surveys of the last four months' deliveries, about half of them answered.
    crate::demo::surveys::seed(app, 20261127, 120, chrono::Utc::now()).await?;
    // A few improvement actions at different stages of their cycle.
    crate::demo::improvements::seed(app, chrono::Utc::now()).await?;
    // Credit accounts for the monthly-settlement customers: a few near and over their
    // limits, with held shipments and a change an account manager asked for.
    crate::demo::credit::seed(app, 20261127).await?;
    // A contact of a customer of each account manager signs in to the customer portal.
    crate::demo::portal::seed(app).await?;
    crate::followups::plan(app, chrono::Utc::now()).await?;
    crate::kpis::keep_recent(app).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_realistic() {
        let a = generate(7, 300, 4);
        let b = generate(7, 300, 4);
        assert_eq!(
            a.iter().map(|c| &c.name).collect::<Vec<_>>(),
            b.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
        assert!(a.iter().any(|c| c.kind == CustomerKind::Individual));
        assert!(a.iter().any(|c| c.gov_level == Some(GovLevel::National)));
        assert!(a.iter().any(|c| c.name.ends_with("有限公司")));
        for c in &a {
            if let Some(u) = &c.uscc {
                assert!(consign_domain::validate::uscc(u).is_ok(), "{u}");
            }
            if let Some(id) = &c.id_number {
                assert!(consign_domain::validate::id_number(id).is_ok(), "{id}");
            }
            for (_, _, phone, email) in &c.contacts {
                assert!(
                    consign_domain::customer::Phone::parse(phone).is_ok(),
                    "{phone}"
                );
                if let Some(e) = email {
                    assert!(consign_domain::validate::email(e).is_ok(), "{e}");
                }
            }
        }
        let orgs: HashSet<&String> = a
            .iter()
            .filter(|c| c.kind != CustomerKind::Individual)
            .map(|c| &c.name)
            .collect();
        assert_eq!(
            orgs.len(),
            a.iter()
                .filter(|c| c.kind != CustomerKind::Individual)
                .count()
        );
    }
}
