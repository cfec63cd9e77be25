"""Every word the tool prints, in both languages, in one place: the reports' vocabulary, the
terminal text, the hook, the batch roll-up, `explain`, the output messages, why a folder was
not checked, an interruption, and click's own usage errors (click speaks English only).
(The risk assessment keeps its own table beside its items: validator.risk.render.)

The reason a folder could not be checked is kept as a short English key (``no spec``) in the
results, so JSON stays stable; it is put into the reader's language only when shown.
"""

from __future__ import annotations

import re
from functools import cache

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
        "spec_ok": "{file}：正确（{id}，{documents} 种材料）",
        "spec_broken": "（有误：{problem}）",
    },
    "en": {
        "interrupted": "validator: interrupted.",
        "spec_error": "spec error:",
        "spec_ok": "{file}: ok ({id}, {documents} documents)",
        "spec_broken": "(broken: {problem})",
    },
}


# The reports (html, markdown, xlsx, csv, junit): validator.formats.common.
REPORT_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "report_title": "材料检查报告",
        "summary": "检查结论",
        "ready": "可以提交",
        "not_ready": "不能提交",
        "cannot_check": "无法检查",
        "folder": "文件夹",
        "spec": "规范",
        "files": "文件数",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "severity": "级别",
        "code": "代码",
        "title": "问题",
        "message": "说明",
        "fix": "如何修改",
        "document": "材料",
        "file": "文件",
        "place": "位置",
        "sheet": "工作表",
        "page": "页",
        "row": "行",
        "column": "列",
        "cell": "单元格",
        "required": "必需",
        "required_head": "是否必需",
        "doc_id": "编号",
        "optional": "可选",
        "status": "状态",
        "ok": "通过",
        "missing": "缺少",
        "missing_docs": "缺少的材料",
        "absent_optional": "未提供（可选）",
        "folder_level": "整个文件夹",
        "other_files": "不属于任何材料的文件",
        "no_defects": "未发现问题",
        "generated_at": "生成时间",
        "tool": "工具版本",
        "total": "合计",
        "count": "数量",
        "packages": "文件夹数",
        "ready_count": "可以提交的文件夹",
        "by_code": "按问题类型统计",
        "defects_sheet": "问题",
        "summary_sheet": "汇总",
        "documents_sheet": "材料清单",
        "more": "另有 {n} 个问题，点击展开",
        "overall_ready": "全部 {n} 个文件夹可以提交",
        "overall_not_ready": "{bad}/{n} 个文件夹不能提交",
        "counts_line": "{error} 个错误，{warning} 个警告，{info} 个提示",
    },
    "en": {
        "report_title": "Materials check report",
        "summary": "Result",
        "ready": "ready to submit",
        "not_ready": "not ready",
        "cannot_check": "could not be checked",
        "folder": "Folder",
        "spec": "Spec",
        "files": "Files",
        "error": "Errors",
        "warning": "Warnings",
        "info": "Info",
        "severity": "Severity",
        "code": "Code",
        "title": "Problem",
        "message": "Message",
        "fix": "How to fix",
        "document": "Document",
        "file": "File",
        "place": "Place",
        "sheet": "Sheet",
        "page": "Page",
        "row": "Row",
        "column": "Column",
        "cell": "Cell",
        "required": "required",
        "required_head": "Required",
        "doc_id": "ID",
        "optional": "optional",
        "status": "Status",
        "ok": "ok",
        "missing": "missing",
        "missing_docs": "Missing documents",
        "absent_optional": "not provided (optional)",
        "folder_level": "The folder as a whole",
        "other_files": "Files that belong to no document",
        "no_defects": "no defects found",
        "generated_at": "Generated at",
        "tool": "Tool version",
        "total": "Total",
        "count": "Count",
        "packages": "Folders",
        "ready_count": "Folders ready to submit",
        "by_code": "Defects by code",
        "defects_sheet": "Defects",
        "summary_sheet": "Summary",
        "documents_sheet": "Documents",
        "more": "{n} more defects: click to expand",
        "overall_ready": "all {n} folder(s) ready to submit",
        "overall_not_ready": "{bad} of {n} folder(s) not ready",
        "counts_line": "{error} error(s), {warning} warning(s), {info} info",
    },
}


