//! Did-you-mean: the closest name to a misspelt one.

/// The closest of `candidates` to `name`, if one is close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 4) && *d < c.chars().count())
        .min()
        .map(|(_, c)| c)
}

/// The one of `candidates` that `short` is a shortening of, as clerks write a value in
/// brief (`十三五` for `十三五贫困村`): the only candidate that holds it, when it has two
/// characters or more. `None` when none or several hold it.
pub fn written_in_full<'a>(
    short: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let short = short.trim();
    if short.chars().count() < 2 {
        return None;
    }
    let mut holding = candidates.filter(|c| c.len() > short.len() && c.contains(short));
    let first = holding.next()?;
    holding.next().is_none().then_some(first)
}

fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_written_in_brief_is_found_only_when_one_holds_it() {
        let values = ["十三五贫困村", "非贫困村", "深度贫困村"];
        assert_eq!(
            written_in_full("十三五", values.iter().copied()),
            Some("十三五贫困村")
        );
        // 贫困村 is in all three; one character says too little.
        assert_eq!(written_in_full("贫困村", values.iter().copied()), None);
        assert_eq!(written_in_full("深", values.iter().copied()), None);
        assert_eq!(written_in_full("十四五", values.iter().copied()), None);
    }
}
