//! The demo data set, built from the seed: 湖北通联站 with its 17 units and the bureau's
//! offices, about 40 correspondents (30 active), the outlets the 2007 report names, a year of
//! 2007 placements whose totals match the report (127 in 中国知识产权报, 406 on the bureau's
//! website, 260 on the national office's sub-site, a dozen on the provincial portal), a few
//! manuscripts at every stage, and one account per role. People's names are invented.

use crate::password::hash_password;
use domain::byline::WrittenAuthor;
use domain::import::PlacementRecord;
use domain::*;
use store::{NewUser, Scope, Store};
use time::{Date, Month};

/// The demo accounts' password.
pub const DEMO_PASSWORD: &str = "demo2007";

/// The demo accounts: user name, display name, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    ("admin", "系统管理员", Role::Admin),
    ("editor", "刘文静", Role::Editor),
    ("mentor", "舒正华", Role::Mentor),
    ("liaison", "周武汉", Role::Liaison),
    ("leader", "王局长", Role::Leader),
    ("correspondent", "张明远", Role::Correspondent),
    ("correspondent2", "李晓红", Role::Correspondent),
];

/// The headquarters account (报社总部): no station of its own, sees every station.
pub const DEMO_HQ_ACCOUNT: (&str, &str, Role) = ("hq", "报社总部通联部", Role::Editor);

const UNITS: &[(&str, UnitKind)] = &[
    ("武汉市", UnitKind::Prefecture),
    ("黄石市", UnitKind::Prefecture),
    ("十堰市", UnitKind::Prefecture),
    ("宜昌市", UnitKind::Prefecture),
    ("襄樊市", UnitKind::Prefecture),
    ("鄂州市", UnitKind::Prefecture),
    ("荆门市", UnitKind::Prefecture),
    ("孝感市", UnitKind::Prefecture),
    ("荆州市", UnitKind::Prefecture),
    ("黄冈市", UnitKind::Prefecture),
    ("咸宁市", UnitKind::Prefecture),
    ("随州市", UnitKind::Prefecture),
    ("恩施州", UnitKind::Prefecture),
    ("仙桃市", UnitKind::DirectCity),
    ("潜江市", UnitKind::DirectCity),
    ("天门市", UnitKind::DirectCity),
    ("神农架林区", UnitKind::ForestDistrict),
    ("局办公室", UnitKind::Office),
    ("专利管理处", UnitKind::Office),
    ("法律事务处", UnitKind::Office),
];

/// Outlets the seed names, with their columns.
const OUTLETS: &[(&str, OutletKind, OutletLevel, &[&str])] = &[
    ("中国知识产权报", OutletKind::Newspaper, OutletLevel::National, &["要闻", "地方传真", "专利周刊", "通联园地"]),
    ("国家知识产权局子站", OutletKind::Website, OutletLevel::National, &["地方动态", "工作交流"]),
    ("湖北省人民政府门户网站", OutletKind::Website, OutletLevel::Provincial, &["部门动态", "访谈"]),
    (
        "湖北省知识产权局网站",
        OutletKind::Website,
        OutletLevel::Provincial,
        &["要闻动态", "工作报道", "市州工作", "图片新闻"],
    ),
    ("科技信息快报", OutletKind::Newspaper, OutletLevel::Provincial, &["专利园地"]),
    ("科技创业周刊", OutletKind::Magazine, OutletLevel::Provincial, &["专利信息", "深度报道"]),
    ("湖北日报", OutletKind::Newspaper, OutletLevel::Provincial, &["要闻", "经济"]),
    ("湖北人民广播电台", OutletKind::Radio, OutletLevel::Provincial, &["新闻"]),
    ("湖北知识产权信息", OutletKind::Bulletin, OutletLevel::Internal, &["工作动态"]),
];

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马',
    '罗',
];
const GIVEN: &[&str] = &[
    "建国", "文华", "海燕", "志强", "丽娟", "国平", "晓东", "春梅", "永红", "思远", "雪松", "立新", "红霞", "德明",
    "秀英", "卫东", "静怡", "嘉宁", "俊杰", "玉兰",
];

const TOPICS: &[&str] = &[
    "召开知识产权工作会议",
    "开展专利执法检查",
    "举办知识产权培训班",
    "推进企业知识产权试点工作",
    "专利申请量持续增长",
    "开展“4·26”知识产权宣传周活动",
    "纪念专利法实施22周年",
    "深入企业调研知识产权管理",
    "查处假冒专利案件",
    "举办专利技术展示交易会",
    "召开通联工作会议",
    "加强知识产权保护维权援助",
    "启动专利申请资助工作",
    "组织知识产权知识竞赛",
];

/// The station's own website: its items are the portal's posts.
const WEBSITE: &str = "湖北省知识产权局网站";
/// Ten in a row of the website's items, by column: most are the units' work, a fifth each
/// headline news and work reports, one in ten a photo.
const WEBSITE_COLUMNS: &[&str] = &[
    "市州工作",
    "要闻动态",
    "市州工作",
    "工作报道",
    "市州工作",
    "图片新闻",
    "市州工作",
    "要闻动态",
    "工作报道",
    "市州工作",
];

/// Sentences the demo's articles are made of: the vocabulary of the seed's report, so that
/// search has real words in the middle of real sentences.
const SENTENCES: &[&str] = &[
    "会议传达了全国知识产权局局长会议精神，总结了上一阶段的工作，对下一步任务作了具体部署。",
    "与会人员结合本地实际，围绕如何进一步加强知识产权宣传通联工作进行了深入讨论。",
    "活动期间，工作人员深入企业和园区，向群众发放宣传资料三千余份，解答咨询两百余人次。",
    "据统计，今年以来全市专利申请量同比增长百分之二十以上，其中发明专利申请增幅明显。",
    "执法人员对商场、超市销售的商品进行了专利标识检查，责令相关经营者限期整改。",
    "培训班邀请了专利代理人和知识产权报社编辑授课，学员们表示收获很大。",
    "下一步，将继续完善通讯员队伍建设，坚持按月统计、公示、兑现奖励，调动大家的写稿积极性。",
    "该局主要负责同志强调，要狠抓薄弱环节，力促任务落实，确保全年宣传目标如期完成。",
    "企业负责人介绍，通过实施专利战略，企业的核心竞争力得到显著提升。",
    "此次活动得到了当地电视台、广播电台和报社的大力支持，取得了良好的社会效果。",
];

