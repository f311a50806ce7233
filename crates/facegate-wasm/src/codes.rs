//! Unit-only enums whose JSON form is a stable code, written once per variant.

/// Defines a unit-only enum whose JSON form is a stable snake_case code, with `ALL` (the
/// variants in declaration order), `code()` and `parse()` (the code back, `None` for anything
/// else) and a `Serialize` that writes the code as a string: the JSON
/// `#[serde(rename_all = "snake_case")]` writes, but one `serialize_str` instead of a
/// unit-variant call per variant, about 100 bytes of .wasm less per enum (README "Size").
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident => $code:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as the JSON writes it.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The variant a code names.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    code_enum! {
        /// Variant names of every kind the helper's enums have.
        pub enum Written {
            Yes => "yes",
            H5Redirect => "h5_redirect",
            IosWebviewTooOld => "ios_webview_too_old",
            NotInMiniProgramWebView => "not_in_mini_program_web_view",
        }
    }

    /// The twin the derive would give.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Derived {
        Yes,
        H5Redirect,
        IosWebviewTooOld,
        NotInMiniProgramWebView,
    }

    #[test]
    fn writes_the_json_the_snake_case_derive_writes() {
        let derived = [
            Derived::Yes,
            Derived::H5Redirect,
            Derived::IosWebviewTooOld,
            Derived::NotInMiniProgramWebView,
        ];
        for (written, derived) in Written::ALL.iter().zip(derived) {
            let json = serde_json::to_string(written).unwrap();
            assert_eq!(json, serde_json::to_string(&derived).unwrap());
            assert_eq!(Written::parse(written.code()), Some(*written));
        }
        assert_eq!(Written::parse("H5Redirect"), None);
    }
}
