//! `huibao new`: a minimal site that builds as it is, for a user to start from.

use std::fs;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::render::theme::DEFAULT_THEME;

/// The files of a new site: (path, contents).
const FILES: &[(&str, &str)] = &[
    (
        "huibao.toml",
        "# 站点设置（见 README）\ntitle = \"示例乡2020年工作情况汇报\"\nlanguage = \"zh-CN\"\n",
    ),
    (
        "data/schema.yaml",
        r#"# 数据的类型、单位和一致性规则（写法：运行 huibao schema 打印说明）
types:
  hp:
    households: {type: count, unit: 户, label: 户数}
    people: {type: count, unit: 人, label: 人数}
files:
  township.yaml:
    label: 乡镇基本情况
    fields:
      name: {type: text, label: 乡镇名称}
      year: {type: year, label: 年度}
      population: {type: count, unit: 人, label: 总人口, min: 1}
      registered: {type: hp, label: 建档立卡}
  villages/*.yaml:
    label: 村委会
    fields:
      name: {type: text, label: 村名, unique: true}
      registered: {type: hp, label: 建档立卡}
rules:
  - id: villages-households
    check: sum(villages.*.registered.households) == township.registered.households
    message: 各村建档立卡户数之和应等于全乡建档立卡户数
    message_en: the villages' registered households must add up to the township's
  - id: villages-people
    check: sum(villages.*.registered.people) == township.registered.people
    message: 各村建档立卡人数之和应等于全乡建档立卡人数
    message_en: the villages' registered people must add up to the township's
  - id: registered-within-population
    check: township.registered.people <= township.population
    message: 建档立卡人数不能多于总人口
    message_en: the registered people cannot outnumber the population
"#,
    ),
    (
        "data/township.yaml",
        "name: 示例乡\nyear: 2020\npopulation: 12000\nregistered:\n  households: 300\n  people: 1000\n",
    ),
    (
        "data/villages/dongcun.yaml",
        "name: 东村\nregistered:\n  households: 120\n  people: 410\n",
    ),
    (
        "data/villages/xicun.yaml",
        "name: 西村\nregistered:\n  households: 180\n  people: 590\n",
    ),
    (
        "content/index.md",
        r#"+++
title = "工作情况汇报"
number_headings = true
+++
## 基本情况

{{ township.name }}共有建档立卡贫困户{{ township.registered.households | fig(unit="户") }}、贫困人口{{ township.registered.people | fig(unit="人") }}，占总人口的{{ rate(num=township.registered.people, den=township.population, dp=2) | fig(unit="%") }}。

各村情况见[村委会概况](villages/index.md)。
"#,
    ),
    (
        "content/villages/index.md",
        r#"+++
title = "村委会概况"
weight = 10
+++
| 村委会 | 户数 | 人数 |
|---|---:|---:|
{% for v in villages_list -%}
| [{{ v.name }}]({{ v.id }}.md) | {{ v.registered.households | fig(unit="户") }} | {{ v.registered.people | fig(unit="人") }} |
{% endfor -%}
| 合计 | {{ villages_list | sum(attribute="registered.households") | fig(unit="户") }} | {{ villages_list | sum(attribute="registered.people") | fig(unit="人") }} |
"#,
    ),
    (
        "content/villages/_village.md",
        r#"+++
title = "村委会"
generate = "villages"
as = "village"
weight = 10
+++
{{ village.name }}有建档立卡贫困户{{ village.registered.households | fig(unit="户") }}、贫困人口{{ village.registered.people | fig(unit="人") }}。
"#,
    ),
];

/// Creates a new site in `dir`, which must not exist or be empty (but for the files Windows
/// or a Mac make in a folder they show, `desktop.ini`, `Thumbs.db`, `.DS_Store`).
pub fn create(dir: &Path) -> Result<(), Diagnostic> {
    if dir.is_file() {
        return Err(Diagnostic::error(
            "new-exists",
            Some(Location::file(dir)),
            Text::new(
                format!(
                    "{} 是一个文件，不是文件夹：不能在里面新建站点",
                    dir.display()
                ),
                format!(
                    "{} is a file, not a folder: no site can be created in it",
                    dir.display()
                ),
            ),
        )
        .with_hint(Text::new(
            "写一个新的文件夹名，如 huibao new 2021汇报",
            "name a new folder, such as huibao new report2021",
        )));
    }
    let has_contents = fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|entry| !crate::write::made_by_system(Path::new(&entry.file_name())))
    });
    if has_contents {
        return Err(Diagnostic::error(
            "new-exists",
            Some(Location::file(dir)),
            Text::new(
                format!(
                    "{} 已经存在且不是空文件夹，不会在里面新建站点",
                    dir.display()
                ),
                format!(
                    "{} exists and is not an empty folder; no site is created in it",
                    dir.display()
                ),
            ),
        )
        .with_hint(Text::new("换一个新的文件夹名", "choose a new folder name")));
    }
    let theme = DEFAULT_THEME
        .iter()
        .map(|(path, text)| (format!("themes/default/{path}"), *text));
    let files = FILES.iter().map(|(p, t)| (p.to_string(), *t)).chain(theme);
    for (path, text) in files {
        let target = dir.join(&path);
        let written = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::write(&target, text));
        if let Err(error) = written {
            return Err(Diagnostic::error(
                "write",
                Some(Location::file(&target)),
                Text::new(
                    format!("写入失败：{}", crate::diagnostics::io_said(&error).zh),
                    format!("cannot write: {error}"),
                ),
            ));
        }
    }
    Ok(())
}