/// The portal's content: every website placement of the year as a post in its column, with
/// the unit, byline and authors of the placement, plus a few notices; the website outlet is
/// set as the portal's, so publishing more counts in the statistics.
async fn load_portal(store: &Store, station: StationId, by: UserId, records: &[PlacementRecord]) -> anyhow::Result<()> {
    let outlets = store.outlets(station).await?;
    let website = outlets.iter().find(|o| o.name == WEBSITE).map(|o| o.id);
    store.set_portal_settings(station, website, "湖北省知识产权局 · 知识产权宣传通联").await?;
    let Some(website) = website else { return Ok(()) };
    let columns = store.portal_columns(station).await?;
    let column_named = |name: &str| columns.iter().find(|c| c.name == name).map(|c| c.id);
    let units = store.units(station).await?;
    let people = store.all_correspondents(station).await?;
    let ids = store.placement_ids_in_outlet(station, website).await?;
    // Photo news needs pictures: a few drawn scenes, resized and stored like uploads.
    let mut pictures = Vec::new();
    for (seed, alt) in PICTURES.iter().enumerate() {
        let png = office::demo_picture(seed as u32 + 1, 800, 520);
        let p = office::process_image(&png).map_err(|e| anyhow::anyhow!("{e}"))?;
        let img = store::NewImage {
            alt: (*alt).into(),
            caption: String::new(),
            mime: p.mime.into(),
            width: p.display_width,
            height: p.display_height,
            display: p.display,
            thumb_width: p.thumb_width,
            thumb_height: p.thumb_height,
            thumb: p.thumb,
        };
        pictures.push(store.create_image(station, img, by).await?.id);
    }
    let mut rng = Rng(4_060_406);
    let mut posts = Vec::new();
    for ((placement, day), r) in ids.iter().zip(records.iter().filter(|r| r.outlet == WEBSITE)) {
        let Some(column_id) = column_named(&r.column) else { continue };
        let unit = r.unit.as_deref().unwrap_or("湖北省知识产权局");
        let mut body = format!("<p>{}年{}月{}日，{}。</p>", day.year(), u8::from(day.month()), day.day(), r.title);
        // Three different sentences, in the generator's order.
        let first = rng.below(SENTENCES.len());
        for k in 0..3 {
            body.push_str(&format!("<p>{}</p>", SENTENCES[(first + k * 3) % SENTENCES.len()]));
        }
        body.push_str(&format!("<p>（{unit} 供稿）</p>"));
        let authors: Vec<CorrespondentId> =
            r.authors.iter().filter_map(|a| people.iter().find(|p| p.name == a.name).map(|p| p.id)).collect();
        let byline: Vec<&str> = r.authors.iter().map(|a| a.name.as_str()).collect();
        let minutes = 9 * 60 + rng.below(8 * 60) as i64;
        let publish_at = day.midnight().assume_offset(domain::CHINA_OFFSET).unix_timestamp() + minutes * 60;
        posts.push(store::PostImport {
            column_id,
            title: r.title.clone(),
            subtitle: String::new(),
            body_html: body,
            source_unit_id: units.iter().find(|u| u.name == unit).map(|u| u.id),
            byline: byline.join(" "),
            authors,
            cover_image_id: (r.column == "图片新闻").then(|| pictures[posts.len() % pictures.len()]),
            publish_at,
            placement_id: Some(*placement),
        });
    }
    if let Some(notices) = column_named("通知公告") {
        for (month, day, title, text) in NOTICES {
            let date = Date::from_calendar_date(2007, Month::try_from(*month).unwrap_or(Month::January), *day)?;
            posts.push(store::PostImport {
                column_id: notices,
                title: (*title).into(),
                subtitle: String::new(),
                body_html: format!("<p>各市、州、直管市、林区知识产权局，局机关各处室：</p><p>{text}</p><p>特此通知。</p><p>湖北省知识产权局办公室</p>"),
                source_unit_id: units.iter().find(|u| u.name == "局办公室").map(|u| u.id),
                byline: "湖北省知识产权局办公室".into(),
                authors: Vec::new(),
                cover_image_id: None,
                publish_at: date.midnight().assume_offset(domain::CHINA_OFFSET).unix_timestamp() + 10 * 3600,
                placement_id: None,
            });
        }
    }
    store.import_posts(station, &posts, by).await?;
    load_documents(store, station, by, records).await
}