# The terminal report: validator.formats.text.
TEXT_WORDS = {
    "zh": {
        "folder": "（文件夹）",
        "ready": "可以提交",
        "not_ready": "不能提交",
        "fix": "修改",
        "summary": "{packages} 个文件夹，{files} 个文件：{error} 个错误，{warning} 个警告，{info} 个提示",
        "clean": "未发现问题",
    },
    "en": {
        "folder": "(folder)",
        "ready": "ready to submit",
        "not_ready": "not ready",
        "fix": "fix",
        "summary": "{packages} folder(s), {files} file(s): {error} error(s), {warning} warning(s), {info} info",
        "clean": "no defects found",
    },
}


# The pre-commit hook's lines: validator.commands.hook.
HOOK_WORDS = {
    "zh": {
        "warning": "警告",
        "summary": "validator：{errors} 个错误，{warnings} 个警告。运行 `validator explain 代码` 查看原因和修改方法。",
        "row": "第{row}行",
        "page": "第{page}页",
        "dash_file": "validator：“{name}”是文件，却出现在选项的位置（文件名不应以 - 开头）。"
        "请改名；或在 .pre-commit-config.yaml 的 args 末尾加上 --。",
    },
    "en": {
        "warning": "warning",
        "summary": "validator: {errors} error(s), {warnings} warning(s). "
        "Run `validator explain CODE` to see why and how to fix.",
        "row": "row {row}",
        "page": "p.{page}",
        "dash_file": "validator: '{name}' is a file but stands where options go (a file name must not "
        "start with '-'). Rename it, or end the hook's args with -- in .pre-commit-config.yaml.",
    },
}


# The batch roll-up table: validator.batch.text_report.
ROLLUP_WORDS = {
    "zh": {"client": "客户", "state": "状态", "error": "错误", "warning": "警告", "info": "提示", "files": "文件",
           "missing": "缺少的材料 / 问题", "new": "新增", "fixed": "已修复", "open": "未修复",
           "ready": "就绪", "not_ready": "未就绪", "unchecked": "未检查"},
    "en": {"client": "client", "state": "state", "error": "errors", "warning": "warnings", "info": "info",
           "files": "files", "missing": "missing documents / problem", "new": "new", "fixed": "fixed",
           "open": "open", "ready": "ready", "not_ready": "NOT READY", "unchecked": "UNCHECKED"},
}  # fmt: skip


# `validator explain`: validator.explain.
EXPLAIN_WORDS = {
    "zh": {"severity": "级别", "means": "含义", "why": "为什么重要", "fix": "如何修改", "example": "示例"},
    "en": {
        "severity": "severity",
        "means": "what it means",
        "why": "why it matters",
        "fix": "how to fix",
        "example": "example",
    },
}


# Writing a report: validator.output.
OUTPUT_WORDS = {
    "zh": {
        "cannot": "无法写入 {dest}：{why}",
        "inside": "它在被检查的文件夹 {folder} 之内（材料不能改动），请换一个位置",
        "is_dir": "这是一个文件夹",
        "no_parent": "所在文件夹不存在",
        "denied": "没有写入权限",
        "no_space": "磁盘已满",
        "no_reader": "没有程序在读取这个命名管道",
        "os_error": "系统错误 {code}",
        "too_long": "文件名太长",
        "read_only": "所在的文件系统是只读的",
        "wrote": "已写入 {dest}",
        "stdout": "标准输出",
    },
    "en": {
        "cannot": "cannot write {dest}: {why}",
        "inside": "it is inside the checked folder {folder} (materials are never changed); choose another place",
        "is_dir": "it is a directory",
        "no_parent": "its folder does not exist",
        "denied": "permission denied",
        "no_space": "no space left on the device",
        "no_reader": "no program is reading this named pipe",
        "os_error": "system error {code}",
        "too_long": "the file name is too long",
        "read_only": "the file system is read-only",
        "wrote": "wrote {dest}",
        "stdout": "standard output",
    },
}


# A batch stopped by Ctrl-C: validator.commands.batch.
SCHEDULER_UNREACHABLE = {
    "zh": "validator：无法连接 Dask 调度器 {address}，没有检查任何客户。"
          "请确认地址和端口正确、调度器已启动且本机可以访问。",  # {detail} is Dask's English
    "en": "validator: cannot reach the Dask scheduler {address}; no client was checked. Check the address and "
          "port, that the scheduler is running and that this machine can reach it. ({detail})",
}

