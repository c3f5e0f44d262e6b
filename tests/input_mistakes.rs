//! The mistakes a clerk on a Chinese keyboard makes, each found at its own line and column
//! with a 全角/半角 hint; whole counts printed whole; text values trimmed and compared as
//! one; and the exported JSON Schema agreeing with huibao's field checks. Every test edits
//! one data file of a copy of the bundled site.

mod common;

use common::*;
use serde_json::Value as Json;
use std::fs;
use std::path::Path;

/// A copy of the bundled site with one edit.
fn edited(file: &str, find: &str, replace: &str) -> tempfile::TempDir {
    let site = copy_site(&repo());
    edit(site.path(), file, find, replace);
    site
}

/// `huibao --lang LANG check` on the site: (exit code, everything it said).
fn check(site: &Path, lang: &str) -> (Option<i32>, String) {
    let output = huibao(site, &["--lang", lang, "check"]);
    (output.status.code(), text(&output))
}

/// The hengxi village file, whose line 8 is `  people: 468     # 人`.
const HENGXI: &str = "data/villages/hengxi.yaml";
const PEOPLE: &str = "  people: 468 ";

/// (what, replacement of PEOPLE or of a whole line, expected `[code] file:line:col`,
/// a word the Chinese hint has, a phrase the English message or hint has).
struct Slip {
    what: &'static str,
    find: &'static str,
    replace: &'static str,
    at: &'static str,
    zh: &'static str,
    en: &'static str,
}

fn slips() -> Vec<Slip> {
    vec![
        Slip {
            what: "a list's bracket left open (the parser stops a line later)",
            find: "status: 十三五贫困村",
            replace: "status: [十三五贫困村",
            at: "[yaml-syntax] data/villages/hengxi.yaml:4:9",
            zh: "这个「[」没有配对的「]」",
            en: "this `[` is never closed with `]`",
        },
        Slip {
            what: "full-width colon after a key",
            find: PEOPLE,
            replace: "  people：468 ",
            at: "[yaml-fullwidth] data/villages/hengxi.yaml:8:9",
            zh: "全角冒号「：」，请切换到半角输入，写成「: 」",
            en: "full-width colon",
        },
        Slip {
            what: "a tab after the colon (an excerpt shows it as a space)",
            find: PEOPLE,
            replace: "  people:\t468 ",
            at: "[yaml-tab] data/villages/hengxi.yaml:8:10",
            zh: "把冒号后的 Tab 换成一个半角空格，写成「people: 值」",
            en: "is followed by a tab",
        },
        Slip {
            what: "full-width colon after a top-level key with a text value",
            find: "name: 横溪村",
            replace: "name：横溪村",
            at: "[yaml-fullwidth] data/villages/hengxi.yaml:2:5",
            zh: "全角冒号",
            en: "full-width colon",
        },
        Slip {
            what: "full-width digits",
            find: PEOPLE,
            replace: "  people: ４６８ ",
            at: "[type] data/villages/hengxi.yaml:8:11",
            zh: "全角数字「４」，请切换到半角输入，写成 468",
            en: "full-width digit",
        },
        Slip {
            what: "a full-width digit after half-width ones",
            find: PEOPLE,
            replace: "  people: 46８ ",
            at: "[type] data/villages/hengxi.yaml:8:13",
            zh: "全角数字「８」，请切换到半角输入，写成 468",
            en: "full-width digit",
        },
        Slip {
            what: "full-width comma in a number",
            find: PEOPLE,
            replace: "  people: 1，841 ",
            at: "[type] data/villages/hengxi.yaml:8:12",
            zh: "全角逗号「，」（千位分隔符）：数字不用分隔符，请切换到半角输入，写成 1841",
            en: "full-width comma",
        },
        Slip {
            what: "full-width space in the indentation",
            find: PEOPLE,
            replace: "\u{3000}people: 468 ",
            at: "[yaml-fullwidth] data/villages/hengxi.yaml:8:1",
            zh: "全角空格，请切换到半角输入",
            en: "full-width space",
        },
        Slip {
            what: "full-width space after the colon",
            find: PEOPLE,
            replace: "  people:\u{3000}468 ",
            at: "[yaml-fullwidth] data/villages/hengxi.yaml:8:10",
            zh: "全角空格，请切换到半角输入",
            en: "full-width space",
        },
        Slip {
            what: "full-width space inside a number",
            find: PEOPLE,
            replace: "  people: 4\u{3000}68 ",
            at: "[type] data/villages/hengxi.yaml:8:12",
            zh: "全角空格「\u{3000}」，请切换到半角输入，写成 468",
            en: "full-width space",
        },
        Slip {
            what: "Chinese quotes around a number",
            find: PEOPLE,
            replace: "  people: “468” ",
            at: "[type] data/villages/hengxi.yaml:8:11",
            zh: "全角引号「“」：数字不加引号，请切换到半角输入，写成 468",
            en: "full-width quotation mark",
        },
        Slip {
            what: "corner brackets around a number",
            find: PEOPLE,
            replace: "  people: 「468」 ",
            at: "[type] data/villages/hengxi.yaml:8:11",
            zh: "全角引号「「」",
            en: "full-width quotation mark",
        },
        Slip {
            what: "full-width comma between the items of a flow mapping",
            find: "registered:\n  households: 132     # 户\n  people: 468     # 人\n",
            replace: "registered: {households: 132， people: 468}\n",
            at: "[yaml-fullwidth] data/villages/hengxi.yaml:6:29",
            zh: "全角逗号，请切换到半角输入，写成「, 」",
            en: "full-width comma",
        },
        Slip {
            what: "full-width colon after a key in a flow mapping",
            find: "registered:\n  households: 132     # 户\n  people: 468     # 人\n",
            replace: "registered: {households：132, people: 468}\n",
            at: "[yaml-fullwidth] data/villages/hengxi.yaml:6:24",
            zh: "键「households」后面是全角冒号「：」",
            en: "full-width colon",
        },
        Slip {
            what: "no space after the colon (a parse error)",
            find: PEOPLE,
            replace: "  people:468 ",
            at: "[yaml-colon-space] data/villages/hengxi.yaml:8:9",
            zh: "在半角冒号后加一个半角空格",
            en: "put a space after the colon",
        },
        Slip {
            what: "no space after the colon (parsed silently as one text)",
            find: "  households: 132     # 户\n  people: 468     # 人\n",
            replace: "  households:132\n  people:468\n",
            at: "[yaml-colon-space] data/villages/hengxi.yaml:7:13",
            zh: "在半角冒号后加一个半角空格",
            en: "put a space after the colon",
        },
        Slip {
            what: "a full stop typed after a number",
            find: PEOPLE,
            replace: "  people: 468。 ",
            at: "[type] data/villages/hengxi.yaml:8:14",
            zh: "去掉数字后面的句号「。」，写成 468",
            en: "remove the full stop `。` after the number: write 468",
        },
    ]
}

