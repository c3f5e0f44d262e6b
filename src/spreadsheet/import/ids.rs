//! A new record's id (its file name) from its name in pinyin, as the bundled files are
//! named: 横溪村 → `hengxi` (the 村, 村委会, 社区 of a village's name left off).

use pinyin::ToPinyinMulti;

/// What a name's village or community suffix may be, longest first.
const SUFFIXES: [&str; 6] = ["村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"];

/// An id made from a name.
#[derive(Clone, Debug, PartialEq)]
pub struct FromName {
    /// The id (`[a-z_][a-z0-9_]*`), empty when the name has nothing to make one of.
    pub id: String,
    /// The characters read one way of several (长: zhang, chang), with their readings.
    pub ambiguous: Vec<(char, Vec<&'static str>)>,
}

/// The id of a record named `name`: its pinyin without tones (each character's first
/// reading), Latin letters and digits kept in lower case, the rest left out.
pub fn from_name(name: &str) -> FromName {
    let name = name.trim();
    let stem = SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s).filter(|rest| !rest.is_empty()))
        .unwrap_or(name);
    let mut id = String::new();
    let mut ambiguous = Vec::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if let Some(readings) = c.to_pinyin_multi() {
            let mut plain: Vec<&'static str> = Vec::new();
            for reading in readings {
                if !plain.contains(&reading.plain()) {
                    plain.push(reading.plain());
                }
            }
            if let Some(first) = plain.first() {
                id.push_str(first);
            }
            if plain.len() > 1 {
                ambiguous.push((c, plain));
            }
        }
    }
    // `ü` is written `v` in file names, as on a keyboard.
    let mut id = id.replace('ü', "v");
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    FromName { id, ambiguous }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_names_become_the_bundled_file_names() {
        for (name, id) in [
            ("横溪村", "hengxi"),
            ("云湾村", "yunwan"),
            ("枫林村委会", "fenglin"),
            ("新塘社区", "xintang"),
            ("村", "cun"),
            ("女儿村", "nver"),
            ("3组", "_3zu"),
        ] {
            assert_eq!(from_name(name).id, id, "{name}");
        }
        let changling = from_name("长岭村");
        assert_eq!(changling.ambiguous[0].0, '长');
        assert!(changling.ambiguous[0].1.contains(&"chang"));
        assert_eq!(from_name("——").id, "");
    }
}