/// The document library: the year's exchange report (经验交流材料) as a Word document made
/// from the demo's own figures, and a writing guide as plain text.
async fn load_documents(
    store: &Store,
    station: StationId,
    by: UserId,
    records: &[PlacementRecord],
) -> anyhow::Result<()> {
    let office_unit = store.units(station).await?.into_iter().find(|u| u.name == "局办公室").map(|u| u.id);
    let count = |outlet: &str| records.iter().filter(|r| r.outlet == outlet).count();
    let mut outlets: Vec<&str> = records.iter().map(|r| r.outlet.as_str()).collect();
    outlets.dedup();
    let report = office::NoticeDoc {
        title: "狠抓薄弱环节 力促任务落实——湖北通联站2007年宣传通联工作经验交流材料".into(),
        intro: vec![
            format!(
                "2007年，湖北通联站在报社和省局的领导下，坚持按月统计、公示、兑现奖励，全年在《中国知识产权报》刊发稿件{}篇，在各类媒体刊发稿件{}篇。",
                count("中国知识产权报"),
                records.len()
            ),
            format!(
                "局网站全年采用各单位信息{}条，国家知识产权局子站采用{}条，湖北省人民政府门户网站采用{}条。",
                count(WEBSITE),
                count("国家知识产权局子站"),
                count("湖北省人民政府门户网站")
            ),
            "我们的做法是：一、建好通讯员队伍；二、改稿带新人；三、按月统计公示兑现；四、比学赶超，狠抓薄弱环节。"
                .into(),
        ],
        headers: vec!["媒体".into(), "采用（篇）".into()],
        rows: outlets.iter().map(|o| vec![(*o).to_string(), count(o).to_string()]).collect(),
        total_row: Some(vec!["合计".into(), records.len().to_string()]),
        footer: vec!["湖北通联站".into(), "二〇〇八年一月".into()],
        numeric_columns: vec![1],
    };
    let guide = "通讯员写作要点\n一、导语要写清时间、地点、事件。\n二、标题要具体，写出数字和成效。\n三、每月五日前报送上月信息统计表。\n四、稿件被采用后按月统计、公示、兑现奖励。";
    let files: Vec<(String, &str, Vec<u8>, &str)> = vec![
        (
            "湖北通联站2007年宣传通联工作经验交流材料".into(),
            "2007年经验交流材料.docx",
            office::notice_docx(&report).map_err(|e| anyhow::anyhow!("{e}"))?,
            "在报社全国通联工作会议上的交流发言",
        ),
        ("通讯员写作要点".into(), "通讯员写作要点.txt", guide.as_bytes().to_vec(), "改稿老师的经验总结"),
    ];
    for (title, name, data, summary) in files {
        let format = office::sniff_document(&data, name)?;
        let text = office::document_text(&data, format)?;
        let preview = office::preview_html(&data, format, 60)?.html;
        let doc = store::NewDocument {
            title,
            summary: summary.into(),
            file_name: name.into(),
            format: format.ext().into(),
            data,
            text_content: text,
            preview_html: preview,
            correspondent_id: None,
            unit_id: office_unit,
            // Published in January 2008, after the year it reports on.
            published_at: Some(
                Date::from_calendar_date(2008, Month::January, 15)?
                    .midnight()
                    .assume_offset(domain::CHINA_OFFSET)
                    .unix_timestamp(),
            ),
        };
        store.create_document(station, doc, by).await?;
    }
    Ok(())
}

/// The demo's pictures, described for screen readers.
const PICTURES: &[&str] = &[
    "会场全景：主席台上方悬挂红色横幅，台下坐满参会人员",
    "蓝色横幅下的培训班，学员们正在听课",
    "座谈会现场，与会人员围坐交流",
    "宣传周活动现场，横幅下人头攒动",
    "通联工作会议主席台",
    "知识产权知识讲座现场",
];

/// The year's notices on the portal (通知公告).
const NOTICES: &[(u8, u8, &str, &str)] = &[
    (
        1,
        15,
        "关于印发《2007年全省知识产权宣传通联工作要点》的通知",
        "现将《2007年全省知识产权宣传通联工作要点》印发给你们，请结合实际认真贯彻落实，并于每月5日前报送上月宣传信息统计表。",
    ),
    (
        3,
        20,
        "关于开展2007年“4·26”知识产权宣传周活动的通知",
        "为做好今年知识产权宣传周活动，请各地围绕“尊重知识产权，维护公平竞争”主题，精心组织各项宣传活动，并及时报送活动信息。",
    ),
    (
        6,
        8,
        "关于公布2007年上半年宣传信息采用情况的通报",
        "上半年全省各单位共向局网站报送信息两百余条，现将各单位采用情况予以通报，请排名靠后的单位查找差距，迎头赶上。",
    ),
    (
        9,
        3,
        "关于举办全省知识产权通讯员培训班的通知",
        "为提高通讯员写作水平，定于9月下旬在武汉举办全省知识产权通讯员培训班，请各单位选派一至二名通讯员参加。",
    ),
    (
        10,
        25,
        "关于做好2008年度《中国知识产权报》征订工作的通知",
        "请各单位高度重视报刊征订工作，按照分配的征订任务，于11月30日前将征订情况报局办公室。",
    ),
    (
        12,
        10,
        "关于评选2007年度优秀通讯员的通知",
        "根据《湖北省知识产权局宣传信息奖励办法》，决定开展2007年度优秀通讯员评选工作，请各单位按条件推荐。",
    ),
];

/// A small deterministic generator, so the demo is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn date_in_2007(rng: &mut Rng) -> Date {
    let month = Month::try_from(1 + rng.below(12) as u8).unwrap_or(Month::June);
    let day = 1 + rng.below(time::util::days_in_month(month, 2007) as usize) as u8;
    Date::from_calendar_date(2007, month, day).unwrap_or(Date::MIN)
}

/// Whether the database is still empty (no station), so the demo may be loaded.
pub async fn is_empty(store: &Store) -> anyhow::Result<bool> {
    Ok(store.stations().await?.is_empty())
}

