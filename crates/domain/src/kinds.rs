//! The closed vocabularies of the glossary: unit kinds, correspondent kinds, outlet kinds and
//! levels, genres, positions, instruction levels, roles and manuscript states. Each has a stable
//! code (stored in the database and used by the API), a Chinese label (the UI's default and the
//! spreadsheet headers' language) and an English label. Parsing accepts any of the three.

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = ($code:literal, $zh:literal, $en:literal)),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            /// Every value, in the order the UI lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The Chinese label.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }

            /// The English label.
            pub fn en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            /// The label in a locale ("en" or anything else for Chinese).
            pub fn label(self, locale: &str) -> &'static str {
                if locale == "en" { self.en() } else { self.zh() }
            }

            /// Reads a code, a Chinese label or an English label (case-insensitive).
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                Self::ALL.iter().copied().find(|v| {
                    v.code().eq_ignore_ascii_case(t) || v.zh() == t || v.en().eq_ignore_ascii_case(t)
                })
            }

            /// A Chinese sentence listing what is accepted, for error messages.
            pub fn expected() -> String {
                let labels: Vec<&str> = Self::ALL.iter().map(|v| v.zh()).collect();
                format!("{}应为：{}", $what, labels.join("、"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.zh())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(Self::expected)
            }
        }
    };
}

vocabulary!(
    /// What kind of organisation a unit is.
    UnitKind, "单位类型" {
        Prefecture = ("prefecture", "市州", "Prefecture"),
        DirectCity = ("direct_city", "直管市", "Directly administered city"),
        ForestDistrict = ("forest_district", "林区", "Forest district"),
        Office = ("office", "机关", "Bureau office"),
        Other = ("other", "其他", "Other"),
    }
);

vocabulary!(
    /// How a correspondent belongs to the network.
    CorrespondentKind, "通讯员类型" {
        Staff = ("staff", "局职工", "Bureau staff"),
        UnitCorrespondent = ("unit", "市州通讯员", "Unit correspondent"),
        Special = ("special", "特约通讯员", "Special correspondent"),
        Mentor = ("mentor", "改稿老师", "Mentor"),
    }
);

vocabulary!(
    /// The medium of an outlet.
    OutletKind, "媒体类型" {
        Newspaper = ("newspaper", "报纸", "Newspaper"),
        Magazine = ("magazine", "杂志", "Magazine"),
        Website = ("website", "网站", "Website"),
        Tv = ("tv", "电视", "TV"),
        Radio = ("radio", "广播", "Radio"),
        NewMedia = ("new_media", "新媒体", "New media"),
        Bulletin = ("bulletin", "内刊", "Internal bulletin"),
    }
);

vocabulary!(
    /// The administrative level of an outlet. Ordered from the highest.
    OutletLevel, "媒体级别" {
        National = ("national", "国家级", "National"),
        Provincial = ("provincial", "省级", "Provincial"),
        Municipal = ("municipal", "市级", "Municipal"),
        County = ("county", "县级", "County"),
        Internal = ("internal", "内部", "Internal"),
    }
);

vocabulary!(
    /// The genre (体裁) of a manuscript or placement.
    Genre, "体裁" {
        News = ("news", "消息", "News"),
        Feature = ("feature", "通讯", "Feature"),
        Commentary = ("commentary", "评论", "Commentary"),
        Photo = ("photo", "图片", "Photo"),
        GovInfo = ("gov_info", "政务信息", "Government information"),
        Research = ("research", "调研报告", "Research report"),
        InDepth = ("in_depth", "深度报道", "In-depth report"),
        Interview = ("interview", "专访", "Interview"),
        Other = ("other", "其他", "Other"),
    }
);

vocabulary!(
    /// Where on the page (版面位置) a placement ran.
    Position, "版面位置" {
        FrontPage = ("front_page", "头版", "Front page"),
        Headline = ("headline", "头条", "Lead story"),
        KeyNews = ("key_news", "要闻", "Key news"),
        Normal = ("normal", "一般", "Normal"),
    }
);

vocabulary!(
    /// The level of a leader's written instruction (批示) on a placement.
    InstructionLevel, "批示级别" {
        County = ("county", "县级", "County"),
        Municipal = ("municipal", "市级", "Municipal"),
        Provincial = ("provincial", "省级", "Provincial"),
        National = ("national", "国家级", "National"),
    }
);