/// (what, file, find, replace, expected `[code] file:line:col`, the Chinese hint, the
/// English one): numbers written in words, each refused with the number meant named.
const WORDS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "a year in Chinese numerals",
        HENGXI,
        "exit_year: 2018",
        "exit_year: 二〇一八年",
        "[type] data/villages/hengxi.yaml:5:12",
        "用阿拉伯数字写：「二〇一八年」写成 2018",
        "write it in digits: `二〇一八年` as 2018",
    ),
    (
        "a count in Chinese numerals with units of ten",
        HENGXI,
        PEOPLE,
        "  people: 四百六十八 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "「四百六十八」写成 468",
        "`四百六十八` as 468",
    ),
    (
        "a count in 万",
        HENGXI,
        PEOPLE,
        "  people: 0.0468万人 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "「0.0468万人」即 468人：写成 468",
        "`0.0468万人` is 468人: write 468",
    ),
    (
        "an amount in 万 where the field is in 万元",
        "data/policies/health.yaml",
        "basic_wan: 580.25",
        "basic_wan: 580.25万",
        "[type] data/policies/health.yaml:7:14",
        "「580.25万」即 580.25万元：写成 580.25",
        "`580.25万` is 580.25万元: write 580.25",
    ),
    (
        "an amount with a currency sign and 万",
        "data/policies/industry.yaml",
        "special_funds_wan: 342",
        "special_funds_wan: ￥342万",
        "[type] data/policies/industry.yaml:3:20",
        "只写数字（可带单位，不加货币符号、括号和「整」字）：写成 342（或 342万元）",
        "write the number alone (a unit may follow; no currency sign, brackets or 整): write 342 (or 342万元)",
    ),
    (
        "an amount as a cheque writes it",
        "data/policies/industry.yaml",
        "special_funds_wan: 342",
        "special_funds_wan: 342万元整",
        "[type] data/policies/industry.yaml:3:20",
        "写成 342（或 342万元）",
        "write 342 (or 342万元)",
    ),
    (
        "an amount with its unit in full-width brackets",
        "data/policies/industry.yaml",
        "special_funds_wan: 342",
        "special_funds_wan: 342（万元）",
        "[type] data/policies/industry.yaml:3:23",
        "请切换到半角输入，写成 342（「342（万元）」→ 342）",
        "switch to half-width input and write 342\n",
    ),
    (
        "an amount with its unit in brackets",
        "data/policies/industry.yaml",
        "special_funds_wan: 342",
        "special_funds_wan: 342(万元)",
        "[unit] data/policies/industry.yaml:3:20",
        "只写数字（可带单位，不加括号）：写成 342（或 342万元）",
        "write the number alone (a unit may follow, without brackets): write 342 (or 342万元)",
    ),
    (
        "a unit with a zero-width space after it (copied from a chat): named, not quoted",
        HENGXI,
        PEOPLE,
        "  people: 468人\u{200b} ",
        "[unit] data/villages/hengxi.yaml:8:11",
        "的单位「人」里有看不见的字符 U+200B（零宽空格）",
        "has an invisible character U+200B (zero-width space)",
    ),
    (
        "a count with a thousands separator",
        HENGXI,
        PEOPLE,
        "  people: 1,468 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "去掉千位分隔符（逗号）：写成 1468",
        "remove the thousands separators (commas): write 1468",
    ),
    (
        "a count with a comma where no thousands separator goes",
        HENGXI,
        PEOPLE,
        "  people: 46,8 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "「46,8」里的逗号不是千位分隔符（千位分隔符后面是三位数字）：核对原始数字，去掉逗号是 468\n",
        "the comma in `46,8` is no thousands separator (three digits follow one): check the source; without the comma it is 468\n",
    ),
    (
        "an amount with a decimal comma typed on a Chinese keyboard",
        "data/policies/health.yaml",
        "basic_wan: 580.25",
        "basic_wan: 580，25",
        "[type] data/policies/health.yaml:7:17",
        "是小数就写成 580.25（小数点用「.」），是整数就写成 58025",
        "a decimal is written 580.25 (with a `.`), a whole number 58025",
    ),
    (
        "a count with a comma after it",
        HENGXI,
        PEOPLE,
        "  people: 468, ",
        "[type] data/villages/hengxi.yaml:8:11",
        "去掉数字后面的逗号：写成 468",
        "remove the comma after the number: write 468",
    ),
    (
        "an approximate count",
        HENGXI,
        PEOPLE,
        "  people: 约468人 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "去掉「约」，写成 468人",
        "remove `约` and write 468人",
    ),
    (
        "an approximate amount in 万",
        "data/policies/health.yaml",
        "basic_wan: 580.25",
        "basic_wan: 约580万",
        "[type] data/policies/health.yaml:7:14",
        "去掉「约」，写成 580\n",
        "remove `约` and write 580\n",
    ),
    (
        "a count with 余",
        HENGXI,
        PEOPLE,
        "  people: 468余 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "去掉「余」，写成 468",
        "remove `余` and write 468",
    ),
    (
        "a comment typed without its space",
        HENGXI,
        PEOPLE,
        "  people: 468#人 ",
        "[type] data/villages/hengxi.yaml:8:14",
        "「#」前没有空格，不算注释",
        "a comment's `#` follows a space: write 468  # 人",
    ),
    (
        "a key indented a space too deep",
        HENGXI,
        PEOPLE,
        "   people: 468 ",
        "[yaml-syntax] data/villages/hengxi.yaml:8:4",
        "「people」比上一行的「households」多缩进了 1 格",
        "keys of one level line up (indented 2, as households is)",
    ),
    (
        "a list's item indented a space too deep",
        "data/township.yaml",
        "  - year: 2015",
        "   - year: 2015",
        "[yaml-syntax] data/township.yaml:22:4",
        "这一项的「-」比上一项多缩进了 1 格，不会被读成列表的新一项",
        "write `  - year: 2015`",
    ),
    (
        "a key written without its colon",
        HENGXI,
        PEOPLE,
        "  people 468 ",
        "[yaml-syntax] data/villages/hengxi.yaml:8:9",
        "「people」后面缺少半角冒号「:」",
        "write `: ` (a colon and a space) between the key and its value: people: 468",
    ),
    (
        "a record's key written without its colon (the parser stops a line later)",
        HENGXI,
        "registered:",
        "registered",
        "[yaml-syntax] data/villages/hengxi.yaml:6:11",
        "在「registered」后面写半角冒号：registered:（下面缩进的各行是它的内容）",
        "write a colon after `registered`",
    ),
    (
        "a word for none",
        HENGXI,
        PEOPLE,
        "  people: 无 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "是 0 就写 0",
        "write 0 if it is zero",
    ),
    (
        "a percentage as a spreadsheet holds it",
        "data/policies/health.yaml",
        "reimbursement_rate_percent: 92.13",
        "reimbursement_rate_percent: 0.9213",
        "[decimals] data/policies/health.yaml:11:31",
        "这一项是百分数：0.9213 即 92.13%，写成 92.13",
        "this field is a percentage: 0.9213 is 92.13%, write 92.13",
    ),
    (
        "a correction's date written the Chinese way",
        "data/corrections.yaml",
        "date: 2020-12-01",
        "date: 2020年11月3日",
        "[correction] data/corrections.yaml:7:11",
        "写成 2020-11-03",
        "write 2020-11-03",
    ),
    (
        "a number quoted",
        HENGXI,
        PEOPLE,
        "  people: '468' ",
        "[type] data/villages/hengxi.yaml:8:12",
        "写一个数字，不加引号",
        "without quotes",
    ),
    (
        "a word where a count belongs",
        HENGXI,
        PEOPLE,
        "  people: 横溪 ",
        "[type] data/villages/hengxi.yaml:8:11",
        "只写阿拉伯数字（后面可带单位「人」）",
        "write the number in digits (its unit `人` may follow)",
    ),
    (
        "a year written with 年",
        HENGXI,
        "exit_year: 2018",
        "exit_year: 2018年",
        "[unit] data/villages/hengxi.yaml:5:12",
        "「退出贫困村年度」（exit_year）没有单位，这里写了「年」",
        "remove `年` and write the bare number 2018",
    ),
    (
        "a year written with two digits",
        HENGXI,
        "exit_year: 2018",
        "exit_year: 18",
        "[range] data/villages/hengxi.yaml:5:12",
        "年份写四位数：18 写成 2018",
        "write the year with four digits: 18 as 2018",
    ),
    (
        "a number in scientific notation, as Excel shows it in a narrow column",
        HENGXI,
        PEOPLE,
        "  people: 4.68E+02 ",
        "[number-scientific] data/villages/hengxi.yaml:8:11",
        "写成 468；若是从 Excel 复制的",
        "in scientific notation",
    ),
    (
        "a number in hexadecimal, which YAML reads as another",
        HENGXI,
        PEOPLE,
        "  people: 0x1D4 ",
        "[yaml-number] data/villages/hengxi.yaml:8:11",
        "写十进制的数；若它是文字（如编号），加引号",
        "which YAML reads as 468",
    ),
    (
        "a number in scientific notation typed as text with a unit",
        HENGXI,
        PEOPLE,
        "  people: '4.68E+02人' ",
        "[number-scientific] data/villages/hengxi.yaml:8:12",
        "写成 468；",
        "write the number out: 468 if that is the figure",
    ),
    (
        "a full-width space after a choice's text (invisible in the message)",
        HENGXI,
        "status: 十三五贫困村",
        "status: 十三五贫困村\u{3000}",
        "[enum] data/villages/hengxi.yaml:4:9",
        "值的前后多了全角空格「　」：删去它，写成 十三五贫困村",
        "has a full-width space (U+3000) beside it",
    ),
    (
        "a choice written in brief, as clerks say it",
        HENGXI,
        "status: 十三五贫困村",
        "status: 十三五",
        "[enum] data/villages/hengxi.yaml:4:9",
        "是不是「十三五贫困村」？",
        "did you mean `十三五贫困村`?",
    ),
    (
        "a full-width space after a key (invisible in the message)",
        HENGXI,
        "status: 十三五贫困村",
        "status\u{3000}: 十三五贫困村",
        "[unknown-field] data/villages/hengxi.yaml:4:1",
        "键「status」的前后多了全角空格「　」：删去它，写成 status:",
        "remove it and write status:",
    ),
    (
        "a unit on a field without one",
        HENGXI,
        "exit_year: 2018",
        "exit_year: 2018米",
        "[unit] data/villages/hengxi.yaml:5:12",
        "去掉「米」，只写数字 2018",
        "has no unit; found `米`",
    ),
];

