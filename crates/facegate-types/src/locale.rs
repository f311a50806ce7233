//! The languages facegate's human-readable text is written in, and how a language tag or a
//! list of them picks one.
//!
//! Machine-readable codes (`code`, `reason`, `flow`, issue codes) are never translated; only
//! the text beside them is. zh-CN is the default: facegate serves merchants in China and the
//! people they verify. The glossary the translations follow is `docs/glossary.md`.

/// A language of facegate's human-readable text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// Every locale, the default first.
    pub const ALL: &'static [Locale] = &[Locale::ZhCn, Locale::En];

    /// The BCP 47 tag: `"zh-CN"` or `"en"`, as written in `<html lang>` and the catalogues'
    /// directory names.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The locale one BCP 47 tag asks for, by its primary language subtag, case-insensitively:
    /// `zh`, `zh-CN`, `zh-Hans-CN`, `zh_TW` -> zh-CN (the only Chinese written here); `en`,
    /// `en-US`, `EN_gb` -> en. `None` for any other language or an empty tag.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Locale::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The first of `tags` (in the caller's order of preference) that names a locale, else
    /// the default, zh-CN.
    pub fn first_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Locale {
        tags.into_iter()
            .find_map(Locale::from_tag)
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn tags_pick_by_their_primary_language() {
        for (tag, locale) in [
            ("zh-CN", Some(Locale::ZhCn)),
            ("zh", Some(Locale::ZhCn)),
            ("zh-Hans-CN", Some(Locale::ZhCn)),
            ("ZH_tw", Some(Locale::ZhCn)),
            ("en", Some(Locale::En)),
            ("en-US", Some(Locale::En)),
            (" EN_gb ", Some(Locale::En)),
            ("fr-FR", None),
            ("", None),
            ("english", None),
        ] {
            assert_eq!(Locale::from_tag(tag), locale, "{tag:?}");
        }
        assert_eq!(Locale::first_of(["fr", "en-GB", "zh"]), Locale::En);
        assert_eq!(Locale::first_of(["fr", "de"]), Locale::ZhCn);
        assert_eq!(Locale::first_of([]), Locale::ZhCn);
        assert_eq!(Locale::default().tag(), "zh-CN");
    }
}