/// Loads the demo set into an empty database and returns its station.
pub async fn load(store: &Store) -> anyhow::Result<StationId> {
    anyhow::ensure!(is_empty(store).await?, "数据库不是空的：演示数据只能装入空数据库");
    let station = store.create_station("hb", "湖北通联站").await?.id;
    for (name, kind) in UNITS {
        store.create_unit(station, &UnitInput { name: (*name).into(), kind: *kind }).await?;
    }
    let units = store.units(station).await?;
    for (name, kind, level, columns) in OUTLETS {
        let input = OutletInput {
            name: (*name).into(),
            kind: *kind,
            level: *level,
            columns: columns.iter().map(|c| c.to_string()).collect(),
        };
        store.create_outlet(station, &input).await?;
    }

    // Accounts first, so correspondents can be assigned to the mentor.
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut users = Vec::new();
    for (username, display, role) in DEMO_ACCOUNTS {
        let unit_id = (*role == Role::Liaison).then(|| units[0].id);
        let u = store
            .create_user(
                NewUser {
                    station_id: Some(station),
                    username: (*username).into(),
                    password_hash: hash.clone(),
                    display_name: (*display).into(),
                    role: *role,
                    correspondent_id: None,
                    unit_id,
                },
                None,
            )
            .await?;
        users.push(u);
    }
    let mentor = users.iter().find(|u| u.role == Role::Mentor).map(|u| u.id);
    // The network is set up by the station's administrator.
    let admin = users[0].id;

    // Correspondents: the two with accounts, then about 40 more; every fourth one has gone quiet.
    let mut rng = Rng(20070801);
    let mut people: Vec<(String, Option<String>)> = Vec::new();
    let named = [("张明远", "武汉市"), ("李晓红", "武汉市")];
    for (i, (name, unit)) in named.iter().enumerate() {
        let unit_id = units.iter().find(|u| u.name == *unit).map(|u| u.id);
        let c = store
            .create_correspondent(
                station,
                &CorrespondentInput {
                    name: (*name).into(),
                    unit_id,
                    kind: CorrespondentKind::UnitCorrespondent,
                    phone: format!("027-8765432{i}"),
                    email: format!("demo{i}@example.cn"),
                    joined_on: Date::from_calendar_date(2005, Month::March, 1).ok(),
                    active: true,
                    mentor_user_id: mentor,
                },
                admin,
            )
            .await?;
        let account = &users[5 + i];
        store.link_user_correspondent(account.id, c.id).await?;
        people.push((c.name, Some((*unit).to_string())));
    }
    let mut n = 0;
    while people.len() < 42 {
        let name = format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], GIVEN[rng.below(GIVEN.len())]);
        if people.iter().any(|(p, _)| *p == name) {
            continue;
        }
        n += 1;
        let unit = &units[n % units.len()];
        let kind = match unit.kind {
            UnitKind::Office => CorrespondentKind::Staff,
            _ if n % 9 == 0 => CorrespondentKind::Special,
            _ if n % 13 == 0 => CorrespondentKind::Mentor,
            _ => CorrespondentKind::UnitCorrespondent,
        };
        let input = CorrespondentInput {
            name: name.clone(),
            unit_id: Some(unit.id),
            kind,
            phone: format!("1380271{:04}", 1000 + n),
            email: String::new(),
            joined_on: Date::from_calendar_date(
                2000 + (n % 7) as i32,
                Month::try_from(1 + (n % 12) as u8).unwrap_or(Month::May),
                1,
            )
            .ok(),
            active: n % 4 != 1,
            mentor_user_id: if kind == CorrespondentKind::UnitCorrespondent { mentor } else { None },
        };
        store.create_correspondent(station, &input, admin).await?;
        people.push((name, Some(unit.name.clone())));
    }
    let active: Vec<&(String, Option<String>)> = {
        let all = store.all_correspondents(station).await?;
        people.iter().filter(|(p, _)| all.iter().any(|c| c.name == *p && c.active)).collect()
    };

    // 2007's placements, matching the report's totals per outlet.
    let plan: &[(&str, usize, &str)] = &[
        ("中国知识产权报", 127, "地方传真"),
        ("湖北省知识产权局网站", 406, "市州工作"),
        ("国家知识产权局子站", 260, "地方动态"),
        ("湖北省人民政府门户网站", 12, "部门动态"),
        ("科技信息快报", 48, "专利园地"),
        ("科技创业周刊", 24, "深度报道"),
        ("湖北日报", 9, "经济"),
        ("湖北人民广播电台", 6, "新闻"),
        ("湖北知识产权信息", 60, "工作动态"),
    ];
    let mut records = Vec::new();
    for (outlet, count, column) in plan {
        for k in 0..*count {
            // The website's items are spread over its columns as the seed's site had them;
            // by position, not by the generator, so every other figure stays as it was.
            let column = if *outlet == WEBSITE { WEBSITE_COLUMNS[k % WEBSITE_COLUMNS.len()] } else { *column };
            let first = active[rng.below(active.len())];
            let mut authors = vec![WrittenAuthor { name: first.0.clone(), share_bp: None }];
            if rng.below(5) == 0 {
                let second = active[rng.below(active.len())];
                if second.0 != first.0 {
                    authors[0].share_bp = Some(6000);
                    authors.push(WrittenAuthor { name: second.0.clone(), share_bp: Some(4000) });
                }
            }
            let unit = first.1.clone();
            let genre = match rng.below(10) {
                0 => Genre::Research,
                1 => Genre::Photo,
                2 => Genre::Feature,
                3 => Genre::GovInfo,
                4 => Genre::Commentary,
                _ => Genre::News,
            };
            let position = match rng.below(20) {
                0 => Position::FrontPage,
                1 => Position::Headline,
                2 | 3 => Position::KeyNews,
                _ => Position::Normal,
            };
            records.push(PlacementRecord {
                title: format!("{}{}", unit.clone().unwrap_or_default(), TOPICS[rng.below(TOPICS.len())]),
                authors,
                external_authors: if rng.below(12) == 0 { "本报记者 周强".into() } else { String::new() },
                unit,
                outlet: (*outlet).into(),
                column: column.into(),
                published_on: date_in_2007(&mut rng),
                genre,
                position,
                length: 300 + rng.below(2200) as i32,
                instruction: if rng.below(40) == 0 { Some(InstructionLevel::Provincial) } else { None },
                commissioned: rng.below(15) == 0,
                reprint: rng.below(25) == 0,
                grade: None,
                url: String::new(),
                note: String::new(),
                manuscript: String::new(),
            });
        }
    }
    // Generated titles repeat without being the same piece: link by 稿件编号 only (there is none).
    let audit = store::ImportAudit { by: Some(admin), file: "演示数据".into() };
    store.import_placements(station, &records, store::Linking::KeysOnly, admin, &audit).await?;
    load_portal(store, station, admin, &records).await?;

    // A few manuscripts at every stage of 改稿.
    let zhang = correspondent_named(store, station, "张明远").await?;
    let li = correspondent_named(store, station, "李晓红").await?;
    let body = "湖北省知识产权局近日在武汉召开全省知识产权宣传通联工作会议，总结上一年度宣传通联工作，部署新一年任务。会议要求各市州进一步加强通讯员队伍建设，坚持按月统计、公示和兑现奖励。";
    let draft = |title: &str, text: &str, who: CorrespondentId| ManuscriptInput {
        title: title.into(),
        body: text.into(),
        genre: Genre::News,
        authors: vec![Byline { correspondent_id: who, share_bp: None }],
    };
    let zhang_user = users[5].id;
    let li_user = users[6].id;
    let editor = users[1].id;
    store
        .create_manuscript(
            station,
            zhang,
            &draft("武汉市专利申请量创新高（草稿）", "今年前三季度，武汉市专利申请量同比增长三成。", zhang),
            zhang_user,
        )
        .await?;
    store
        .create_manuscript(
            station,
            li,
            &draft("李晓红的草稿：知识产权进校园", "近日，武汉市在中小学开展知识产权进校园活动。", li),
            li_user,
        )
        .await?;
    let submitted = store
        .create_manuscript(station, zhang, &draft("全省宣传通联工作会议在汉召开", body, zhang), zhang_user)
        .await?;
    store.submit_manuscript(Scope::Station(station), submitted.id, zhang_user, None).await?;
    let accepted = store
        .create_manuscript(
            station,
            li,
            &draft(
                "宜昌市查处一批假冒专利案件",
                "宜昌市知识产权局联合工商部门开展专项执法检查，查处假冒专利案件12起。",
                li,
            ),
            li_user,
        )
        .await?;
    store.submit_manuscript(Scope::Station(station), accepted.id, li_user, None).await?;
    store
        .revise_manuscript(
            Scope::Station(station),
            accepted.id,
            users[2].id,
            "宜昌市查处12起假冒专利案件",
            "宜昌市知识产权局日前联合工商部门开展专项执法检查，共查处假冒专利案件12起，有力维护了市场秩序。",
            "标题写出数字更醒目；导语补充时间。",
        )
        .await?;
    store.accept_manuscript(Scope::Station(station), accepted.id, editor).await?;
    let returned = store
        .create_manuscript(station, zhang, &draft("一次普通的会议", "今天开了一个会。", zhang), zhang_user)
        .await?;
    store.submit_manuscript(Scope::Station(station), returned.id, zhang_user, None).await?;
    store
        .return_manuscript(
            Scope::Station(station),
            returned.id,
            "内容过于简单，请补充会议主题、参会单位和主要成果。",
            editor,
        )
        .await?;
    load_rewards(store, station, editor).await?;
    load_targets_and_media(store, station, editor).await?;
    // Last, so that every id of 湖北通联站's records stays as it was.
    load_other_stations(store).await?;
    store.audit(Some(station), Some(editor), "demo.load", "station:hb", "演示数据").await?;
    Ok(station)
}