#[test]
fn numbers_written_in_words_are_refused_with_the_number_meant() {
    let site = copy_site(&repo());
    for &(what, file, find, replace, at, zh_hint, en_hint) in WORDS {
        let original = fs::read_to_string(site.path().join(file)).unwrap();
        edit(site.path(), file, find, replace);
        for (lang, hint) in [("zh", zh_hint), ("en", en_hint)] {
            let (code, said) = check(site.path(), lang);
            assert_eq!(code, Some(1), "{what} ({lang}): exit code\n{said}");
            assert!(said.contains(at), "{what} ({lang}): expected {at}\n{said}");
            assert!(
                said.contains(hint),
                "{what} ({lang}): expected «{hint}»\n{said}"
            );
        }
        fs::write(site.path().join(file), &original).unwrap();
    }
}

#[test]
fn chinese_keyboard_slips_are_found_where_they_are_with_a_full_width_hint() {
    let site = copy_site(&repo());
    let original = fs::read_to_string(site.path().join(HENGXI)).unwrap();
    for slip in slips() {
        edit(site.path(), HENGXI, slip.find, slip.replace);
        let (code, zh) = check(site.path(), "zh");
        assert_eq!(code, Some(1), "{}: exit code\n{zh}", slip.what);
        assert!(
            zh.contains(slip.at),
            "{}: expected {}\n{zh}",
            slip.what,
            slip.at
        );
        assert!(
            zh.contains(slip.zh),
            "{}: expected «{}»\n{zh}",
            slip.what,
            slip.zh
        );
        assert!(
            zh.contains("全角") || zh.contains("半角"),
            "{}: no 全角/半角\n{zh}",
            slip.what
        );
        // The parser's English stays out of the Chinese output.
        assert!(!zh.contains("simple key"), "{}: {zh}", slip.what);
        let (code, en) = check(site.path(), "en");
        assert_eq!(code, Some(1), "{}: exit code (en)\n{en}", slip.what);
        assert!(
            en.contains(slip.at),
            "{}: expected {} (en)\n{en}",
            slip.what,
            slip.at
        );
        assert!(
            en.contains(slip.en),
            "{}: expected «{}»\n{en}",
            slip.what,
            slip.en
        );
        fs::write(site.path().join(HENGXI), &original).unwrap();
    }
}

