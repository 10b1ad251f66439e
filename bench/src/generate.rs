//! A deterministic generator of a provincial station's history: the Hubei station's 17 units
//! and two bureau offices, about 45 outlets of every kind and level, about 400 correspondents,
//! and any number of placements spread over the ten years 1998–2007.
//!
//! Everything comes from a fixed seed, so two runs (and the CSV files and the seeded database)
//! hold the same data. Placement `i` of `n` depends only on `i` and `n`, so placements can be
//! made in chunks without holding a million records in memory.

use domain::byline::WrittenAuthor;
use domain::import::{CorrespondentRecord, OutletRecord, PlacementRecord, UnitRecord};
use domain::{CorrespondentKind, Genre, Grade, InstructionLevel, OutletKind, OutletLevel, Position, UnitKind};
use time::{Date, Duration, macros::date};

/// The first day of the history.
pub const FIRST_DAY: Date = date!(1998 - 01 - 01);
/// The last day of the history.
pub const LAST_DAY: Date = date!(2007 - 12 - 31);

/// The station the seed creates and the CSV files belong to.
pub const STATION_CODE: &str = "hb";
pub const STATION_NAME: &str = "湖北通联站";

const SEED: u64 = 0x7e29_68b3_922a_a9a5;

/// SplitMix64: small, fast, and the same on every platform and every version of every crate.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index into `weights`, chosen in proportion to the weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// Unit names, kinds and how much each one writes (relative weights).
const UNITS: &[(&str, UnitKind, u32)] = &[
    ("武汉市知识产权局", UnitKind::Prefecture, 18),
    ("黄石市知识产权局", UnitKind::Prefecture, 6),
    ("十堰市知识产权局", UnitKind::Prefecture, 6),
    ("宜昌市知识产权局", UnitKind::Prefecture, 10),
    ("襄樊市知识产权局", UnitKind::Prefecture, 9),
    ("鄂州市知识产权局", UnitKind::Prefecture, 4),
    ("荆门市知识产权局", UnitKind::Prefecture, 5),
    ("孝感市知识产权局", UnitKind::Prefecture, 6),
    ("荆州市知识产权局", UnitKind::Prefecture, 7),
    ("黄冈市知识产权局", UnitKind::Prefecture, 6),
    ("咸宁市知识产权局", UnitKind::Prefecture, 4),
    ("随州市知识产权局", UnitKind::Prefecture, 3),
    ("恩施州知识产权局", UnitKind::Prefecture, 4),
    ("仙桃市知识产权局", UnitKind::DirectCity, 3),
    ("潜江市知识产权局", UnitKind::DirectCity, 3),
    ("天门市知识产权局", UnitKind::DirectCity, 2),
    ("神农架林区知识产权局", UnitKind::ForestDistrict, 1),
    ("省知识产权局办公室", UnitKind::Office, 8),
    ("省知识产权局专利管理处", UnitKind::Office, 5),
];

/// The short place name a unit's titles use.
const PLACES: &[&str] = &[
    "武汉",
    "黄石",
    "十堰",
    "宜昌",
    "襄樊",
    "鄂州",
    "荆门",
    "孝感",
    "荆州",
    "黄冈",
    "咸宁",
    "随州",
    "恩施",
    "仙桃",
    "潜江",
    "天门",
    "神农架",
    "我省",
    "全省",
];