vocabulary!(
    /// The editor's quality grade (评级) of a placement.
    Grade, "评级" {
        Excellent = ("excellent", "优秀", "Excellent"),
        Good = ("good", "良好", "Good"),
        Fair = ("fair", "一般", "Fair"),
    }
);

vocabulary!(
    /// What an account may do.
    Role, "角色" {
        Admin = ("admin", "管理员", "Administrator"),
        Editor = ("editor", "通联站编辑", "Station editor"),
        Liaison = ("liaison", "市州联络员", "Unit liaison"),
        Mentor = ("mentor", "改稿老师", "Mentor"),
        Correspondent = ("correspondent", "通讯员", "Correspondent"),
        Leader = ("leader", "局领导", "Leader"),
    }
);

vocabulary!(
    /// Where a manuscript is in its life.
    ManuscriptStatus, "稿件状态" {
        Draft = ("draft", "草稿", "Draft"),
        Submitted = ("submitted", "待审", "Submitted"),
        Returned = ("returned", "退稿", "Returned"),
        Accepted = ("accepted", "已采用", "Accepted"),
    }
);

vocabulary!(
    /// What a revision round was.
    RevisionKind, "修改类型" {
        Submission = ("submission", "投稿", "Submission"),
        Revision = ("revision", "改稿", "Revision"),
        Resubmission = ("resubmission", "重新投稿", "Resubmission"),
    }
);

vocabulary!(
    /// Where a statement is in its life: recomputable draft, public notice open for objections,
    /// confirmed, paid.
    StatementStatus, "核算状态" {
        Draft = ("draft", "草稿", "Draft"),
        Published = ("published", "公示中", "Published"),
        Confirmed = ("confirmed", "已确认", "Confirmed"),
        Paid = ("paid", "已兑现", "Paid"),
    }
);

vocabulary!(
    /// An objection's state.
    ObjectionStatus, "异议状态" {
        Open = ("open", "待答复", "Open"),
        Upheld = ("upheld", "已采纳", "Upheld"),
        Rejected = ("rejected", "未采纳", "Rejected"),
    }
);

vocabulary!(
    /// What kind of media work or network event (活动) took place.
    EventKind, "活动类型" {
        Briefing = ("briefing", "通气会", "Press briefing"),
        Forum = ("forum", "座谈会", "Forum"),
        Lecture = ("lecture", "讲座", "Lecture"),
        Interview = ("interview", "访谈", "Interview"),
        LiaisonMeeting = ("liaison_meeting", "通联工作会议", "Liaison meeting"),
        Training = ("training", "培训", "Training"),
    }
);

vocabulary!(
    /// Where an interview (访谈) was broadcast or published.
    InterviewMedium, "访谈媒介" {
        Radio = ("radio", "广播", "Radio"),
        Tv = ("tv", "电视", "TV"),
        Web = ("web", "网络", "Web"),
    }
);

vocabulary!(
    /// Who subscribes to the paper in a subscription drive (征订).
    SubscriberType, "订户类型" {
        Agency = ("agency", "机关单位", "Government agency"),
        Enterprise = ("enterprise", "企业", "Enterprise"),
        Institution = ("institution", "事业单位", "Public institution"),
        School = ("school", "院校", "School or university"),
        Individual = ("individual", "个人", "Individual"),
    }
);

vocabulary!(
    /// What a reminder (提醒) is about.
    ReminderKind, "提醒类型" {
        DraftWaiting = ("draft_waiting", "稿件待修改超期", "Draft waiting for revision"),
        UnitBehind = ("unit_behind", "月底进度落后", "Behind pace at month end"),
        ObjectionClosing = ("objection_closing", "公示异议期即将结束", "Objection window closing"),
        TargetMet = ("target_met", "目标已完成", "Target met"),
    }
);

