//! The `#hashtags` and `@user@host` mentions written in a post's text, found the way
//! Mastodon finds them: a `#` or `@` at the start of the text or after a space or an
//! opening bracket (never inside a word or a URL), then the name. Federation turns them
//! into the Note's `Hashtag` and `Mention` tags, so remote servers link and index them.
//! Pure text work, no IO: resolving mentions to actors is the caller's.

/// Most hashtags taken from one post.
pub const MAX_HASHTAGS: usize = 20;
/// Most mentions taken from one post.
pub const MAX_MENTIONS: usize = 10;
/// Longest hashtag, in characters.
const MAX_HASHTAG_CHARS: usize = 100;
/// Longest `user@host`, in characters.
const MAX_HANDLE_CHARS: usize = 300;

/// May the character before a `#` or `@` start a tag?
fn starts_after(previous: Option<char>) -> bool {
    previous.is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\''))
}

fn is_hashtag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The hashtags of `text`, without `#`, in order of first use, each once (compared
/// case-insensitively, the first spelling kept). A tag needs one letter (`#1` is a
/// number, not a tag).
pub fn hashtags(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && found.len() < MAX_HASHTAGS {
        let previous = i.checked_sub(1).map(|p| chars[p]);
        if chars[i] == '#' && starts_after(previous) {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| is_hashtag_char(**c))
                .collect();
            let len = name.chars().count();
            let followed_by_word = chars
                .get(i + 1 + len)
                .is_some_and(|c| *c == '#' || *c == '@');
            if len > 0
                && len <= MAX_HASHTAG_CHARS
                && !followed_by_word
                && name.chars().any(char::is_alphabetic)
                && !found
                    .iter()
                    .any(|f| f.to_lowercase() == name.to_lowercase())
            {
                found.push(name);
            }
            i += 1 + len;
            continue;
        }
        i += 1;
    }
    found
}

/// The `user@host` mentions of `text` (host with an optional port), in order of first
/// use, each once (compared case-insensitively). A bare `@user` names no server, so it is
/// not a mention here: coopnet has no local accounts to mention.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && found.len() < MAX_MENTIONS {
        let previous = i.checked_sub(1).map(|p| chars[p]);
        if chars[i] != '@' || !starts_after(previous) {
            i += 1;
            continue;
        }
        let rest = &chars[i + 1..];
        let user: String = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            .collect();
        let after_user = user.len();
        let mut end = after_user;
        let mut handle = None;
        if !user.is_empty() && rest.get(after_user) == Some(&'@') {
            let host: String = rest[after_user + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
                .collect();
            end = after_user + 1 + host.len();
            // A sentence's full stop or colon is not part of the host.
            let host = host.trim_end_matches(['.', ':', '-']);
            let user = user.trim_end_matches('.');
            if valid_host(host) && !user.is_empty() {
                handle = Some(format!("{user}@{host}"));
            }
        }
        if let Some(handle) = handle.filter(|h| h.len() <= MAX_HANDLE_CHARS)
            && !found.iter().any(|f| f.eq_ignore_ascii_case(&handle))
        {
            found.push(handle);
        }
        i += 1 + end.max(1);
    }
    found
}

/// `name.tld` or `name:port` (a dot, or a port, so `@a@b` in prose is not a mention),
/// labels of letters, digits and hyphens.
fn valid_host(host: &str) -> bool {
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let labels_ok = !name.is_empty()
        && name
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.len() <= 63);
    port_ok && labels_ok && (name.contains('.') || port.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_found_where_mastodon_finds_them() {
        assert_eq!(
            hashtags(
                "Hello #Coops and #coops, #platform_coop! #2027 see https://x.example/#frag a#b (#FOSS)"
            ),
            vec!["Coops", "platform_coop", "FOSS"]
        );
        assert_eq!(
            hashtags("#Genossenschaft #coöperatie"),
            vec!["Genossenschaft", "coöperatie"]
        );
        assert!(hashtags("no tags, C# or # alone").is_empty());
        let many: String = (0..50).map(|i| format!("#t{i} ")).collect();
        assert_eq!(hashtags(&many).len(), MAX_HASHTAGS);
    }

    #[test]
    fn mentions_need_a_host() {
        assert_eq!(
            mentions(
                "Thanks @alice@social.example and @Bob@localhost:8081. Also @alice@SOCIAL.example, mail me@x.example, @carol alone"
            ),
            vec!["alice@social.example", "Bob@localhost:8081"]
        );
        assert!(mentions("@a@b is prose; email a@b.example").is_empty());
        assert_eq!(mentions("(@x@h.example)"), vec!["x@h.example"]);
    }
}
