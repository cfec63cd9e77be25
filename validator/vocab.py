"""Words the command line prints outside the reports, in both languages: why a folder was not
checked, an interruption, and click's own usage errors (click speaks English only).

The reason a folder could not be checked is kept as a short English key (``no spec``) in the
results, so JSON stays stable; it is put into the reader's language only when shown.
"""

from __future__ import annotations

import re

# PackageResult.error keys (validator.batch.task) and the messages that start with a known prefix.
_ERRORS = {
    "not checked": ("未检查", "not checked"),
    "no spec": ("没有指定规范（client.yaml 的 spec:，或 --spec）", "no spec (client.yaml `spec:` or --spec)"),
    "spec error": ("规范有误", "spec error"),
    "invalid spec": ("规范无效", "invalid spec"),
}
_ERROR_PREFIXES = (
    ("internal error: ", ("内部错误：", "internal error: ")),
    ("the Dask task failed: ", ("Dask 任务失败：", "the Dask task failed: ")),
    (
        "checking this folder crashed a worker process",
        ("检查这个文件夹时工作进程崩溃（某个文件可能让读取程序出错）", "checking this folder crashed a worker process"),
    ),
)

WORDS = {
    "zh": {
        "interrupted": "validator：已中断。",
        "spec_error": "规范错误：",
    },
    "en": {
        "interrupted": "validator: interrupted.",
        "spec_error": "spec error:",
    },
}


_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}


def severity_word(level: str, lang: str) -> str:
    """error / warning / info in the reader's language."""
    pair = _SEVERITY.get(level)
    return level if pair is None else pair[0 if lang == "zh" else 1]


# Why the hook could not check a folder (validator.precommit), put into Chinese when shown.
_HOOK_ZH = (
    (re.compile(r"^(.*): no spec: pass --spec ID \(in the hook's args\) or put `spec: ID` in (\S+)$"),
     r"\1：没有指定规范：在钩子的 args 里加上 --spec 规范，或在 \2 里写 spec: 规范"),
    (re.compile(r"^spec error \((.*)\):"), r"规范错误（\1）："),
)


def hook_problem(text: str, lang: str) -> str:
    if lang != "zh":
        return text
    for pattern, replacement in _HOOK_ZH:
        text = pattern.sub(replacement, text, count=1)
    return text


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def error_text(error: str, lang: str) -> str:
    """A folder's `error` (why it was not checked) in the reader's language."""
    i = 0 if lang == "zh" else 1
    if error in _ERRORS:
        return _ERRORS[error][i]
    for prefix, pair in _ERROR_PREFIXES:
        if error.startswith(prefix):
            rest = error[len(prefix):]
            if prefix.endswith(": "):
                return pair[i] + rest
            return pair[i] + (rest if lang != "zh" else "")
    return error


# click's usage messages (click 8.x wording) -> Chinese. Placeholders are regex groups kept as they are.
_CLICK_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^Usage: ", "用法："),
        (r"^Try '(.+)' for help\.$", r"运行 '\1' 查看帮助。"),
        (r"^Error: ", "错误："),
        (r"No such option '(.+?)'\.", r"没有这个选项：'\1'。"),
        (r"No such command '(.+?)'\.", r"没有这个命令：'\1'。"),
        (r"\(Did you mean one of: (.+)\?\)", r"（是不是以下之一：\1？）"),
        (r"Did you mean (\S+)\?", r"是不是 \1？"),
        (r"Missing argument '(.+?)'\.", r"缺少参数 '\1'。"),
        (r"Missing option '(.+?)'\.", r"缺少选项 '\1'。"),
        (r"Missing command\.", "缺少命令。"),
        (r"Option '(.+?)' requires an argument\.", r"选项 '\1' 需要一个值。"),
        (r"Option '(.+?)' requires (\d+) arguments\.", r"选项 '\1' 需要 \2 个值。"),
        (r"Option '(.+?)' does not take a value\.", r"选项 '\1' 不带值。"),
        (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数（\1）"),
        (r"Invalid value for (.+?): ", r"\1 的值无效："),
        (r"'(.+?)' is not one of (.+)\.$", r"'\1' 不在可选值 \2 之中。"),
        (r"'(.+?)' is not (.+)\.$", r"'\1' 不是 \2。"),
        (r"'(.+?)' is not a valid integer( range)?\.", r"'\1' 不是整数。"),
        (r"(.+) is not in the range (.+)\.", r"\1 不在范围 \2 之内。"),
        (r"Directory '(.+)' does not exist\.", r"文件夹 '\1' 不存在。"),
        (r"File '(.+)' does not exist\.", r"文件 '\1' 不存在。"),
        (r"Path '(.+)' does not exist\.", r"路径 '\1' 不存在。"),
        (r"File '(.+)' is a directory\.", r"'\1' 是文件夹，不是文件。"),
        (r"Directory '(.+)' is a file\.", r"'\1' 是文件，不是文件夹。"),
        (r"(?:File|Directory|Path) '(.+)' is not readable\.", r"'\1' 无法读取。"),
        (r"unknown code '(.+)'", r"未知的问题代码 '\1'"),
        (r"; did you mean (.+)\?", r"；是不是 \1？"),
        (r"; `validator rules` lists them all", "；运行 `validator rules` 查看全部代码"),
        (r"unknown format '(.+)'; choose from (.+)$", r"未知的格式 '\1'；可选：\2"),
        (r"cannot tell the format of '(.+)' from its suffix \((.+)\); give --format",
         r"无法从 '\1' 的后缀判断格式（\2）；请用 --format 指定"),
        (r"--output goes with exactly one --format without =FILE", "--output 只能配合一个不带 =文件 的 --format"),
        (r"no --spec given and (.+)/client\.yaml names no spec", r"没有给出 --spec，\1/client.yaml 也没有写 spec"),
        (r"expected NAME=VALUE, got (.+)$", r"应为 名称=值，实际是 \1"),
        (r"'(.+)' names no file after '='", r"'\1' 的 = 后面没有文件名"),
        (r"--scheduler goes with --executor dask", "--scheduler 只能配合 --executor dask"),
    )
)


def click_zh(text: str) -> str:
    """click's English usage message, line by line, in Chinese where the wording is known."""
    out = []
    for line in text.split("\n"):
        for pattern, replacement in _CLICK_ZH:
            line = pattern.sub(replacement, line)
        out.append(line)
    return "\n".join(out)