#[test]
fn every_slip_in_a_file_is_reported_at_once() {
    let site = edited(HENGXI, PEOPLE, "  people：468 ");
    edit(site.path(), HENGXI, "  households: 4 ", "  households：4 ");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("[yaml-fullwidth] data/villages/hengxi.yaml:8:9"),
        "{zh}"
    );
    assert!(
        zh.contains("[yaml-fullwidth] data/villages/hengxi.yaml:10:13"),
        "{zh}"
    );
}

#[test]
fn prose_with_a_full_width_colon_is_not_a_slip() {
    let site = edited(
        HENGXI,
        "summary: 中航工业",
        "summary: 说明：见[附件]，中航工业",
    );
    edit(
        site.path(),
        HENGXI,
        "# 村委会数据。",
        "# people：468 村委会数据。",
    );
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(0), "{zh}");
    assert!(!zh.contains("全角冒号"), "{zh}");
}

#[test]
fn parser_errors_are_in_chinese_and_keep_english_for_en() {
    let site = edited(HENGXI, "name: 横溪村", "name: \"横溪村");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("[yaml-syntax] data/villages/hengxi.yaml:"),
        "{zh}"
    );
    assert!(zh.contains("YAML 语法错误：引号没有闭合"), "{zh}");
    assert!(!zh.contains("invalid indentation"), "{zh}");
    let (_, en) = check(site.path(), "en");
    assert!(en.contains("invalid indentation in quoted scalar"), "{en}");
}

#[test]
fn full_width_quotes_around_a_text_are_kept_with_a_warning() {
    for (value, col) in [("「横溪村」", 7), ("“横溪村”", 7)] {
        let site = edited(HENGXI, "name: 横溪村", &format!("name: {value}"));
        let (code, zh) = check(site.path(), "zh");
        assert_eq!(code, Some(0), "{value}: a warning, not an error\n{zh}");
        assert!(
            zh.contains(&format!(
                "警告[text-quotes] data/villages/hengxi.yaml:2:{col}"
            )),
            "{value}\n{zh}"
        );
        assert!(zh.contains("半角"), "{zh}");
        let (_, en) = check(site.path(), "en");
        assert!(en.contains("full-width quotes"), "{en}");
    }
    // Quotes that belong to the text (“十二五”贫困村) are not pointed out.
    let (_, zh) = check(&repo(), "zh");
    assert!(!zh.contains("text-quotes"), "{zh}");
}