BATCH_INTERRUPTED = {
    "zh": "validator：已中断，{done}/{total} 个客户检查完毕；未写出任何报告。",
    "en": "validator: interrupted after {done} of {total} clients; no report was written.",
}


_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}


def severity_word(level: str, lang: str) -> str:
    """error / warning / info in the reader's language."""
    pair = _SEVERITY.get(level)
    return level if pair is None else pair[0 if lang == "zh" else 1]


# Why the hook could not check a folder (validator.precommit), put into Chinese when shown.
_HOOK_ZH_SOURCE = (
    (r" \(spec (.+) lies outside the client's folder; it was not read\): ", r"（规范 \1 在客户文件夹之外，未读取）: "),
    (
        r"^(.*): no spec( \(.*\)|（.*）)?: pass --spec ID \(in the hook's args\) or put `spec: ID` in (\S+)$",
        r"\1：没有指定规范\2：在钩子的 `args` 里加上 --spec 规范，或在 \3 里写 `spec: 规范`",
    ),
    (r"^spec error \((.*)\):", r"规范 '\1' 有误："),
)
# client.yaml's own problem inside that line: translated on its own, as its patterns match whole texts
_HOOK_WHY_SOURCE = r": no spec \((.*)\): pass --spec "


@cache
def _hook_patterns() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
    """Compiled when a folder's problem is first shown, not at import (every run imports this module)."""
    return re.compile(_HOOK_WHY_SOURCE), [(re.compile(p), r) for p, r in _HOOK_ZH_SOURCE]


def hook_problem(text: str, lang: str) -> str:
    if lang != "zh":
        return text
    text = bounded_lines(text)
    why, hook_zh = _hook_patterns()
    text = hook_zh[0][0].sub(hook_zh[0][1], text, count=1)
    text = why.sub(lambda m: f": no spec（{spec_text(m.group(1), lang)}）: pass --spec ", text, count=1)
    for pattern, replacement in hook_zh[1:]:
        text = pattern.sub(replacement, text, count=1)
    return spec_text(text, lang)


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def error_text(error: str, lang: str) -> str:
    """A folder's `error` (why it was not checked) in the reader's language."""
    i = 0 if lang == "zh" else 1
    if error in _ERRORS:
        return _ERRORS[error][i]
    for prefix, pair in _ERROR_PREFIXES:
        if error.startswith(prefix):
            rest = error[len(prefix) :]
            if prefix.endswith(": "):
                return pair[i] + rest
            return pair[i] + (rest if lang != "zh" else "")
    return error


