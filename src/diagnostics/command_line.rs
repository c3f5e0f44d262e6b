//! A mistake in the command line (`huibao biuld`, `--sit`, `－－dry-run` typed with a Chinese
//! input method) told in the user's language: clap's own message is English only.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::{Lang, Text};

/// The language asked for on the command line `args` (`--lang en`, `--lang=en`), read before
/// the command line is understood (a mistake in it is told in that language).
pub fn lang_of(args: &[String]) -> Lang {
    let en = args.windows(2).any(|w| w[0] == "--lang" && w[1] == "en")
        || args.iter().any(|a| a == "--lang=en");
    if en { Lang::En } else { Lang::Zh }
}

/// What to tell of clap's `error` for the command line `args` in Chinese, with a hint: the
/// message and the hint. `None` for what is no mistake (`--help`, `--version`), which clap
/// prints itself.
pub fn told(error: &clap::Error, args: &[String]) -> Option<(Text, Text)> {
    let context = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let help = Text::new(
        "运行 huibao --help 查看命令，huibao 命令 --help（如 huibao build --help）查看它的选项",
        "run huibao --help for the commands, huibao COMMAND --help (such as huibao build --help) for its options",
    );
    // A dash or a space typed with a Chinese input method: the argument as it was meant.
    let typed_full_width = args.iter().skip(1).find_map(|arg| {
        let meant = half_width_arg(arg);
        (meant != *arg).then(|| (arg.clone(), meant))
    });
    let hint_for = |suggested: Option<String>| match (&typed_full_width, suggested) {
        (Some((arg, meant)), _) => Text::new(
            format!("「{arg}」里有全角的横线或空格（中文输入法）：切换到英文输入，写成 {meant}"),
            format!(
                "`{arg}` has a full-width dash or space (a Chinese input method): switch to English input and write {meant}"
            ),
        ),
        (None, Some(suggested)) => Text::new(
            format!("是不是 {suggested}？"),
            format!("did you mean {suggested}?"),
        ),
        (None, None) => help.clone(),
    };
    let told = match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::InvalidSubcommand => {
            let written = context(ContextKind::InvalidSubcommand).unwrap_or_default();
            (
                Text::new(
                    format!("没有「{written}」这个命令"),
                    format!("there is no command `{written}`"),
                ),
                hint_for(context(ContextKind::SuggestedSubcommand)),
            )
        }
        ErrorKind::UnknownArgument => {
            let written = context(ContextKind::InvalidArg).unwrap_or_default();
            (
                Text::new(
                    format!("不认识「{written}」：这个命令没有这个选项"),
                    format!("`{written}` is no option of this command"),
                ),
                hint_for(context(ContextKind::SuggestedArg)),
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context(ContextKind::InvalidArg).unwrap_or_default();
            (
                Text::new(
                    format!("缺少必须写的参数：{missing}"),
                    format!("a required argument is missing: {missing}"),
                ),
                hint_for(None),
            )
        }
        ErrorKind::MissingSubcommand => (
            Text::new("没有写命令", "no command was given"),
            help.clone(),
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            let value = context(ContextKind::InvalidValue).unwrap_or_default();
            let hint = match context(ContextKind::ValidValue) {
                Some(valid) => Text::new(
                    format!("可以写：{valid}（大小写要一样）"),
                    format!("possible values: {}", valid.replace('、', ", ")),
                ),
                None if arg.contains("port") => Text::new(
                    "端口写 1 到 65535 之间的数，如 --port 8000",
                    "a port is a number from 1 to 65535, such as --port 8000",
                ),
                None => help.clone(),
            };
            (
                Text::new(
                    format!("「{value}」不是 {arg} 可以取的值"),
                    format!("`{value}` is not a value {arg} takes"),
                ),
                hint,
            )
        }
        ErrorKind::ArgumentConflict => {
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            let prior = context(ContextKind::PriorArg).unwrap_or_default();
            (
                Text::new(
                    format!("{arg} 不能和 {prior} 一起写"),
                    format!("{arg} cannot be given with {prior}"),
                ),
                help.clone(),
            )
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            (
                Text::new(
                    format!("{arg} 后面的值的个数不对"),
                    format!("{arg} has the wrong number of values"),
                ),
                hint_for(None),
            )
        }
        _ => (
            Text::new("命令行有误", "the command line is wrong"),
            hint_for(None),
        ),
    };
    Some(told)
}

/// `arg` with the dashes and spaces a Chinese input method types made ASCII: `－－dry-run`,
/// `——dry-run`, `—dry-run` → `--dry-run`; a full-width space → a space.
fn half_width_arg(arg: &str) -> String {
    let body = arg.trim_start_matches(['－', '—', '–', '-']);
    let dashes = &arg[..arg.len() - body.len()];
    let lead = match dashes.chars().count() {
        0 => "",
        // `—dry-run`: one em dash is what a Chinese input method makes of `--`.
        1 if dashes != "-" && body.chars().count() > 1 => "--",
        1 => "-",
        _ => "--",
    };
    format!("{lead}{body}").replace('\u{3000}', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_and_spaces_of_a_chinese_input_method_are_read_as_meant() {
        assert_eq!(half_width_arg("－－dry-run"), "--dry-run");
        assert_eq!(half_width_arg("——dry-run"), "--dry-run");
        assert_eq!(half_width_arg("—dry-run"), "--dry-run");
        assert_eq!(
            half_width_arg("--into　data/villages"),
            "--into data/villages"
        );
        assert_eq!(half_width_arg("--dry-run"), "--dry-run");
        assert_eq!(half_width_arg("-h"), "-h");
        assert_eq!(half_width_arg("build"), "build");
    }

    #[test]
    fn the_language_is_read_before_the_command_line_is_understood() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            lang_of(&args(&["huibao", "--lang", "en", "biuld"])),
            Lang::En
        );
        assert_eq!(lang_of(&args(&["huibao", "--lang=en", "biuld"])), Lang::En);
        assert_eq!(lang_of(&args(&["huibao", "biuld"])), Lang::Zh);
    }
}