#[test]
fn a_whole_count_written_with_a_decimal_point_is_printed_whole() {
    let site = edited(HENGXI, PEOPLE, "  people: 468.0 ");
    edit(site.path(), HENGXI, "exit_year: 2018", "exit_year: 2018.00");
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let page = fs::read_to_string(out.path().join("villages/hengxi.html")).unwrap();
    assert!(page.contains("468人"), "{page}");
    for (path, bytes) in tree(out.path()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("468.0"), "{} prints 468.0", path.display());
        assert!(!text.contains("2018.0"), "{} prints 2018.0", path.display());
    }
}

/// A percentage typed as a spreadsheet holds it (0.0023 for 0.23%) in a field that gives no
/// `dp` is a warning at the value, with the percentage meant; one with `dp` enough, or with
/// two decimals, is taken as written.
#[test]
fn a_percentage_written_as_a_fraction_is_warned_about() {
    let schema = "data/schema.yaml";
    let declared =
        "poverty_incidence_percent: {type: percent, label: 贫困发生率, unit: \"%\", dp: 2}";
    let site = edited(
        schema,
        declared,
        "poverty_incidence_percent: {type: percent, label: 贫困发生率, unit: \"%\"}",
    );
    let township = "data/township.yaml";
    edit(
        site.path(),
        township,
        "poverty_incidence_percent: 0.23",
        "poverty_incidence_percent: 0.0023",
    );
    let (_, zh) = check(site.path(), "zh");
    assert!(
        zh.contains("警告[percent-fraction] data/township.yaml:49:28: 「贫困发生率」（poverty_incidence_percent）是百分数，这里是 0.0023：看起来是把 0.23% 写成了小数"),
        "{zh}"
    );
    assert!(
        zh.contains("提示：写成 0.23；若确是 0.0023%，在 data/schema.yaml 里给这个字段写 dp: 4"),
        "{zh}"
    );
    let (_, en) = check(site.path(), "en");
    assert!(
        en.contains("warning[percent-fraction] data/township.yaml:49:28: `poverty_incidence_percent` (贫困发生率) is a percentage, found 0.0023: it looks like 0.23% written as a fraction"),
        "{en}"
    );
    // Declared with four decimals, it is taken as written (the rule then says it is wrong).
    edit(
        site.path(),
        schema,
        "poverty_incidence_percent: {type: percent, label: 贫困发生率, unit: \"%\"}",
        "poverty_incidence_percent: {type: percent, label: 贫困发生率, unit: \"%\", dp: 4}",
    );
    let (_, zh) = check(site.path(), "zh");
    assert!(!zh.contains("percent-fraction"), "{zh}");
    // A percentage of two decimals below 1 (0.23%) is no fraction.
    edit(
        site.path(),
        township,
        "poverty_incidence_percent: 0.0023",
        "poverty_incidence_percent: 0.23",
    );
    edit(
        site.path(),
        schema,
        "poverty_incidence_percent: {type: percent, label: 贫困发生率, unit: \"%\", dp: 4}",
        "poverty_incidence_percent: {type: percent, label: 贫困发生率, unit: \"%\"}",
    );
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// A record's field written at the line's start under it (`people: 468` below
/// `registered:`' `households`) is one mistake: told to line it up, not also the record's
/// missing field.
#[test]
fn a_record_s_field_written_without_its_indentation_is_one_mistake() {
    let site = edited(HENGXI, PEOPLE, "people: 468 ");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("错误[unknown-field] data/villages/hengxi.yaml:8:1: 「people」少了缩进：它是「registered」里的字段「人数」（registered.people），写在了「registered」的外面"),
        "{zh}"
    );
    assert!(
        zh.contains("提示：缩进 2 格，和「households」对齐：写成「  people: 468」"),
        "{zh}"
    );
    assert!(!zh.contains("[required]"), "{zh}");
    let (_, en) = check(site.path(), "en");
    assert!(
        en.contains("`people` lacks its indentation: it is the field `registered.people` (人数) inside `registered`"),
        "{en}"
    );
}

#[test]
fn a_fractional_count_is_refused_where_it_is() {
    let site = edited(HENGXI, PEOPLE, "  people: 468.5 ");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains(
            "错误[type] data/villages/hengxi.yaml:8:11: 「人数」（registered.people）应是整数"
        ),
        "{zh}"
    );
}

#[test]
fn spaces_around_a_name_are_trimmed_with_a_warning_and_the_name_compared_trimmed() {
    // hujia.yaml is 胡家村: with the space trimmed, the two names are one.
    let site = edited(HENGXI, "name: 横溪村", "name: \"胡家村 \"");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("警告[text-trimmed] data/villages/hengxi.yaml:2:11"),
        "{zh}"
    );
    assert!(
        zh.contains("错误[unique] data/villages/hujia.yaml:2:7: 「村名」（name）的值「胡家村」与 data/villages/hengxi.yaml 重复"),
        "{zh}"
    );
    let (_, en) = check(site.path(), "en");
    assert!(en.contains("spaces around the value were removed"), "{en}");

    // A full-width space, leading: trimmed with a warning, and the page has the trimmed name.
    let site = edited(HENGXI, "name: 横溪村", "name: \u{3000}横溪村");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(0), "{zh}");
    assert!(
        zh.contains("警告[text-trimmed] data/villages/hengxi.yaml:2:7"),
        "{zh}"
    );
    assert!(zh.contains("全角空格"), "{zh}");
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let page = fs::read_to_string(out.path().join("villages/hengxi.html")).unwrap();
    assert!(!page.contains('\u{3000}'), "{page}");
}

