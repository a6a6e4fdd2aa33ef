//! The parts of a remote actor document where an account can point back to a co-op's
//! profile, as Mastodon verifies `rel="me"` links the other way round: `url`, the
//! `PropertyValue` profile fields (`attachment`) and `alsoKnownAs`. Read leniently: each
//! may be one value or a list, strings or objects, and anything unreadable is skipped.
use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// A remote actor's backlink candidates.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorProfileLinks {
    /// Actor id.
    pub id: Url,
    /// `url`: a URL, a `Link` (`href`) or a list of either.
    #[serde(default, deserialize_with = "hrefs")]
    pub url: Vec<String>,
    /// Profile fields (`PropertyValue` name and HTML value); other attachments skipped.
    #[serde(default, deserialize_with = "fields")]
    pub attachment: Vec<ProfileField>,
    /// Other ids of the same account.
    #[serde(default, deserialize_with = "hrefs")]
    pub also_known_as: Vec<String>,
}

/// A `PropertyValue` profile field of a remote actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileField {
    /// Its name, untrusted text.
    pub name: String,
    /// Its value, untrusted HTML.
    pub value: String,
}

fn collect_hrefs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Object(o) => {
            if let Some(href) = o.get("href").or_else(|| o.get("id")) {
                collect_hrefs(href, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_hrefs(item, out);
            }
        }
        _ => {}
    }
}

fn hrefs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let mut out = Vec::new();
    collect_hrefs(&Value::deserialize(d)?, &mut out);
    Ok(out)
}

fn fields<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ProfileField>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Array(items) => items,
        one @ Value::Object(_) => vec![one],
        _ => Vec::new(),
    };
    Ok(items
        .iter()
        .filter(|item| item.get("type").and_then(Value::as_str) == Some("PropertyValue"))
        .filter_map(|item| {
            Some(ProfileField {
                name: item.get("name")?.as_str()?.to_owned(),
                value: item.get("value")?.as_str()?.to_owned(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_of_backlink_is_read() {
        let doc: ActorProfileLinks = serde_json::from_value(serde_json::json!({
            "id": "https://social.example/users/coop",
            "type": "Person",
            "url": [{"type": "Link", "href": "https://social.example/@coop"}, "https://x.example/"],
            "attachment": [
                {"type": "PropertyValue", "name": "Directory", "value": "<a href=\"https://d.example/coops/c\">d</a>"},
                {"type": "Image", "url": "https://social.example/a.png"},
                {"type": "PropertyValue", "name": 7, "value": "x"},
            ],
            "alsoKnownAs": "https://d.example/coops/c",
        }))
        .expect("reads");
        assert_eq!(
            doc.url,
            ["https://social.example/@coop", "https://x.example/"]
        );
        assert_eq!(doc.attachment.len(), 1);
        assert_eq!(doc.attachment[0].name, "Directory");
        assert_eq!(doc.also_known_as, ["https://d.example/coops/c"]);

        let bare: ActorProfileLinks =
            serde_json::from_value(serde_json::json!({"id": "https://social.example/users/x"}))
                .expect("reads without any");
        assert!(bare.url.is_empty() && bare.attachment.is_empty() && bare.also_known_as.is_empty());
    }
}
