//! [`CountryCode`]: ISO 3166-1 alpha-2 codes, checked against the assigned list so a typo
//! (`UK`) is refused at input rather than showing up as an unknown country in facets.
use std::fmt;

use serde::{Deserialize, Serialize};

/// ISO 3166-1 alpha-2 codes officially assigned (249), sorted for binary search. `XK`
/// (Kosovo), the user-assigned code the EU and most registries use, is accepted besides.
const CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// An ISO 3166-1 alpha-2 country code, stored uppercase.
///
/// ```
/// use coopnet_core::CountryCode;
/// assert_eq!(CountryCode::parse("gb").unwrap().as_str(), "GB");
/// assert!(CountryCode::parse("UK").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a two-letter code, case-insensitively; refuses codes ISO does not assign.
    pub fn parse(value: &str) -> Result<Self, String> {
        let upper = value.trim().to_ascii_uppercase();
        if upper.len() == 2 && (CODES.binary_search(&upper.as_str()).is_ok() || upper == "XK") {
            let b = upper.as_bytes();
            Ok(Self([b[0], b[1]]))
        } else {
            Err(format!(
                "unknown country code '{value}' (expected ISO 3166-1 alpha-2, e.g. GB, DE)"
            ))
        }
    }

    /// The code, uppercase.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert_eq!(CODES.len(), 249);
        assert!(CODES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn parses_known_and_refuses_unknown() {
        assert_eq!(
            CountryCode::parse("de").map(|c| c.to_string()),
            Ok("DE".into())
        );
        assert!(CountryCode::parse("XK").is_ok());
        for bad in ["UK", "EU", "ZZ", "G", "GBR", ""] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