impl Role {
    /// Station editors and administrators run the network.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }
    /// Who may change data at all (the leader only reads).
    pub fn can_write(self) -> bool {
        !matches!(self, Role::Leader)
    }
    /// Who may revise drafts.
    pub fn can_revise(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Mentor)
    }
    /// Who may be named a correspondent's mentor (改稿老师): a mentor or a station editor, of
    /// the correspondent's own station (the store checks that).
    pub fn may_mentor(self) -> bool {
        matches!(self, Role::Editor | Role::Mentor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_chinese_and_english() {
        assert_eq!(OutletLevel::parse("省级"), Some(OutletLevel::Provincial));
        assert_eq!(OutletLevel::parse("provincial"), Some(OutletLevel::Provincial));
        assert_eq!(OutletLevel::parse("Provincial"), Some(OutletLevel::Provincial));
        assert_eq!(Genre::parse("调研报告"), Some(Genre::Research));
        assert_eq!(Genre::parse("小说"), None);
        assert!(Genre::expected().contains("消息"));
    }

    #[test]
    fn codes_are_unique_per_vocabulary() {
        let codes: std::collections::HashSet<_> = Genre::ALL.iter().map(|g| g.code()).collect();
        assert_eq!(codes.len(), Genre::ALL.len());
        let zh: std::collections::HashSet<_> = Position::ALL.iter().map(|g| g.zh()).collect();
        assert_eq!(zh.len(), Position::ALL.len());
    }
}

/// What can be done to a manuscript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManuscriptAction {
    Edit,
    Submit,
    Revise,
    Accept,
    Return,
}

impl ManuscriptStatus {
    /// The status after `action`, or why the action is not possible now (in Chinese).
    pub fn after(self, action: ManuscriptAction) -> Result<ManuscriptStatus, String> {
        use ManuscriptAction as A;
        use ManuscriptStatus as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Edit) => Ok(self),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Revise) => Ok(S::Submitted),
            (S::Submitted, A::Accept) => Ok(S::Accepted),
            (S::Submitted, A::Return) => Ok(S::Returned),
            (s, a) => Err(format!(
                "稿件当前状态为“{}”，不能{}",
                s.zh(),
                match a {
                    A::Edit => "修改",
                    A::Submit => "投稿",
                    A::Revise => "改稿",
                    A::Accept => "采用",
                    A::Return => "退稿",
                }
            )),
        }
    }
}

vocabulary!(
    /// What a portal column shows: posts (news, work reports…), photo news (a gallery and the
    /// home page's photo strip), notices (posts plus the open 公示), or the statistics column.
    ColumnKind, "栏目类型" {
        News = ("news", "新闻", "News"),
        Photos = ("photos", "图片新闻", "Photo news"),
        Notices = ("notices", "通知公告", "Notices"),
        Stats = ("stats", "统计专栏", "Statistics"),
    }
);

vocabulary!(
    /// Where a portal post is: a draft only editors see, published (visible from its publish
    /// time on, so a future time means scheduled), or taken off the site with a reason.
    PostStatus, "文章状态" {
        Draft = ("draft", "草稿", "Draft"),
        Published = ("published", "已发布", "Published"),
        Unpublished = ("unpublished", "已撤下", "Unpublished"),
    }
);

vocabulary!(
    /// A document in the library: published, or taken down after a complaint (with a reason).
    DocumentStatus, "文档状态" {
        Published = ("published", "已发布", "Published"),
        TakenDown = ("taken_down", "已下架", "Taken down"),
    }
);

vocabulary!(
    /// A visitor's comment: shown only once an editor approved it.
    CommentStatus, "评论状态" {
        Pending = ("pending", "待审核", "Pending"),
        Approved = ("approved", "已通过", "Approved"),
        Rejected = ("rejected", "未通过", "Rejected"),
    }
);

vocabulary!(
    /// What a complaint (版权申诉) is about.
    ComplaintKind, "申诉类型" {
        Copyright = ("copyright", "版权申诉", "Copyright"),
        Error = ("error", "内容差错", "Error in content"),
    }
);

vocabulary!(
    /// Where a complaint is: open, upheld (the item was taken down) or dismissed.
    ComplaintStatus, "申诉状态" {
        Open = ("open", "待处理", "Open"),
        Upheld = ("upheld", "已受理并下架", "Upheld"),
        Dismissed = ("dismissed", "已驳回", "Dismissed"),
    }
);

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[test]
    fn manuscript_lifecycle() {
        use ManuscriptAction as A;
        use ManuscriptStatus as S;
        assert_eq!(S::Draft.after(A::Submit), Ok(S::Submitted));
        assert_eq!(S::Submitted.after(A::Revise), Ok(S::Submitted));
        assert_eq!(S::Submitted.after(A::Return), Ok(S::Returned));
        assert_eq!(S::Returned.after(A::Submit), Ok(S::Submitted));
        assert_eq!(S::Submitted.after(A::Accept), Ok(S::Accepted));
        assert!(S::Accepted.after(A::Edit).is_err());
        assert!(S::Draft.after(A::Accept).is_err());
        assert!(S::Accepted.after(A::Return).unwrap_err().contains("已采用"));
    }
}