/// An enum's values written as one text (`values: a, b, c`, as a clerk lists them) are told
/// to be a list, at the text, with the list to write.
#[test]
fn an_enum_s_values_written_as_one_text_are_told_to_be_a_list() {
    let site = copy_site(&repo());
    let list = "values: [十二五贫困村, 十三五贫困村, 非贫困村]";
    let schema = fs::read_to_string(site.path().join("data/schema.yaml")).unwrap();
    let line = schema[..schema.find(list).unwrap()].matches('\n').count() + 1;
    edit(
        site.path(),
        "data/schema.yaml",
        list,
        "values: 十二五贫困村，十三五贫困村、非贫困村",
    );
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains(&format!("错误[schema] data/schema.yaml:{line}:17: values 要写成列表，用方括号括起来；这里是一段文字"))
            && zh.contains("提示：写成 values: [十二五贫困村, 十三五贫困村, 非贫困村]"),
        "{zh}"
    );
    let (_, en) = check(site.path(), "en");
    assert!(en.contains("values is a list in square brackets"), "{en}");
}

/// A village's file copied to make a new one and not yet changed is said to be a copy:
/// the sums across the villages fail too until it is.
#[test]
fn a_file_copied_and_not_yet_changed_is_said_to_be_a_copy() {
    let site = copy_site(&repo());
    let villages = site.path().join("data/villages");
    fs::copy(villages.join("hengxi.yaml"), villages.join("xincun.yaml")).unwrap();
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("提示：data/villages/xincun.yaml 与 data/villages/hengxi.yaml 的内容完全一样：若是复制来新建的，把它的「村名」（name）和各项数字改成它自己的"),
        "{zh}"
    );
    let (_, en) = check(site.path(), "en");
    assert!(
        en.contains("is the same as data/villages/hengxi.yaml in every value"),
        "{en}"
    );
    // Changed but for its name: told to make the name its own.
    edit(
        site.path(),
        "data/villages/xincun.yaml",
        "people: 468",
        "people: 467",
    );
    let (_, zh) = check(site.path(), "zh");
    assert!(
        zh.contains("提示：每个文件的「村名」（name）要各不相同：改正其中一个"),
        "{zh}"
    );
}

#[test]
fn a_blank_required_text_is_missing() {
    let site = edited(HENGXI, "name: 横溪村", "name: \"  \"");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("错误[required] data/villages/hengxi.yaml:2:8"),
        "{zh}"
    );
}

#[test]
fn unique_names_are_compared_after_nfc_normalisation() {
    // U+F9F4 is a compatibility form of 林: NFC makes it 林, so this is fenglin's 枫林村.
    let site = edited(HENGXI, "name: 横溪村", "name: 枫\u{F9F4}村");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("错误[unique] data/villages/hengxi.yaml:2:7"),
        "{zh}"
    );
}

#[test]
fn unique_items_of_a_list_are_compared_trimmed() {
    let site = edited(
        "data/township.yaml",
        "  - cause: 因残",
        "  - cause: \"因病\u{3000}\"",
    );
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("警告[text-trimmed] data/township.yaml:58:15"),
        "{zh}"
    );
    assert!(zh.contains("错误[unique] data/township.yaml:58:13"), "{zh}");
}

#[test]
fn invisible_characters_are_pointed_at() {
    for (value, col, what) in [
        ("\"横溪\\u200B村\"", 10, "U+200B"),
        ("\"横溪村\\uFEFF\"", 11, "U+FEFF"),
        ("\"横\\u0007溪村\"", 9, "U+0007"),
    ] {
        let site = edited(HENGXI, "name: 横溪村", &format!("name: {value}"));
        let (code, zh) = check(site.path(), "zh");
        assert_eq!(code, Some(0), "{value}: a warning\n{zh}");
        assert!(
            zh.contains(&format!(
                "警告[text-invisible] data/villages/hengxi.yaml:2:{col}"
            )),
            "{value}\n{zh}"
        );
        assert!(zh.contains(what), "{zh}");
    }
    // In any text, not only names.
    let site = edited(HENGXI, "summary: 中航", "summary: 中\u{200D}航");
    let (_, zh) = check(site.path(), "zh");
    assert!(
        zh.contains("警告[text-invisible] data/villages/hengxi.yaml:14:11"),
        "{zh}"
    );
}

#[test]
fn emoji_in_a_name_are_pointed_at_but_not_in_prose() {
    let site = edited(HENGXI, "name: 横溪村", "name: 横溪村🌾");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(0), "{zh}");
    assert!(
        zh.contains("警告[text-emoji] data/villages/hengxi.yaml:2:10"),
        "{zh}"
    );
    let site = edited(HENGXI, "summary: 中航", "summary: 🌾中航");
    let (_, zh) = check(site.path(), "zh");
    assert!(!zh.contains("text-emoji"), "{zh}");
}