# click's usage messages (click 8.x wording) -> Chinese. Placeholders are regex groups kept as they are.
_CLICK_ZH_SOURCE: tuple[tuple[str, str], ...] = (
    (r"^Usage: ", "用法："),
    (r"^Try '(.*)' for help\.$", r"运行 '\1' 查看帮助。"),
    (r"^Error: ", "错误："),
    (r"No such option '(.*?)'\.", r"没有这个选项：'\1'。"),
    (r"No such command '(.*?)'\.", r"没有这个命令：'\1'。"),
    (r"\(Did you mean one of: (.+)\?\)", r"（是不是以下之一：\1？）"),
    (r"Did you mean (\S+)\?", r"是不是 \1？"),
    (r"Missing argument '(.*?)'\.", r"缺少参数 '\1'。"),
    (r"Missing option '(.*?)'\.", r"缺少选项 '\1'。"),
    (r"Missing command\.", "缺少命令。"),
    (r"Option '(.*?)' requires an argument\.", r"选项 '\1' 需要一个值。"),
    (r"Option '(.*?)' requires (\d+) arguments\.", r"选项 '\1' 需要 \2 个值。"),
    (r"Option '(.*?)' does not take a value\.", r"选项 '\1' 不带值。"),
    (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数（\1）"),
    (r"Invalid value for (.+?): ", r"\1 的值无效："),
    (r"'(.*?)' is not a valid integer range\.", r"'\1' 不是整数。"),
    (r"'(.*?)' is not a finite number of seconds\.", r"'\1' 不是有限的秒数。"),
    (r"'(.*?)' is not a valid float( range)?\.", r"'\1' 不是数字。"),
    (r"'(.*?)' is not one of (.+)\.$", r"'\1' 不在可选值 \2 之中。"),
    (r"'(.*?)' is not (.+)\.$", r"'\1' 不是 \2。"),
    (r"'(.*?)' is not a valid integer( range)?\.", r"'\1' 不是整数。"),
    (r"(.+) is not in the range (.+)\.", r"\1 不在范围 \2 之内。"),
    (r"Directory '(.*)' does not exist\.", r"文件夹 '\1' 不存在。"),
    (r"File '(.*)' does not exist\.", r"文件 '\1' 不存在。"),
    (r"Path '(.*)' does not exist\.", r"路径 '\1' 不存在。"),
    (r"File '(.*)' is a directory\.", r"'\1' 是文件夹，不是文件。"),
    (r"Directory '(.*)' is a file\.", r"'\1' 是文件，不是文件夹。"),
    (r"(?:File|Directory|Path) '(.*)' is not readable\.", r"'\1' 无法读取。"),
    (r"unknown code '(.*)'", r"未知的问题代码 '\1'"),
    (r"; did you mean (.+)\?", r"；是不是 \1？"),
    (r"; `validator rules` lists them all", "；运行 `validator rules` 查看全部代码"),
    (r"unknown format '(.*)'; choose from (.+)$", r"未知的格式 '\1'；可选：\2"),
    (
        r"cannot tell the format of '(.*)' from its suffix \((.+)\); give --format",
        r"无法从 '\1' 的后缀判断格式（\2）；请用 --format 指定",
    ),
    (r"'(.*)' is neither a folder nor a zip file", r"'\1' 既不是文件夹，也不是 zip 压缩包"),
    (r"'(.*)' is named by more than one --format \(each format needs a file of its own\)",
     r"多个 --format 写入同一个文件 '\1'（每种格式需要单独的文件）"),
    (r"--output goes with exactly one --format without =FILE", "--output 只能配合一个不带 =文件 的 --format"),
    (r"no --spec given and (.+)/client\.yaml names no spec", r"没有给出 --spec，\1/client.yaml 也没有写 `spec:`"),
    (r"\(spec (.+) lies outside the client's folder; it was not read\)", r"（其中的规范 \1 在客户文件夹之外，未读取）"),
    (r"expected NAME=VALUE, got (.+)$", r"应为 名称=值，实际是 \1"),
    (r"'(.*)' names no file after '='", r"'\1' 的 = 后面没有文件名"),
    (r"--scheduler goes with --executor dask", "--scheduler 只能配合 --executor dask"),
    (
        r"(.+) has a client\.yaml: it is one client's folder\. Check it with `validator check (.+)`, "
        r"or give batch the folder that holds the client folders\.",
        r"\1 里有 client.yaml，是一个客户的文件夹。请用 `validator check \2` 检查它，"
        r"或者把存放各客户文件夹的上一级文件夹交给 batch。",
    ),
    (r"no client folders under (.+) \(each client is a folder directly under it\)",
     r"\1 下没有客户文件夹（每个客户应是它下面的一个文件夹）"),
    (r"--executor dask needs Dask: pip install '(.*)'", r"--executor dask 需要 Dask：pip install '\1'"),
    (r"^(.+)\[OPTIONS\]", r"\1[选项]"),
    (r"COMMAND \[ARGS\]\.\.\.", "命令 [参数]..."),
)


#: Characters of one message line the translations below look at.  Their patterns hold two or
#: three `.+` each, so a line's cost grows with its square: a 500,000-character `spec:` in
#: client.yaml, quoted in the hook's problem line, took the hook most of an hour.
MAX_LINE = 2000


def bounded_lines(text: str) -> str:
    """``text`` with each line longer than :data:`MAX_LINE` characters cut in its middle (an
    ellipsis says so): both ends stay, which is where the patterns anchor."""
    if len(text) <= MAX_LINE:
        return text
    half = MAX_LINE // 2
    return "\n".join(line if len(line) <= MAX_LINE else f"{line[:half]}…{line[-half:]}" for line in text.split("\n"))


def click_zh(text: str) -> str:
    """click's English usage message, line by line, in Chinese where the wording is known."""
    patterns = [(re.compile(p), r) for p, r in _CLICK_ZH_SOURCE]  # only on the error path
    out = []
    for line in bounded_lines(text).split("\n"):
        for pattern, replacement in patterns:
            line = pattern.sub(replacement, line)
        out.append(line)
    return "\n".join(out)


# A spec's problems (validator.spec: schema, loader, YAML) -> Chinese, each line as
# ``file:line:col: key.path: message``; the file, the key path and quoted values stay as they are.
_SPEC_ZH_SOURCE: tuple[tuple[str, str], ...] = (
    (r" \(did you mean '(.*?)'\?\)", r"（是不是 '\1'？）"),
    (r" \(did you mean (.+?)\?\)", r"（是不是 \1？）"),
    (r"^warning: ", "警告："),
    (r": warning: ", "：警告："),
    (r"unknown spec '(.*?)'(.*); built-in specs: (.+)$", r"没有名为 '\1' 的规范\2；内置规范：\3"),
    # the hook indents a spec's problems under its own line: the indent is kept
    (r"^(\s*)spec file not found: (.+)$", r"\1找不到规范文件：\2"),
    (r"^(\s*)not a regular file: (.+)$", r"\1不是普通文件：\2"),
    (r"cannot read spec (.+?): not UTF-8 text \(byte (\d+)\)", r"无法读取规范 \1：不是 UTF-8 文本（第 \2 个字节）"),
    (r"cannot read spec (.+?): (.+)$", r"无法读取规范 \1：\2"),
    (r"larger than max_size", "大于 `max_size`"),
    (r"larger than (max_rows|max) \((.+) > (.+)\)$", r"大于 `\1`（\2 > \3），没有任何表格能同时满足"),
    (r"the file does not exist", "文件不存在"),
    (r"a symbolic link \(links are not followed\)", "是符号链接（不跟随链接）"),
    (r"not a regular file( \((.+)\))?$", r"不是普通文件\1"),
    (r"不是普通文件 \(a directory\)", "不是普通文件（是文件夹）"),
    (r"不是普通文件 \(a named pipe\)", "不是普通文件（是命名管道）"),
    (r"不是普通文件 \(a socket\)", "不是普通文件（是套接字）"),
    (r"不是普通文件 \(a (?:character|block) device\)", "不是普通文件（是设备）"),
    (r"不是普通文件 \(a special file\)", "不是普通文件（是特殊文件）"),
    (r"larger than (\S+ [KMGT]?i?B) \((.+)\)$", r"大于 \1（实际 \2）"),
    (r"larger than (\S+ [KMGT]?i?B)$", r"大于 \1"),
    (r"larger than (\S+)( \((.+)\))?$", r"大于 \1\2"),
    # the OS's own words for why a file cannot be read (safeio's detail is os.strerror)
    (r"cannot be read \(File name too long\)$", "无法读取（文件名太长）"),
    (r"cannot be read \(Permission denied\)$", "无法读取（没有读取权限）"),
    (r"cannot be read \(Not a directory\)$", "无法读取（路径中有一段不是文件夹）"),
    (r"cannot be read \(Too many levels of symbolic links\)$", "无法读取（符号链接层数过多）"),
    (r"cannot be read \(Input/output error\)$", "无法读取（输入/输出错误，磁盘或网络盘可能有问题）"),
    (r"cannot be read( \((.+)\))?$", r"无法读取\1"),
    (r"extends forms a cycle: (.+)$", r"extends 形成了循环：\1"),
    (r"extends chain longer than (\d+) files: (.+)$", r"extends 链超过 \1 个文件：\2"),
    (r"a spec must be a mapping of keys \(id, title, documents…\)",
     "规范必须是“键: 值”的映射（如 id、title、documents）"),
    (r"extends: expected a spec id or a relative path", "extends：应为规范 id 或相对路径"),
    (r"extends: (.+) lies outside the client's folder \(or the batch root\); it was not read",
     r"extends：\1 在客户文件夹（或批量检查的根文件夹）之外，未读取"),
    (r"invalid YAML: aliases expand to more than (\d+) values \(an alias bomb\?\); write the values out",
     r"YAML 格式错误：别名展开后超过 \1 个值（别名炸弹？），请直接写出这些值"),
    (r"invalid YAML: nested more than (\d+) levels deep", r"YAML 格式错误：嵌套超过 \1 层"),
    (r"invalid YAML: did not find expected '(.*)' or '(.*)'", r"YAML 格式错误：缺少 '\1' 或 '\2'"),
    (r"invalid YAML: (?:did not find|could not find) expected '(.*)'", r"YAML 格式错误：缺少 '\1'"),
    (r"invalid YAML: mapping values are not allowed here",
     "YAML 格式错误：这里不能有“键: 值”（冒号后的值是否需要加引号？）"),
    (r"invalid YAML: found character '(.*)' that cannot start any token",
     r"YAML 格式错误：字符 '\1' 不能出现在这里（缩进请用空格，不要用 Tab）"),
    (r"invalid YAML: found undefined alias '?(.+?)'?$", r"YAML 格式错误：未定义的别名 '\1'"),
    (r"invalid YAML: control character (U\+[0-9A-F]+) is not allowed",
     r"YAML 格式错误：不允许控制字符 \1（可能是从别处粘贴带入的不可见字符，删掉它）"),
    (r"not a valid regular expression \(nested too deeply\)", "不是有效的正则表达式（嵌套过深）"),
    (r"not a valid regular expression \((.+)\)$",
     "不是有效的正则表达式（请检查括号、方括号是否成对，特殊字符是否用 \\\\ 转义）"),
    (r"invalid YAML: found unexpected end of stream", "YAML 格式错误：文件意外结束（引号或括号没有闭合？）"),
    (r"invalid YAML: (?!.*[\u4e00-\u9fff]).*$", "YAML 格式错误（请检查这一行附近的缩进、冒号、引号和括号）"),
    (r"duplicate key '(.*?)' \(first at line (\d+)\)", r"键 '\1' 重复（第一次出现在第 \2 行）"),
    (r"unknown variable '(.*?)' in name pattern(.*); declared variables: (.+)$",
     r"文件名模式中有未声明的变量 '\1'\2；已声明的变量：\3"),
    (r"duplicate document id '(.*?)'", r"材料编号 '\1' 重复"),
    (r"duplicate rule id '(.*?)'", r"规则编号 '\1' 重复"),
    (r"unknown type '(.*?)'", r"未知的文件类型 '\1'"),
    (r"the upper bound is below the lower bound", "上限小于下限"),
    (r"column '(.*?)' listed twice", r"列 '\1' 列出了两次"),
    (r"needs a `when` condition \(without one, mark the column `required: true` or the document required\)",
     "需要 `when` 条件（没有条件时，请把列标为 `required: true`，或把材料标为必需）"),
    (r"a condition on (column|variable) '(.*?)' needs an operator \((.+)\)", r"对 \1 '\2' 的条件缺少运算符（\3）"),
    (r"'(.*?)' needs a column or variable, not '(.*?)'; put it in a condition of its own",
     r"'\1' 需要配合 column 或 variable，不能配合 '\2'；请把它单独写成一个条件"),
    (r"columns can only be used in a sheet's rules", "只有表格（sheet）的规则里才能使用列"),
    (r"unknown (variable|column|document) '(.*?)'(.*); declared: (.+)$", r"未声明的 \1 '\2'\3；已声明：\4"),
    (r"severity: unknown defect code '(.*?)'", r"severity：未知的问题代码 '\1'"),
    (r"unknown key '(.*?)'(.*); allowed keys: (.+)$", r"未知的键 '\1'\2；可用的键：\3"),
    (r"missing required key '(.*?)'", r"缺少必需的键 '\1'"),
    (r"use only one of (.+)$", r"只能使用其中一个：\1"),
    (r"needs one of (.+)$", r"需要其中之一：\1"),
    (r"needs at least (\d+) item\(s\)", r"至少需要 \1 项"),
    (r"must be at least (\S+)$", r"不能小于 \1"),
    (r"key '(.*?)' is not valid; expected (.+)$", r"键 '\1' 无效；应为\2"),
    (r"'(.*?)' is not valid; expected (.+)$", r"'\1' 无效；应为\2"),
    (r"'(.*?)' is not one of ([^（]+)", r"'\1' 不在可选值 \2 之中"),
    (r"expected one of (.+), got (.+)$", r"应为 \1 之一，实际是\2"),
    (r"expected (.+), got (.+)$", r"应为\1，实际是\2"),
    (r"'(.*?)' could backtrack without bound \((.+)\); it runs in the linear-time engine \(RE2\)",
     r"'\1' 可能无限回溯（\2）；改用线性时间的正则引擎（RE2）执行"),
    (r"(.+) lies outside the client's folder; it was not read", r"\1 在客户文件夹之外，未读取"),
    (r"^no spec given$", "没有指定规范"),
    (r"^(.+): not a JSON report of this tool \((.+)\)$", r"\1：不是本工具生成的 JSON 报告"),
    (r"^(.+): not a JSON report of this tool$", r"\1：不是本工具生成的 JSON 报告"),
    (r"^nested values for: (.+)$", r"以下各项的值不是单个值（是列表或映射）：\1"),
    (r"^not UTF-8 text \(byte (\d+)\)$", r"不是 UTF-8 文本（第 \1 个字节）"),
    (r"^not a mapping of names to values$", "不是“名称: 值”的映射"),
    # the OS's words for a file that went wrong while it was read (F101, F102, F105)
    (r"^No such file or directory$", "文件不存在"),
    (r"^Permission denied$", "没有读取权限"),
    (r"^Is a directory$", "它是文件夹"),
    (r"^Not a directory$", "路径中的一级不是文件夹"),
    (r"^Too many levels of symbolic links$", "符号链接层数过多"),
    (r"^Input/output error$", "输入/输出错误（磁盘或网络盘故障？）"),
    (r"^File name too long$", "文件名过长"),
    (r"^Device or resource busy$", "文件被占用"),
    (r"^the archive changed while it was being checked$", "检查期间压缩包被修改"),
    (r"^no end-of-central-directory record \(cut short\?\)$", "找不到压缩包的目录记录（文件不完整？）"),
    # a client registry's problem (validator.batch.clients)
    (r"^no `folder` column in row (\d+) \(found: \)$", r"第 \1 行没有 `folder`（文件夹）列（这一行是空的）"),
    (r"^no `folder` column in row (\d+) \(found: (.*)\)$", r"第 \1 行没有 `folder`（文件夹）列（这一行是：\2）"),
    (r"^not a CSV table: field larger than field limit \((\d+)\)$", r"不是 CSV 表格：有单元格超过 \1 个字符"),
    (r"^not a CSV table: (.+)$", r"不是 CSV 表格（\1）"),
    (r"^empty file$", "文件是空的"),
    (r"a key must be a plain string", "键必须是普通文本"),
    # the type and value phrases the messages above end with (validator.spec.dsl, schema)
    (r"a size such as (\S+), (\S+), (\S+)", r"大小，如 \1、\2、\3"),
    (r"a size such as (\S+)", r"大小，如 \1"),
    (r"a count such as (\S+), (\S+) or (\S+)", r"数量，如 \1、\2 或 \3"),
    (r"a number or a \{variable\}", "数字或 {变量}"),
    (r"letters, digits, _ and -", "字母、数字、_ 和 -"),
    (r"letters, digits and _", "字母、数字和 _"),
    (r"text or a number", "文本或数字"),
    (r"a whole number", "整数"),
    (r"实际是true/false", "实际是 true/false"),
    (r"true or false", "true 或 false"),
    (r"(应为|实际是)a number", r"\1数字"),
    (r"(应为|实际是)a mapping", r"\1映射（键: 值）"),
    (r"(应为|实际是)a list", r"\1列表"),
    (r"(应为|实际是)text", r"\1文本"),
    (r"(应为|实际是)nothing", r"\1空值"),
    (r"(已声明的变量：|已声明：)none$", r"\1无"),
)
_SPEC_ZH: list[tuple[re.Pattern[str], str]] = []


def spec_text(text: str, lang: str) -> str:
    """A spec problem (one or more lines, from SpecError or the spec checks) in the reader's language."""
    if lang != "zh":
        return text
    if not _SPEC_ZH:  # compiled on first use: only the error path pays for it
        _SPEC_ZH.extend((re.compile(p), r) for p, r in _SPEC_ZH_SOURCE)
    out = []
    for line in bounded_lines(text).split("\n"):
        for pattern, replacement in _SPEC_ZH:
            line = pattern.sub(replacement, line)
        out.append(line)
    return "\n".join(out)