async fn correspondent_named(store: &Store, station: StationId, name: &str) -> anyhow::Result<CorrespondentId> {
    match store.correspondent_by_name(station, name).await? {
        Some(c) => Ok(c.id),
        None => anyhow::bail!("demo correspondent {name} missing"),
    }
}

/// The demo's reward policy, in the spirit of the seed's 宣传报道、政务信息奖励办法.
pub const DEMO_POLICY: &str = include_str!("../../../docs/policies/hubei-2007.toml");

/// Loads the policy and runs 2007's months: January to November published, confirmed and
/// paid; December published and still open for objections.
async fn load_rewards(store: &Store, station: StationId, editor: UserId) -> anyhow::Result<()> {
    use crate::rewards::{RewardData, snapshot};
    use domain::policy::Period;
    crate::rewards::load_policy(store, station, editor, DEMO_POLICY).await.map_err(|e| anyhow::anyhow!(e.message()))?;
    let year = Period::parse("2007").map_err(anyhow::Error::msg)?;
    let data = RewardData::load(store, station, year.from, year.to).await.map_err(|e| anyhow::anyhow!(e.message()))?;
    let items = store.reward_items(station, year.from, year.to).await?;
    let today = time::OffsetDateTime::now_utc().date();
    for month in 1..=12 {
        let period = Period::parse(&format!("2007-{month:02}")).map_err(anyhow::Error::msg)?;
        let statement = data.run(&period, &items).map_err(|e| anyhow::anyhow!(e.message()))?;
        let (text, hash) = snapshot(&statement).map_err(|e| anyhow::anyhow!(e.message()))?;
        let basis = store.statement_basis(station).await?;
        let draft = store.save_draft(station, &period.to_string(), &text, &hash, editor, &[], &basis).await?;
        if month == 12 {
            store
                .publish_statement(Scope::Station(station), draft.id, &hash, today + time::Duration::days(7), editor)
                .await?;
            continue;
        }
        let until = period.to + time::Duration::days(10);
        store.publish_statement(Scope::Station(station), draft.id, &hash, until, editor).await?;
        store.confirm_statement(Scope::Station(station), draft.id, editor, until + time::Duration::days(1), "").await?;
        let how =
            store::PaymentInput { paid_on: period.to + time::Duration::days(15), method: "银行转账", note: "" };
        store.pay_all(Scope::Station(station), draft.id, None, &how, editor).await?;
    }
    Ok(())
}