/// JSON for a YAML value read by huibao: numbers as JSON numbers (from their exact text).
fn to_json(node: &huibao::load::Node) -> Json {
    use huibao::load::Value;
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.to_string()).unwrap(),
        Value::String(s) => Json::String(s.to_string()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// Whether huibao's field checks accept the site: no error other than the rules'.
fn huibao_accepts(site: &Path) -> (bool, String) {
    let output = huibao(site, &["check", "--format", "json"]);
    let problems: Json =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    let field_errors: Vec<&Json> = problems
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            // Rules and the corrections log compare across files: not field-level verdicts.
            let code = d["code"].as_str().unwrap();
            d["severity"] == "error" && !code.starts_with("rule") && code != "correction"
        })
        .collect();
    (
        field_errors.is_empty(),
        serde_json::to_string_pretty(&field_errors).unwrap(),
    )
}

#[test]
fn the_json_schema_agrees_with_huibao() {
    let schemas = tempfile::tempdir().unwrap();
    let output = huibao(
        &repo(),
        &["schema", "--json-schema", schemas.path().to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let validator = |name: &str| {
        let schema: Json =
            serde_json::from_str(&fs::read_to_string(schemas.path().join(name)).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let villages = validator("villages.schema.json");
    let health = validator("policies_health.schema.json");
    let industry = validator("policies_industry.schema.json");

    const HOUSEHOLDS: &str = "  households: 132     # 户";
    const RATE: &str = "  reimbursement_rate_percent: 92.13";
    const FUNDS: &str = "special_funds_wan: 342 ";
    let industry_file = "data/policies/industry.yaml";
    let health_file = "data/policies/health.yaml";
    // (file, line to replace, its replacement, should huibao accept it)
    let cases: Vec<(&str, &str, String, bool)> = vec![
        // count with unit 户
        (HENGXI, HOUSEHOLDS, "  households: 1841".into(), true),
        (HENGXI, HOUSEHOLDS, "  households: 1841户".into(), true),
        (HENGXI, HOUSEHOLDS, "  households: 1841 户".into(), true),
        (HENGXI, HOUSEHOLDS, "  households: 1841.0".into(), true),
        (HENGXI, HOUSEHOLDS, "  households: 1841.0户".into(), true),
        (HENGXI, HOUSEHOLDS, "  households: 1,841".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: 1841.5".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: 1841.5户".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: -1".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: -1户".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: 1841人".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: ４６８".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: \"468\"".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: 5万".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: .户".into(), false),
        (HENGXI, HOUSEHOLDS, "  households: true".into(), false),
        (HENGXI, HOUSEHOLDS, "  households:".into(), false),
        // percent with unit % and dp 2
        (health_file, RATE, RATE.to_string(), true),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 92.13%".into(),
            true,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 75.1".into(),
            true,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 0.07".into(),
            true,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 100".into(),
            true,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 92.130".into(),
            true,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 0.9213".into(),
            false,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 92.131%".into(),
            false,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 101".into(),
            false,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: -1".into(),
            false,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 92.13％".into(),
            false,
        ),
        (
            health_file,
            RATE,
            "  reimbursement_rate_percent: 92.13元".into(),
            false,
        ),
        // amount in 万元 with dp 6
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342元 ".into(),
            true,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342万元 ".into(),
            true,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 0.0342亿元 ".into(),
            true,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342.12元 ".into(),
            true,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 81.76875 ".into(),
            true,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342人 ".into(),
            false,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342.123元 ".into(),
            false,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342.1234567 ".into(),
            false,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: -342元 ".into(),
            false,
        ),
        (
            industry_file,
            FUNDS,
            "special_funds_wan: 342 元 ".into(),
            true,
        ),
        // text, enum, year, bool
        (HENGXI, "name: 横溪村", "name: \"\"".into(), false),
        (HENGXI, "name: 横溪村", "name: 123".into(), false),
        (
            HENGXI,
            "status: 十三五贫困村",
            "status: 十三五贫困".into(),
            false,
        ),
        (HENGXI, "exit_year: 2018", "exit_year: 2013".into(), false),
        (HENGXI, "exit_year: 2018", "exit_year: 2018.0".into(), true),
        (HENGXI, "exit_year: 2018", "exit_year: 2018年".into(), false),
        (HENGXI, "exit_year: 2018", "exit_year:".into(), true),
        (
            HENGXI,
            "first_secretary: true",
            "first_secretary: 是".into(),
            false,
        ),
        // a missing required field, an unknown field
        (HENGXI, "first_secretary: true\n", String::new(), false),
        (
            HENGXI,
            "first_secretary: true",
            "first_secretary: true\nforeman: 1".into(),
            false,
        ),
    ];
    let site = copy_site(&repo());
    let mut disagreements = Vec::new();
    for (file, find, replace, expected) in &cases {
        let original = fs::read_to_string(site.path().join(file)).unwrap();
        edit(site.path(), file, find, replace);
        let (accepted, errors) = huibao_accepts(site.path());
        let root = huibao::load::load_yaml(site.path(), Path::new(file))
            .unwrap_or_else(|e| panic!("{replace}: {e:?}"));
        let instance = to_json(&root);
        let schema = match *file {
            HENGXI => &villages,
            f if f == health_file => &health,
            _ => &industry,
        };
        let valid = schema.is_valid(&instance);
        assert_eq!(
            accepted, *expected,
            "huibao on `{replace}` in {file}: expected accepted = {expected}\n{errors}"
        );
        if accepted != valid {
            let why: Vec<String> = schema
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            disagreements.push(format!(
                "`{replace}` in {file}: huibao {}, JSON Schema {} {why:?}\n{errors}",
                if accepted { "accepts" } else { "refuses" },
                if valid { "accepts" } else { "refuses" },
            ));
        }
        fs::write(site.path().join(file), original).unwrap();
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn the_corrections_log_has_a_json_schema_that_agrees_with_huibao() {
    let schemas = tempfile::tempdir().unwrap();
    let output = huibao(
        &repo(),
        &["schema", "--json-schema", schemas.path().to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let schema: Json = serde_json::from_str(
        &fs::read_to_string(schemas.path().join("corrections.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let log = fs::read_to_string(repo().join("data/corrections.yaml")).unwrap();
    let as_json = |text: &str| {
        to_json(&huibao::load::yaml::parse(text, Path::new("data/corrections.yaml")).unwrap())
    };
    assert!(validator.is_valid(&as_json(&log)), "the bundled log passes");
    for (bad, why) in [
        ("    reason: ", "    reasn: "),
        ("- date: 2020-12-01", "- date: 2020年12月1日"),
        ("    new: 6336", "    new: [6336]"),
    ] {
        assert!(log.contains(bad), "{bad}");
        let edited = log.replacen(bad, why, 1);
        assert!(!validator.is_valid(&as_json(&edited)), "{why} passes");
        let site = copy_site(&repo());
        fs::write(site.path().join("data/corrections.yaml"), &edited).unwrap();
        let (code, said) = check(site.path(), "zh");
        assert_eq!(code, Some(1), "huibao refuses {why} too: {said}");
    }
}

#[test]
fn a_file_named_as_a_folder_beside_it_is_refused_by_check_and_build() {
    // `villages.yaml` beside the folder `villages/`: both would be `villages` in templates.
    let site = copy_site(&repo());
    fs::write(site.path().join("data/villages.yaml"), "name: 村\n").unwrap();
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("错误[data-name-clash] data/villages.yaml")
            && zh.contains("「villages」既是文件 data/villages.yaml 又是文件夹"),
        "{zh}"
    );
    let (_, en) = check(site.path(), "en");
    assert!(
        en.contains("`villages` is both the file data/villages.yaml and a folder"),
        "{en}"
    );
    let built = build_fails(site.path());
    assert!(
        built.contains("[data-name-clash] data/villages.yaml"),
        "{built}"
    );
    // A file named as a folder's folder too (`policies/health.yaml` beside
    // `policies/health/`), with the folder's files listed in no particular order.
    let site = copy_site(&repo());
    let deep = site.path().join("data/policies/health");
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("clinics.yaml"), "count: 1\n").unwrap();
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains("错误[data-name-clash] data/policies/health.yaml"),
        "{zh}"
    );
}

/// A key written as its field's label (`人数: 468`, the word the clerk reads on the page) is
/// told the field's name to write, and the field it meant is not said to be missing too; a
/// misspelt key likewise, by the closest name.
#[test]
fn a_key_written_as_its_label_is_told_the_field_s_name() {
    let site = edited(HENGXI, PEOPLE, "  人数: 468 ");
    let (code, zh) = check(site.path(), "zh");
    assert_eq!(code, Some(1), "{zh}");
    assert!(
        zh.contains(
            "错误[unknown-field] data/villages/hengxi.yaml:8:3: 未知字段「registered.人数」"
        ) && zh.contains("「人数」是字段 people 的名称；键要写字段名：写成 people: 468"),
        "{zh}"
    );
    assert!(!zh.contains("[required] data/villages/hengxi.yaml"), "{zh}");
    let (_, en) = check(site.path(), "en");
    assert!(
        en.contains(
            "`人数` is the label of the field people; a key is the field's name: write people: 468"
        ),
        "{en}"
    );
    let site = edited(HENGXI, PEOPLE, "  peopel: 468 ");
    let (_, zh) = check(site.path(), "zh");
    assert!(zh.contains("是不是「people」？"), "{zh}");
    assert!(!zh.contains("[required] data/villages/hengxi.yaml"), "{zh}");
    // A key that is no field's: the field is missing as well.
    let site = edited(HENGXI, PEOPLE, "  foo: 468 ");
    let (_, zh) = check(site.path(), "zh");
    assert!(
        zh.contains("[required] data/villages/hengxi.yaml:7:3"),
        "{zh}"
    );
}

/// A yes or no written as a clerk says it (`是`, `否`, `√`) or in quotes (`"true"`) where
/// `true` or `false` belongs is told how to write it.
#[test]
fn a_yes_or_no_in_words_is_told_how_to_write_it() {
    let file = "data/villages/changling.yaml";
    let cases = [
        (
            "是",
            "「是」写成 true（true 是，false 否）",
            "write `是` as true",
        ),
        (
            "否",
            "「否」写成 false（true 是，false 否）",
            "write `否` as false",
        ),
        ("√", "「√」写成 true", "write `√` as true"),
        ("\"true\"", "不加引号：写成 true", "no quotes: write true"),
        (
            "不知道",
            "写 true（是）或 false（否），不加引号",
            "write true (yes) or false (no)",
        ),
    ];
    for (written, zh_hint, en_hint) in cases {
        let site = edited(
            file,
            "first_secretary: false",
            &format!("first_secretary: {written}"),
        );
        let (code, zh) = check(site.path(), "zh");
        assert_eq!(code, Some(1), "{written}: {zh}");
        assert!(
            zh.contains("[type] data/villages/changling.yaml:11:")
                && zh.contains("「驻村第一书记」（first_secretary）应是 true 或 false")
                && zh.contains(zh_hint),
            "{written}: {zh}"
        );
        let (_, en) = check(site.path(), "en");
        assert!(en.contains(en_hint), "{written}: {en}");
    }
}
