"""The comments a drafted spec carries, in Chinese and English: one template per kind of guess."""

from __future__ import annotations

import re
from typing import Any

_PHRASES: dict[str, tuple[str, str]] = {
    "head": ("由 `validator init` 根据样板文件夹 {folder} 起草的规范草稿。每条猜测后面的注释说明依据；"
             "请逐条核对后再用于客户材料。",
             "Draft spec written by `validator init` from the known-good folder {folder}. The comment "
             "after each guess says why; review every one before using it on clients' materials."),
    "head_seen": ("看了 {files} 个文件，归为 {docs} 项材料；客户信息取自 client.yaml（{values}）。",
                  "Looked at {files} files, grouped into {docs} documents; client values from "
                  "client.yaml ({values})."),
    "head_no_client": ("文件夹里没有 client.yaml：文件名中的公司名、信用代码、年度无法换成 {{变量}}。",
                       "The folder has no client.yaml: company names, credit codes and years in file "
                       "names could not be turned into {{variables}}."),
    "head_extends": ("继承 {base}：其中已有且与样板一致的材料不再重复（{same}）。",
                     "Extends {base}: documents it already has, and which the folder agrees with, are "
                     "not repeated ({same})."),
    "head_skipped": ("未起草（不是普通文件，或名称无法写进规范）：{items}",
                     "Not drafted (not a regular file, or a name a spec cannot hold): {items}"),
    "selfcheck_ok": ("自检：用本草稿检查样板文件夹，没有问题。",
                     "Self-check: the folder checks clean against this draft."),
    "selfcheck_left": ("自检：用本草稿检查样板文件夹仍有 {n} 个问题（{items}）；运行 validator check 查看。",
                       "Self-check: the folder still has {n} defects against this draft ({items}); run "
                       "validator check to see them."),
    "selfcheck_skipped": ("自检未运行：{why}", "Self-check not run: {why}"),
    "relaxed": ("样板文件夹里的文件名不符合此规则，已放宽（{codes}）",
                "names in the known-good folder break this rule; relaxed ({codes})"),
    "id": ("草稿的编号，可改成有意义的英文名", "the draft's id; rename it to something meaningful"),
    "year": ("client.yaml 的 year", "client.yaml's year"),
    "var_known": ("与内置 core 规范同名变量的定义", "as the built-in core spec defines this variable"),
    "var_new": ("client.yaml 里的值 {value!r}{kind}", "client.yaml's value {value!r}{kind}"),
    "var_integer": ("，是整数", ", a whole number"),
    "var_in_names": ("；文件名里出现，故必填", "; file names hold it, so it is required"),
    "var_absent": ("基础规范要求此值，但样板的 client.yaml 没有：改为非必需",
                   "the base spec requires this value and the folder's client.yaml lacks it: made optional"),
    "naming_len": ("最长的文件名 {longest} 个字符；取 {limit}", "longest name {longest} characters; limit {limit}"),
    "naming_path": ("最长的路径 {longest} 个字符；取 {limit}", "longest path {longest} characters; limit {limit}"),
    "naming_forbid": ("样板文件名里没有全角字符、空格、复制后缀", "no full-width characters, spaces or copy "
                      "markers in the folder's names"),
    "naming_forbid_some": ("样板文件名里有 {kept_out}，故不禁止", "the folder's names hold {kept_out}, so "
                           "those are not forbidden"),
    "naming_ext": ("扩展名都是小写", "every extension is lower case"),
    "naming_ext_any": ("有大写扩展名，不限制", "some extensions are upper case: not restricted"),
    "doc_files": ("{n} 个文件：{names}", "{n} files: {names}"),
    "doc_file": ("1 个文件：{names}", "1 file: {names}"),
    "doc_title": ("取自文件名中除序号、变量外的文字", "the words of the name without its number and values"),
    "name_exact": ("照抄文件名{slots}", "the file name as it is{slots}"),
    "name_family": ("同一序号（或只差编号）的文件视为一项材料：取共同开头 + *{slots}",
                    "files sharing a number (or differing only by a counter) are one document: their "
                    "common beginning + *{slots}"),
    "name_regex": ("文件名含 {{ }} 或 *，只能写成正则表达式", "the name holds {{ }} or *, so it is written as "
                   "a regular expression"),
    "slots": ("；{pairs}", "; {pairs}"),
    "slot_pair": ("“{value}”→{{{var}}}", "'{value}' -> {{{var}}}"),
    "count": ("见到 {n} 个；至少取一半（{lo}），不设上限", "{n} seen; at least half of that ({lo}), no upper limit"),
    "types": ("按内容识别：{seen}", "judged by content: {seen}"),
    "types_unknown": ("内容无法识别（{seen}），不限制类型", "content not recognised ({seen}): type not restricted"),
    "max_size": ("最大的文件 {size}；放宽到 4 倍（至少 1MB）并取整", "largest file {size}; 4 times that "
                 "(at least 1MB), rounded up"),
    "min_size": ("最小的文件 {size}；取其四分之一，拦下空白页和损坏文件", "smallest file {size}; a quarter "
                 "of it, to catch blank pages and broken files"),
    "min_size_none": ("最小的文件只有 {size}，不设下限", "smallest file only {size}: no lower limit"),
    "pdf": ("页数 {seen}；上限取两倍（至少 3）", "{seen} pages; up to twice the most (at least 3)"),
    "pdf_encrypted": ("有 PDF 加密或限制编辑，不要求未加密", "a PDF is encrypted or restricted: not required "
                      "to be unencrypted"),
    "pdf_unread": ("PDF 无法读取（{why}），未设页数", "the PDF could not be read ({why}): no page range"),
    "sheet_name": ("第一个工作表{others}", "the first sheet{others}"),
    "sheet_others": ("；其他工作表未起草：{names}", "; other sheets not drafted: {names}"),
    "header_row": ("第 {row} 行是第一行全为文字、且至少占数据列一半的行", "row {row} is the first row of text "
                   "only that fills at least half the data columns"),
    "layout": ("列的顺序和列名照样板；多出的列算错", "column order and names as in the folder; an extra "
               "column is an error"),
    "layout_loose": ("有空白或重复的列名，多出的列不报", "some header cells are blank or repeated: extra "
                     "columns are not reported"),
    "min_rows": ("样板有 {rows} 行数据；只要求非空表", "the folder's sheet has {rows} data rows; only an "
                 "empty sheet is refused"),
    "sheet_unread": ("表格无法读取（{why}），未起草表格布局", "the sheet could not be read ({why}): no layout "
                     "drafted"),
    "sheet_no_header": ("找不到表头行，未起草表格布局", "no header row found: no layout drafted"),
    "col": ("{n} 个非空单元格：{evidence}", "{n} filled cells: {evidence}"),
    "col_empty": ("整列为空", "the column is empty"),
    "col_type": ("全部符合 {type}", "all fit {type}"),
    "col_text": ("文字，未猜类型", "text, no type guessed"),
    "col_number_id": ("像 {type} 但存成了数字（Excel 只保留 15 位），按 {kind} 处理；建议改存为文本后用 {type}",
                      "looks like {type} stored as numbers (Excel keeps 15 digits): typed {kind}; store "
                      "as text and use {type}"),
    "col_required": ("每行都有值", "filled in every row"),
    "col_optional": ("{empty} 行为空", "{empty} rows empty"),
    "col_unique": ("互不重复", "no repeats"),
    "col_enum": ("只有 {k} 种值，按枚举处理（见到的值）；允许其他值时删去 enum", "only {k} distinct values: "
                 "an enum of those seen; drop enum if others are allowed"),
    "ext_override": ("{base} 的 {id} 与样板不同：{what}", "{id} of {base} differs from the folder: {what}"),
    "ext_name": ("文件名 {found} 不符合 {pattern}", "name {found} does not fit {pattern}"),
    "ext_types": ("内容 {seen} 不在 {types} 中", "content {seen} not among {types}"),
    "ext_size": ("大小超出 {limits}", "size outside {limits}"),
    "ext_pages": ("页数 {seen} 超出 {pages}", "{seen} pages outside {pages}"),
    "ext_count": ("{n} 个文件，规定 {count}", "{n} files, {count} expected"),
    "ext_columns": ("表头不同", "the header differs"),
    "ext_absent": ("样板里没有这项材料，改为非必需；若从不需要，改为 remove: true",
                   "the folder does not have this document: made optional; write remove: true if it is "
                   "never needed"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def say(key: str, lang: str, **params: Any) -> str:
    zh, en = _PHRASES[key]
    return (zh if lang == "zh" else en).format(**params)


def clean(text: str) -> str:
    """Text fit for a one-line YAML comment: no line breaks, control characters or lone surrogates.

    A file name's controls, C1 (U+009B, which YAML refuses) and bidi overrides are shown escaped as
    everywhere else (textsafe.safe): the draft is printed, and must load for its self-check."""
    from validator.textsafe import safe

    return _CONTROL.sub("?", safe(text))


def listing(items: list[str], lang: str, limit: int = 4) -> str:
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(clean(i) for i in items[:limit])
    if len(items) > limit:
        shown += f" … (+{len(items) - limit})"
    return shown
