//! Two locales: Simplified Chinese (the default, and the language the templates are written
//! in) and English. A template writes `{{ l.t("登录") }}`; in Chinese that is the text itself,
//! in English its entry in `EN`. A test checks every text the templates use has an entry.

/// The locale of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L {
    pub en: bool,
}

impl L {
    pub fn new(locale: &str) -> L {
        L { en: locale == "en" }
    }

    pub fn code(&self) -> &'static str {
        if self.en { "en" } else { "zh" }
    }

    /// The HTML `lang` attribute.
    pub fn html_lang(&self) -> &'static str {
        if self.en { "en" } else { "zh-CN" }
    }

    /// `zh` in the page's language.
    pub fn t<'a>(&self, zh: &'a str) -> &'a str {
        if !self.en {
            return zh;
        }
        match EN.binary_search_by(|(k, _)| (*k).cmp(zh)) {
            Ok(i) => EN[i].1,
            Err(_) => zh,
        }
    }

    /// A label of one of the domain's vocabularies.
    pub fn label<T: Labelled>(&self, v: T) -> &'static str {
        if self.en { v.en_label() } else { v.zh_label() }
    }
}

/// The domain's vocabularies, for `L::label`.
pub trait Labelled: Copy {
    fn zh_label(self) -> &'static str;
    fn en_label(self) -> &'static str;
}

macro_rules! labelled {
    ($($t:ty),*) => {$(
        impl Labelled for $t {
            fn zh_label(self) -> &'static str { self.zh() }
            fn en_label(self) -> &'static str { self.en() }
        }
        impl Labelled for &$t {
            fn zh_label(self) -> &'static str { self.zh() }
            fn en_label(self) -> &'static str { self.en() }
        }
        impl Labelled for &&$t {
            fn zh_label(self) -> &'static str { self.zh() }
            fn en_label(self) -> &'static str { self.en() }
        }
    )*};
}

labelled!(
    domain::UnitKind,
    domain::CorrespondentKind,
    domain::OutletKind,
    domain::OutletLevel,
    domain::Genre,
    domain::Position,
    domain::InstructionLevel,
    domain::Grade,
    domain::Role,
    domain::ManuscriptStatus,
    domain::RevisionKind,
    domain::StatementStatus,
    domain::ObjectionStatus,
    domain::ColumnKind,
    domain::PostStatus,
    domain::DocumentStatus,
    domain::CommentStatus,
    domain::ComplaintKind,
    domain::ComplaintStatus,
    domain::EventKind,
    domain::InterviewMedium,
    domain::SubscriberType,
    domain::ReminderKind,
    domain::targets::PaceStatus
);

include!("i18n_en.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in EN.windows(2) {
            assert!(w[0].0 < w[1].0, "EN must be sorted by key without duplicates: {:?} / {:?}", w[0].0, w[1].0);
        }
    }

    #[test]
    fn every_template_text_has_an_english_entry() {
        // The texts of the web pages, and of the documents the use cases write.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut files = Vec::new();
        let dirs = [
            "../web/templates",
            "../web/templates/portal",
            "../web/src/pages",
            "../web/src/portal",
            "templates",
            "src",
        ];
        for dir in dirs {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split(".t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if EN.binary_search_by(|(k, _)| (*k).cmp(key)).is_err() {
                    missing.push(format!("{}: {key}", path.file_name().unwrap().to_string_lossy()));
                }
            }
        }
        assert!(missing.is_empty(), "texts without English: {missing:#?}");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(L::new("zh").t("登录"), "登录");
        assert_eq!(L::new("fr").t("登录"), "登录");
        assert_eq!(L::new("en").t("登录"), "Log in");
        assert_eq!(L::new("en").label(domain::Genre::News), "News");
        assert_eq!(L::new("zh").label(domain::Genre::News), "消息");
    }
}