/// Outlets: name, kind, level, columns, and how often the station's people get into it.
const OUTLETS: &[(&str, OutletKind, OutletLevel, &[&str], u32)] = &[
    ("中国知识产权报", OutletKind::Newspaper, OutletLevel::National, &["要闻", "地方传真", "专利周刊", "通联园地"], 60),
    ("人民日报", OutletKind::Newspaper, OutletLevel::National, &["要闻", "经济"], 3),
    ("光明日报", OutletKind::Newspaper, OutletLevel::National, &["科技"], 2),
    ("经济日报", OutletKind::Newspaper, OutletLevel::National, &[], 2),
    ("科技日报", OutletKind::Newspaper, OutletLevel::National, &["区域科技", "专利"], 5),
    ("中国专利与商标", OutletKind::Magazine, OutletLevel::National, &[], 2),
    ("知识产权", OutletKind::Magazine, OutletLevel::National, &["地方经验"], 2),
    ("国家知识产权局子站", OutletKind::Website, OutletLevel::National, &["地方动态", "工作交流"], 55),
    ("中国政府网", OutletKind::Website, OutletLevel::National, &["地方政务"], 3),
    ("新华网", OutletKind::Website, OutletLevel::National, &["湖北频道"], 4),
    ("中央电视台", OutletKind::Tv, OutletLevel::National, &["新闻联播", "经济半小时"], 1),
    ("中央人民广播电台", OutletKind::Radio, OutletLevel::National, &[], 1),
    ("湖北日报", OutletKind::Newspaper, OutletLevel::Provincial, &["要闻", "经济", "科教"], 12),
    ("楚天都市报", OutletKind::Newspaper, OutletLevel::Provincial, &[], 5),
    ("湖北科技报", OutletKind::Newspaper, OutletLevel::Provincial, &["创新", "专利"], 8),
    ("科技信息快报", OutletKind::Newspaper, OutletLevel::Provincial, &["专利园地"], 10),
    ("科技创业周刊", OutletKind::Magazine, OutletLevel::Provincial, &["创业观察"], 4),
    ("政策", OutletKind::Magazine, OutletLevel::Provincial, &[], 1),
    ("湖北人民广播电台", OutletKind::Radio, OutletLevel::Provincial, &["新闻910", "经济广播"], 3),
    ("湖北电视台", OutletKind::Tv, OutletLevel::Provincial, &["湖北新闻"], 2),
    ("湖北省人民政府门户网站", OutletKind::Website, OutletLevel::Provincial, &["部门动态", "市州动态"], 6),
    ("荆楚网", OutletKind::Website, OutletLevel::Provincial, &[], 4),
    (
        "湖北省知识产权局网站",
        OutletKind::Website,
        OutletLevel::Provincial,
        &["要闻动态", "工作报道", "市州工作", "图片新闻"],
        90,
    ),
    ("湖北知识产权手机报", OutletKind::NewMedia, OutletLevel::Provincial, &[], 6),
    ("长江日报", OutletKind::Newspaper, OutletLevel::Municipal, &["要闻", "城市"], 6),
    ("武汉晚报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 4),
    ("三峡日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 4),
    ("襄樊日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 3),
    ("荆州日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 3),
    ("黄石日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 2),
    ("十堰日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 2),
    ("孝感日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 2),
    ("黄冈日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 2),
    ("咸宁日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 2),
    ("随州日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 1),
    ("恩施日报", OutletKind::Newspaper, OutletLevel::Municipal, &[], 2),
    ("武汉电视台", OutletKind::Tv, OutletLevel::Municipal, &["武汉新闻"], 1),
    ("宜昌人民广播电台", OutletKind::Radio, OutletLevel::Municipal, &[], 1),
    ("仙桃日报", OutletKind::Newspaper, OutletLevel::County, &[], 2),
    ("潜江日报", OutletKind::Newspaper, OutletLevel::County, &[], 2),
    ("天门日报", OutletKind::Newspaper, OutletLevel::County, &[], 1),
    ("神农架林区电视台", OutletKind::Tv, OutletLevel::County, &[], 1),
    ("湖北知识产权工作简报", OutletKind::Bulletin, OutletLevel::Internal, &["工作动态", "经验交流"], 20),
    ("知识产权信息", OutletKind::Bulletin, OutletLevel::Internal, &[], 8),
    ("通联工作通讯", OutletKind::Bulletin, OutletLevel::Internal, &["通讯员之窗"], 6),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蔡",
    "蒋", "余", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "姚", "卢", "汪", "熊", "万", "夏", "付",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "玲", "红", "志", "斌", "波", "宁", "晶", "凯", "鹏", "慧",
    "俊", "林", "峰", "琳", "婷", "雪", "亮", "新", "春", "海", "燕", "晓", "云", "丹", "飞", "荣", "庆", "莉",
];

const TOPICS: &[&str] = &[
    "专利申请量",
    "发明专利授权量",
    "企业专利工作",
    "专利技术实施",
    "知识产权执法",
    "打击假冒专利",
    "知识产权宣传周活动",
    "专利试点企业",
    "知识产权培训",
    "专利代理服务",
    "中小企业知识产权托管",
    "专利资助资金",
    "知识产权示范城市创建",
    "高校专利转化",
    "农业专利技术推广",
    "知识产权战略",
    "专利信息利用",
    "通联工作",
];

const OUTCOMES: &[&str] = &[
    "再创新高",
    "取得新进展",
    "成效明显",
    "稳步推进",
    "走在全省前列",
    "迈上新台阶",
    "获得好评",
    "全面启动",
    "经验交流会召开",
    "情况通报",
];

/// Genres with their weights and typical lengths (字数).
const GENRES: &[(Genre, u32, i64, i64)] = &[
    (Genre::News, 50, 300, 1200),
    (Genre::Feature, 12, 1500, 4000),
    (Genre::Commentary, 5, 800, 2000),
    (Genre::Photo, 8, 50, 200),
    (Genre::GovInfo, 12, 400, 1500),
    (Genre::Research, 4, 3000, 8000),
    (Genre::InDepth, 4, 2500, 6000),
    (Genre::Interview, 3, 1500, 3500),
    (Genre::Other, 2, 200, 1500),
];

const POSITIONS: &[(Position, u32)] =
    &[(Position::Normal, 80), (Position::KeyNews, 10), (Position::Headline, 6), (Position::FrontPage, 4)];

/// How many correspondents the generated station has.
pub const CORRESPONDENTS: usize = 400;

/// The network of the station: what every placement refers to.
#[derive(Debug, Clone)]
pub struct Network {
    pub units: Vec<UnitRecord>,
    pub outlets: Vec<OutletRecord>,
    pub correspondents: Vec<CorrespondentRecord>,
    unit_weights: Vec<u32>,
    outlet_weights: Vec<u32>,
    /// For each unit, the indices of its correspondents in `correspondents`.
    by_unit: Vec<Vec<usize>>,
    /// Correspondents without a unit (special correspondents, mentors).
    free: Vec<usize>,
}

impl Network {
    /// The station's network; always the same.
    pub fn new() -> Self {
        let units: Vec<UnitRecord> =
            UNITS.iter().map(|(name, kind, _)| UnitRecord { name: (*name).into(), kind: *kind }).collect();
        let outlets: Vec<OutletRecord> = OUTLETS
            .iter()
            .map(|(name, kind, level, columns, _)| OutletRecord {
                name: (*name).into(),
                kind: *kind,
                level: *level,
                columns: columns.iter().map(|c| (*c).to_string()).collect(),
            })
            .collect();

        let mut rng = Rng::new(SEED);
        let mut seen = std::collections::HashSet::new();
        let mut correspondents = Vec::with_capacity(CORRESPONDENTS);
        let mut by_unit = vec![Vec::new(); units.len()];
        let mut free = Vec::new();
        let weights: Vec<u32> = UNITS.iter().map(|u| u.2).collect();
        while correspondents.len() < CORRESPONDENTS {
            let mut name = rng.pick(SURNAMES).to_string();
            for _ in 0..1 + rng.below(2) {
                let given = *rng.pick(GIVEN);
                name.push_str(given);
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            let n = correspondents.len();
            let (kind, unit) = match rng.below(100) {
                0..=5 => (CorrespondentKind::Special, None),
                6..=9 => (CorrespondentKind::Mentor, None),
                _ => {
                    let u = rng.weighted(&weights);
                    let kind = if UNITS[u].1 == UnitKind::Office {
                        CorrespondentKind::Staff
                    } else {
                        CorrespondentKind::UnitCorrespondent
                    };
                    (kind, Some(u))
                }
            };
            match unit {
                Some(u) => by_unit[u].push(n),
                None => free.push(n),
            }
            let phone = match rng.below(3) {
                0 => format!("027-8{:03} {:04}", rng.below(1000), rng.below(10_000)),
                1 => format!("13{:09}", rng.below(1_000_000_000)),
                _ => String::new(),
            };
            let email = if rng.chance(400) { format!("tongxun{n:03}@example.cn") } else { String::new() };
            let joined_on = if rng.chance(900) {
                Some(date!(1995 - 01 - 01) + Duration::days(rng.between(0, 12 * 365)))
            } else {
                None
            };
            correspondents.push(CorrespondentRecord {
                name,
                unit: unit.map(|u| units[u].name.clone()),
                kind,
                phone,
                email,
                joined_on,
                active: rng.chance(750),
            });
        }
        Network {
            units,
            outlets,
            correspondents,
            unit_weights: weights,
            outlet_weights: OUTLETS.iter().map(|o| o.4).collect(),
            by_unit,
            free,
        }
    }

    /// The unit the list-page benchmark filters on (a mid-sized prefecture).
    pub fn filter_unit(&self) -> &str {
        "宜昌市知识产权局"
    }

    /// The outlet the list-page benchmark filters on (the station's own national paper).
    pub fn filter_outlet(&self) -> &str {
        "中国知识产权报"
    }

    /// Placement `i` of a history of `n` placements. Placements come in date order (as a
    /// station records them), `n` of them spread evenly over 1998–2007.
    pub fn placement(&self, i: u64, n: u64) -> PlacementRecord {
        let mut rng = Rng::new(SEED ^ Rng::new(i).next_u64());
        let days = (LAST_DAY - FIRST_DAY).whole_days();
        let day = ((i as i128 * (days + 1) as i128) / n.max(1) as i128) as i64 + rng.between(0, 2);
        let published_on = FIRST_DAY + Duration::days(day.min(days));

        // The unit first, then its people; now and then someone from outside any unit.
        let unit_index = rng.weighted(&self.unit_weights);
        let pool =
            if self.by_unit[unit_index].is_empty() || rng.chance(40) { &self.free } else { &self.by_unit[unit_index] };
        // Some people write far more than others: square the draw to favour the first ones.
        let draw = |rng: &mut Rng| {
            let x = rng.below(1 << 16);
            pool[((x * x * pool.len() as u64) >> 32) as usize]
        };
        let first = draw(&mut rng);
        let mut chosen = vec![first];
        let co = match rng.below(100) {
            0..=69 => 0,
            70..=91 => 1,
            _ => 2,
        };
        for _ in 0..co {
            // A co-author from the same unit, or anyone in the network.
            let c = if rng.chance(700) { draw(&mut rng) } else { rng.below(self.correspondents.len() as u64) as usize };
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        let shares: Option<&[i32]> = match (chosen.len(), rng.below(10)) {
            (2, 0) => Some(&[6000, 4000]),
            (2, 1) => Some(&[5000, 5000]),
            (2, 2) => Some(&[7000, 3000]),
            (3, 0) => Some(&[5000, 3000, 2000]),
            (3, 1) => Some(&[4000, 3000, 3000]),
            (3, 2) => Some(&[3334, 3333, 3333]),
            _ => None,
        };
        let authors = chosen
            .iter()
            .enumerate()
            .map(|(k, c)| WrittenAuthor { name: self.correspondents[*c].name.clone(), share_bp: shares.map(|s| s[k]) })
            .collect();

        let outlet_index = rng.weighted(&self.outlet_weights);
        let outlet = &self.outlets[outlet_index];
        let column = if !outlet.columns.is_empty() && rng.chance(700) {
            rng.pick(&outlet.columns).clone()
        } else {
            String::new()
        };
        let (genre, _, lo, hi) = GENRES[rng.weighted(&GENRES.iter().map(|g| g.1).collect::<Vec<_>>())];
        let position = POSITIONS[rng.weighted(&POSITIONS.iter().map(|p| p.1).collect::<Vec<_>>())].0;
        let place = PLACES[unit_index];
        let title = match rng.below(4) {
            0 => format!("{place}{}{}", rng.pick(TOPICS), rng.pick(OUTCOMES)),
            1 => format!("{place}{}同比增长{}%", rng.pick(TOPICS), rng.between(5, 60)),
            2 => format!("{}年{place}{}{}", published_on.year(), rng.pick(TOPICS), rng.pick(OUTCOMES)),
            _ => format!("{place}：{}{}（第{}期）", rng.pick(TOPICS), rng.pick(OUTCOMES), i % 97 + 1),
        };
        let instruction = if rng.chance(10) { Some(*rng.pick(InstructionLevel::ALL)) } else { None };
        let grade = match rng.below(10) {
            0 => Some(Grade::Excellent),
            1 => Some(Grade::Good),
            2 => Some(Grade::Fair),
            _ => None,
        };
        let url = if matches!(outlet.kind, OutletKind::Website | OutletKind::NewMedia) {
            format!("https://www{outlet_index}.example.cn/{}/{i}.html", published_on.year())
        } else {
            String::new()
        };
        PlacementRecord {
            title,
            authors,
            external_authors: if rng.chance(80) {
                format!("本报记者 {}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
            } else {
                String::new()
            },
            // Usually the unit is written; otherwise the import takes the first author's.
            unit: if rng.chance(900) { Some(self.units[unit_index].name.clone()) } else { None },
            outlet: outlet.name.clone(),
            column,
            published_on,
            genre,
            position,
            length: rng.between(lo, hi) as i32,
            instruction,
            commissioned: rng.chance(50),
            reprint: rng.chance(70),
            grade,
            url,
            note: if rng.chance(20) { "据报社通联部统计".into() } else { String::new() },
            manuscript: String::new(),
        }
    }

    /// Placements `range` of a history of `n`.
    pub fn placements(&self, range: std::ops::Range<u64>, n: u64) -> Vec<PlacementRecord> {
        range.map(|i| self.placement(i, n)).collect()
    }
}

impl Default for Network {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::import::{Known, read_correspondents, read_outlets, read_placements, read_units};

    #[test]
    fn the_generated_files_pass_the_import_checks() {
        let net = Network::new();
        assert_eq!(net.correspondents.len(), CORRESPONDENTS);
        let empty = Known::default();
        let units = read_units(&domain::import::write_units(&net.units), &empty).unwrap();
        let known = Known {
            units: units.iter().map(|u| u.name.clone()).collect(),
            correspondents: net.correspondents.iter().map(|c| c.name.clone()).collect(),
            outlets: net.outlets.iter().map(|o| o.name.clone()).collect(),
            manuscripts: Default::default(),
        };
        let units_only = Known { units: known.units.clone(), ..Known::default() };
        read_correspondents(&domain::import::write_correspondents(&net.correspondents), &units_only).unwrap();
        read_outlets(&domain::import::write_outlets(&net.outlets), &empty).unwrap();
        let placements = net.placements(0..5_000, 5_000);
        // Through CSV text and back, exactly as the command-line import reads the file.
        let csv = office::write_csv(&domain::import::write_placements(&placements));
        let table = office::read_table("placements.csv", &csv).unwrap();
        let read = read_placements(&table, &known).unwrap();
        assert_eq!(read, placements);
    }

    #[test]
    fn history_is_deterministic_and_spans_ten_years() {
        let net = Network::new();
        assert_eq!(net.placement(123, 1000), Network::new().placement(123, 1000));
        assert_eq!(net.placement(0, 1000).published_on.year(), 1998);
        assert_eq!(net.placement(999, 1000).published_on.year(), 2007);
        let many = net.placements(0..2000, 2000);
        assert!(many.iter().any(|p| p.authors.len() > 1 && p.authors[0].share_bp.is_some()));
        assert!(many.iter().any(|p| p.authors.len() > 1 && p.authors[0].share_bp.is_none()));
        for level in OutletLevel::ALL {
            let outlet_of = |p: &PlacementRecord| net.outlets.iter().find(|o| o.name == p.outlet).unwrap().level;
            assert!(many.iter().any(|p| outlet_of(p) == *level), "{level:?}");
        }
    }
}