/// Copies each unit ordered in the 2007 drive, by unit, summing to the report's 1404.
const SUBSCRIPTIONS: &[(&str, i32)] = &[
    ("武汉市", 236),
    ("黄石市", 72),
    ("十堰市", 78),
    ("宜昌市", 118),
    ("襄樊市", 96),
    ("鄂州市", 40),
    ("荆门市", 64),
    ("孝感市", 70),
    ("荆州市", 86),
    ("黄冈市", 80),
    ("咸宁市", 52),
    ("随州市", 44),
    ("恩施州", 58),
    ("仙桃市", 34),
    ("潜江市", 30),
    ("天门市", 28),
    ("神农架林区", 12),
    ("局办公室", 106),
    ("专利管理处", 60),
    ("法律事务处", 40),
];

/// How each field unit's 2007 targets relate to what it achieved, in percent: most set
/// targets they met; a few fell short (the weak links the bulletin names).
const TARGET_PERCENT: &[u32] = &[90, 100, 80, 125, 95, 210, 85, 100, 140, 90, 100, 160, 80, 100, 90, 120, 100];

/// 2007's targets, the subscription drive, events and media contacts, as the seed tells them:
/// a liaison meeting after the national conference, a forum with the mainstream media at the
/// start of the year that recruited special correspondents, briefings at the key dates, the
/// leaders' 10+ lectures, the director's radio and web interviews, and 1404 copies ordered.
async fn load_targets_and_media(store: &Store, station: StationId, editor: UserId) -> anyhow::Result<()> {
    use domain::media::{CampaignInput, EventInput, MediaContactInput, OrderInput};
    use domain::targets::{TargetInput, TargetMetric};
    let units = store.units(station).await?;
    let unit = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let outlets = store.outlets(station).await?;
    let outlet = |name: &str| outlets.iter().find(|o| o.name == name).map(|o| o.id);
    let d = |m: u8, day: u8| Date::from_calendar_date(2007, Month::try_from(m).unwrap_or(Month::June), day);
    let mut rng = Rng(20071231);

    // The subscription drive.
    let campaign = store
        .create_campaign(
            station,
            editor,
            CampaignInput {
                year: 2007,
                publication: "中国知识产权报".into(),
                starts_on: d(1, 1)?,
                ends_on: d(12, 31)?,
            },
        )
        .await?;
    let types =
        [SubscriberType::Agency, SubscriberType::Enterprise, SubscriberType::Institution, SubscriberType::School];
    let mut orders = Vec::new();
    for (name, copies) in SUBSCRIPTIONS {
        let Some(unit_id) = unit(name) else { continue };
        let parts = 2 + rng.below(3);
        let mut left = *copies;
        for k in 0..parts {
            let n = if k + 1 == parts { left } else { (left / (parts - k) as i32).max(1) };
            left -= n;
            // Most orders come in the autumn drive; a few early in the year.
            let month = if k == 0 && rng.below(3) == 0 { 3 } else { 9 + rng.below(4) as u8 };
            let day = 1 + rng.below(28) as u8;
            orders.push(OrderInput {
                unit_id,
                copies: n,
                subscriber_type: types[(k + rng.below(4)) % types.len()],
                subscriber: format!("{name}{}", ["知识产权局", "科技企业", "高新区管委会", "高校图书馆"][k % 4]),
                ordered_on: d(month, day)?,
                collected_by: format!("{name}联络员"),
            });
        }
    }
    store.add_orders(station, editor, campaign.id, orders).await?;

    // Events.
    let paper = outlet("中国知识产权报");
    let radio = outlet("湖北人民广播电台");
    let portal = outlet("湖北省人民政府门户网站");
    let daily = outlet("湖北日报");
    let ids = |list: &[Option<OutletId>]| list.iter().flatten().copied().collect::<Vec<_>>();
    let field_units: Vec<UnitId> = units.iter().filter(|u| u.kind != UnitKind::Office).map(|u| u.id).collect();
    let mut events = vec![
        EventInput {
            kind: EventKind::Forum,
            title: "全省主流新闻媒体记者座谈会".into(),
            held_on: d(1, 18)?,
            place: "湖北省知识产权局".into(),
            people: "局领导、办公室；湖北日报、湖北人民广播电台、湖北电视台、楚天都市报等媒体记者".into(),
            outcome: "通报全年知识产权宣传重点，发展一批知识产权特约通讯员。".into(),
            medium: None,
            unit_ids: unit("局办公室").into_iter().collect(),
            outlet_ids: ids(&[daily, radio, paper]),
        },
        EventInput {
            kind: EventKind::LiaisonMeeting,
            title: "全省知识产权宣传通联工作会议".into(),
            held_on: d(3, 9)?,
            place: "武汉".into(),
            people: "王东风局长讲话；各市州、直管市、林区知识产权局通联负责人".into(),
            outcome: "传达全国通联会议精神，部署全年宣传通联任务和征订工作，表彰优秀通讯员。".into(),
            medium: None,
            unit_ids: field_units.clone(),
            outlet_ids: ids(&[paper]),
        },
        EventInput {
            kind: EventKind::Briefing,
            title: "知识产权宣传周新闻通气会".into(),
            held_on: d(4, 20)?,
            place: "湖北省知识产权局".into(),
            people: "局领导、各处室负责人、新闻媒体记者".into(),
            outcome: "通报第七个世界知识产权日宣传活动安排。".into(),
            medium: None,
            unit_ids: unit("局办公室").into_iter().collect(),
            outlet_ids: ids(&[daily, radio, paper]),
        },
        EventInput {
            kind: EventKind::Briefing,
            title: "纪念专利法实施22周年新闻通气会".into(),
            held_on: d(3, 30)?,
            place: "湖北省知识产权局".into(),
            people: "局领导、专利管理处、新闻媒体记者".into(),
            outcome: "通报全省专利工作进展。".into(),
            medium: None,
            unit_ids: unit("专利管理处").into_iter().collect(),
            outlet_ids: ids(&[daily, paper]),
        },
        EventInput {
            kind: EventKind::Interview,
            title: "王东风局长做客湖北人民广播电台".into(),
            held_on: d(4, 26)?,
            place: "湖北人民广播电台直播间".into(),
            people: "王东风".into(),
            outcome: "就全省知识产权工作的现状与问题与听众互动交流。".into(),
            medium: Some(InterviewMedium::Radio),
            unit_ids: unit("局办公室").into_iter().collect(),
            outlet_ids: ids(&[radio]),
        },
        EventInput {
            kind: EventKind::Interview,
            title: "王东风局长做客湖北省人民政府门户网站在线访谈".into(),
            held_on: d(6, 12)?,
            place: "湖北省人民政府门户网站".into(),
            people: "王东风".into(),
            outcome: "与网友在线交流知识产权保护问题。".into(),
            medium: Some(InterviewMedium::Web),
            unit_ids: unit("局办公室").into_iter().collect(),
            outlet_ids: ids(&[portal]),
        },
        EventInput {
            kind: EventKind::Training,
            title: "全省通讯员写作培训班".into(),
            held_on: d(5, 15)?,
            place: "宜昌".into(),
            people: "舒正华等老通讯员授课；各市州通讯员".into(),
            outcome: "讲授新闻写作与改稿，现场点评来稿。".into(),
            medium: None,
            unit_ids: field_units.clone(),
            outlet_ids: vec![],
        },
    ];
    // The leaders' lectures at offices, universities and factories (10 余次).
    let venues = [
        "武汉大学",
        "华中科技大学",
        "武汉钢铁公司",
        "东风汽车公司",
        "宜昌三峡大学",
        "襄樊高新区",
        "黄石大冶有色",
        "荆州长江大学",
        "十堰东风商用车",
        "孝感高新区",
        "省直机关",
        "咸宁科技企业",
    ];
    let lecture_units = [
        "武汉市",
        "武汉市",
        "武汉市",
        "十堰市",
        "宜昌市",
        "襄樊市",
        "黄石市",
        "荆州市",
        "十堰市",
        "孝感市",
        "局办公室",
        "咸宁市",
    ];
    for (i, (venue, unit_name)) in venues.iter().zip(lecture_units).enumerate() {
        events.push(EventInput {
            kind: EventKind::Lecture,
            title: format!("知识产权专题讲座（{venue}）"),
            held_on: d(2 + (i % 10) as u8, 5 + (i * 2) as u8)?,
            place: (*venue).into(),
            people: if i % 2 == 0 { "王东风".into() } else { "分管副局长".into() },
            outcome: format!("{}人听讲", 80 + rng.below(220)),
            medium: None,
            unit_ids: unit(unit_name).into_iter().collect(),
            outlet_ids: vec![],
        });
    }
    for e in events {
        store.save_event(station, editor, None, e).await?;
    }

    // Media contacts.
    let contacts = [
        ("陈记者", "湖北日报", "科技", "027-88567001", (4, 20)),
        ("刘编辑", "湖北人民广播电台", "新闻中心", "027-88567002", (4, 26)),
        ("赵记者", "楚天都市报", "经济", "027-88567003", (1, 18)),
        ("孙记者", "长江日报", "科教", "027-88567004", (3, 30)),
        ("周站长", "中国知识产权报", "湖北记者站", "027-88567005", (11, 8)),
        ("吴编导", "湖北电视台", "经济频道", "027-88567006", (1, 18)),
        ("郑编辑", "湖北省人民政府门户网站", "在线访谈", "027-88567007", (6, 12)),
    ];
    for (name, outlet_name, beat, phone, (m, day)) in contacts {
        let input = MediaContactInput {
            name: name.into(),
            outlet_id: outlet(outlet_name),
            outlet_name: outlet_name.into(),
            beat: beat.into(),
            contact: phone.into(),
            last_contact_on: Some(d(m, day)?),
            note: String::new(),
        };
        store.save_media_contact(station, editor, None, input).await?;
    }

    // Targets, from what each unit achieved (see TARGET_PERCENT).
    let (first, last) = store::year_bounds(2007);
    let tally = store.tally(station, first, last).await?;
    let scale = |achieved: i64, percent: u32| ((achieved * percent as i64 + 99) / 100).max(1);
    let mut targets = Vec::new();
    for (i, u) in units.iter().filter(|u| u.kind != UnitKind::Office).enumerate() {
        let percent = TARGET_PERCENT[i % TARGET_PERCENT.len()];
        let counts = tally.units.get(&u.id).cloned().unwrap_or_default();
        let mut metrics = vec![TargetMetric::WebsiteItems, TargetMetric::Subscriptions];
        metrics.extend(paper.map(TargetMetric::PlacementsIn));
        for metric in metrics {
            let value = scale(tally.value(&counts, metric), percent);
            targets.push(TargetInput { year: 2007, unit_id: Some(u.id), correspondent_id: None, metric, value });
        }
    }
    for (name, value) in [("张明远", 6), ("李晓红", 5)] {
        let c = correspondent_named(store, station, name).await?;
        if let Some(p) = paper {
            let metric = TargetMetric::PlacementsIn(p);
            targets.push(TargetInput { year: 2007, unit_id: None, correspondent_id: Some(c), metric, value });
        }
    }
    store.set_targets(station, editor, targets).await?;
    Ok(())
}

