//! Comment threading (docs/engine-api.md#comments): top-level comments with their direct replies.
//! A reply to a reply, or a reply to a comment on another issue, belongs to no thread
//! and is left out, as in the original.

/// Groups `items` (oldest first) into threads: each top-level item (no parent) with the
/// items whose parent it is, both in their original order.
pub fn threads<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    parent: impl Fn(&T) -> Option<&str>,
) -> Vec<(T, Vec<T>)> {
    let (roots, replies): (Vec<T>, Vec<T>) =
        items.into_iter().partition(|item| parent(item).is_none());
    let mut threads: Vec<(T, Vec<T>)> = roots.into_iter().map(|root| (root, Vec::new())).collect();
    for reply in replies {
        let parent_id = parent(&reply).unwrap_or_default();
        if let Some(thread) = threads.iter_mut().find(|(root, _)| id(root) == parent_id) {
            thread.1.push(reply);
        }
    }
    threads
}

#[cfg(test)]
mod tests {
    use super::*;

    type Item = (&'static str, Option<&'static str>);

    fn group(items: Vec<Item>) -> Vec<(&'static str, Vec<&'static str>)> {
        threads(items, |i| i.0, |i| i.1)
            .into_iter()
            .map(|(root, replies)| (root.0, replies.into_iter().map(|r| r.0).collect()))
            .collect()
    }

    #[test]
    fn one_level_of_replies_in_order() {
        let items = vec![
            ("a", None),
            ("b", None),
            ("a1", Some("a")),
            ("a1x", Some("a1")),
            ("elsewhere", Some("other-issue-comment")),
            ("a2", Some("a")),
        ];
        assert_eq!(group(items), vec![("a", vec!["a1", "a2"]), ("b", vec![])]);
    }

    #[test]
    fn empty() {
        assert!(group(vec![]).is_empty());
    }
}