/// code, name, province, units, placements in the paper, website items, copies.
type OtherStation = (&'static str, &'static str, &'static str, &'static [&'static str], usize, usize, i32);

/// Other stations of the paper with a year of synthetic activity, so that the national view
/// of headquarters is not empty: code, name, province prefix, units, placements in the paper,
/// items on their website, copies subscribed.
const OTHER_STATIONS: &[OtherStation] = &[
    ("gd", "广东通联站", "广东", &["广州市", "深圳市", "佛山市", "东莞市", "珠海市", "汕头市"], 151, 320, 1650),
    ("js", "江苏通联站", "江苏", &["南京市", "苏州市", "无锡市", "常州市", "南通市", "扬州市"], 118, 280, 1210),
    ("sc", "四川通联站", "四川", &["成都市", "绵阳市", "德阳市", "宜宾市", "乐山市"], 64, 150, 720),
    ("zj", "浙江通联站", "浙江", &["杭州市", "宁波市", "温州市", "绍兴市", "嘉兴市", "台州市"], 96, 240, 980),
];

/// The other stations and the headquarters account.
async fn load_other_stations(store: &Store) -> anyhow::Result<()> {
    use domain::media::{CampaignInput, EventInput, OrderInput};
    let hash = hash_password(DEMO_PASSWORD)?;
    let (username, display, role) = DEMO_HQ_ACCOUNT;
    let hq = store
        .create_user(
            NewUser {
                station_id: None,
                username: username.into(),
                password_hash: hash,
                display_name: display.into(),
                role,
                correspondent_id: None,
                unit_id: None,
            },
            None,
        )
        .await?
        .id;
    let mut rng = Rng(20080118);
    let d = |m: u8, day: u8| Date::from_calendar_date(2007, Month::try_from(m).unwrap_or(Month::June), day);
    for (code, name, province, units, paper_count, web_count, copies) in OTHER_STATIONS {
        let station = store.create_station(code, name).await?.id;
        for u in *units {
            store.create_unit(station, &UnitInput { name: (*u).into(), kind: UnitKind::Prefecture }).await?;
        }
        let unit_ids: Vec<UnitId> = store.units(station).await?.iter().map(|u| u.id).collect();
        let paper = OutletInput {
            name: "中国知识产权报".into(),
            kind: OutletKind::Newspaper,
            level: OutletLevel::National,
            columns: vec!["地方传真".into()],
        };
        store.create_outlet(station, &paper).await?;
        let website = format!("{province}省知识产权局网站");
        let site = OutletInput {
            name: website.clone(),
            kind: OutletKind::Website,
            level: OutletLevel::Provincial,
            columns: vec!["工作动态".into()],
        };
        let site = store.create_outlet(station, &site).await?.id;
        store.set_portal_settings(station, Some(site), "").await?;
        let mut people: Vec<(String, String)> = Vec::new();
        while people.len() < 3 * units.len() {
            let person = format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], GIVEN[rng.below(GIVEN.len())]);
            if people.iter().any(|(p, _)| *p == person) {
                continue;
            }
            let k = people.len() % units.len();
            let input = CorrespondentInput {
                name: person.clone(),
                unit_id: Some(unit_ids[k]),
                kind: CorrespondentKind::UnitCorrespondent,
                phone: String::new(),
                email: String::new(),
                joined_on: Date::from_calendar_date(2004, Month::May, 1).ok(),
                active: true,
                mentor_user_id: None,
            };
            store.create_correspondent(station, &input, hq).await?;
            people.push((person, units[k].to_string()));
        }
        let mut records = Vec::new();
        for (outlet, count, column) in
            [("中国知识产权报", *paper_count, "地方传真"), (website.as_str(), *web_count, "工作动态")]
        {
            for _ in 0..count {
                // A few correspondents write most of the pieces, as in every network.
                let busy = rng.below(people.len()) + 1;
                let who = &people[rng.below(busy)];
                records.push(PlacementRecord {
                    title: format!("{}{}", who.1, TOPICS[rng.below(TOPICS.len())]),
                    authors: vec![WrittenAuthor { name: who.0.clone(), share_bp: None }],
                    external_authors: String::new(),
                    unit: Some(who.1.clone()),
                    outlet: outlet.into(),
                    column: column.into(),
                    published_on: date_in_2007(&mut rng),
                    genre: Genre::News,
                    position: Position::Normal,
                    length: 400 + rng.below(1200) as i32,
                    instruction: None,
                    commissioned: false,
                    reprint: false,
                    grade: None,
                    url: String::new(),
                    note: String::new(),
                    manuscript: String::new(),
                });
            }
        }
        let audit = store::ImportAudit { by: Some(hq), file: "演示数据".into() };
        store.import_placements(station, &records, store::Linking::KeysOnly, hq, &audit).await?;
        let campaign = CampaignInput {
            year: 2007,
            publication: "中国知识产权报".into(),
            starts_on: d(1, 1)?,
            ends_on: d(12, 31)?,
        };
        let campaign = store.create_campaign(station, hq, campaign).await?;
        let share = *copies / unit_ids.len() as i32;
        let orders = unit_ids
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let n = if i == 0 { copies - share * (unit_ids.len() as i32 - 1) } else { share };
                Ok(OrderInput {
                    unit_id: *u,
                    copies: n,
                    subscriber_type: SubscriberType::Agency,
                    subscriber: format!("{}知识产权局", units[i]),
                    ordered_on: d(10, 1 + i as u8)?,
                    collected_by: String::new(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        store.add_orders(station, hq, campaign.id, orders).await?;
        for i in 0..(2 + rng.below(6)) {
            let kind = [EventKind::Lecture, EventKind::Briefing, EventKind::Training][i % 3];
            let event = EventInput {
                kind,
                title: format!("{name}{}", kind.zh()),
                held_on: d(3 + i as u8, 10)?,
                place: units[i % units.len()].to_string(),
                people: String::new(),
                outcome: String::new(),
                medium: None,
                unit_ids: vec![unit_ids[i % unit_ids.len()]],
                outlet_ids: vec![],
            };
            store.save_event(station, hq, None, event).await?;
        }
    }
    Ok(())
}
