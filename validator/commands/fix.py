"""`validator fix FOLDER --spec S`: the renames that fix the check's name defects; `--apply`
performs them (never overwriting) and writes an undo journal outside the folder;
`validator fix --undo JOURNAL` restores the original names. Imports only click at module level.
"""

from __future__ import annotations

import sys
from typing import Any

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "plan": "计划重命名 {n} 个文件（尚未执行；加 --apply 执行）：",
        "nothing": "没有可以自动修正的文件名。",
        "done": "已重命名 {n} 个文件：",
        "clashes": "冲突，未重命名（请手工处理）：",
        "exists": "目标文件名已被 {other} 占用",
        "shared": "与 {other} 会得到同一个文件名",
        "error": "重命名失败：{other}",
        "unfixed": "以下文件的问题无法安全地自动改名（请手工处理）：",
        "journal": "撤销记录：{journal}\n撤销：validator fix --undo {journal}",
        "journal_error": "无法写入撤销记录，未做任何修改：{why}",
        "journal_unreadable": "无法读取撤销记录 {journal}：{why}",
        "journal_invalid": "{journal} 不是 validator fix 的撤销记录。",
        "undo_missing": "{file} 已不存在",
        "undo_changed": "{file} 在重命名之后被修改过（大小、修改时间或内容不同）",
        "undo_taken": "原文件名 {file} 已被另一个文件占用",
        "undo_refused": "拒绝撤销，未做任何修改：",
        "undo_already": "该记录已于 {when} 撤销过。",
        "undone": "已恢复 {n} 个原文件名：",
        "need_folder": "需要材料文件夹，或 --undo 撤销记录。",
        "need_spec": "未给出 --spec，{folder}/client.yaml 也没有指定规范",
    },
    "en": {
        "plan": "Would rename {n} file(s) (nothing done yet; add --apply to do it):",
        "nothing": "No file name to fix automatically.",
        "done": "Renamed {n} file(s):",
        "clashes": "Clashes, not renamed (fix by hand):",
        "exists": "the name is taken by {other}",
        "shared": "{other} would get the same name",
        "error": "rename failed: {other}",
        "unfixed": "No safe automatic name for these files (fix by hand):",
        "journal": "Undo journal: {journal}\nTo undo: validator fix --undo {journal}",
        "journal_error": "Cannot write the undo journal; nothing was changed: {why}",
        "journal_unreadable": "Cannot read the journal {journal}: {why}",
        "journal_invalid": "{journal} is not an undo journal of validator fix.",
        "undo_missing": "{file} no longer exists",
        "undo_changed": "{file} has changed since it was renamed (size, modification time or content)",
        "undo_taken": "the original name {file} is taken by another file",
        "undo_refused": "Undo refused; nothing was changed:",
        "undo_already": "This journal was already undone at {when}.",
        "undone": "Restored {n} original name(s):",
        "need_folder": "Give a materials FOLDER, or --undo JOURNAL.",
        "need_spec": "no --spec given and {folder}/client.yaml names no spec",
    },
}


@click.command("fix", context_settings=CONTEXT)
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("--spec", "-s", "spec_ref", metavar="ID_OR_PATH",
              help="Built-in spec id or a spec file. Default: the `spec` key of the folder's client.yaml.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A client value, overriding client.yaml (repeatable).")
@click.option("--apply", "do_apply", is_flag=True, help="Perform the renames (default: only print the plan).")
@click.option("--journal", metavar="FILE", type=click.Path(dir_okay=False),
              help="Where --apply writes the undo journal (outside the folder). "
                   "Default: fix-journals/ in the user cache directory ($VALIDATOR_CACHE_DIR or ~/.cache/validator).")
@click.option("--undo", "undo_journal", metavar="JOURNAL", type=click.Path(dir_okay=False),
              help="Restore the original names recorded in JOURNAL.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Print the plan as text or JSON.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of messages (default: from the locale, else zh).")
def command(folder: str | None, spec_ref: str | None, variables: tuple[str, ...], do_apply: bool,
            journal: str | None, undo_journal: str | None, fmt: str, lang: str | None) -> None:
    """Rename files to fix the check's name defects. 自动修正文件名。

    \b
    修正：副本标记 (1)、- 副本、- Copy；全角括号和空格；多余空格；
    与内容不符的扩展名；只对应一个文件的材料按规范名称命名（填入客户信息）。
    Fixes: copy markers, full-width characters, stray spaces, an extension that does not
    match the (allowed) content, and the spec's name filled with the client's values where
    exactly one file is that document. Only names change, never contents; nothing is
    overwritten (a clash is reported, not resolved).

    \b
    Examples / 示例:
      validator fix 材料/ --spec call-center            # 只列出计划 / print the plan
      validator fix 材料/ --spec call-center --apply    # 执行，并打印撤销记录路径
      validator fix --undo ~/.cache/validator/fix-journals/20261205-….json

    \b
    Exit status / 退出码: 0 nothing to fix (or all applied / undone); 1 renames or clashes found, or
    clashes left after --apply; 2 usage, spec or journal error (undo refused: nothing changed).
    """
    from validator.messages import default_lang

    lg = lang or default_lang()
    w = WORDS[lg]
    if undo_journal:
        sys.exit(_undo(undo_journal, lg, w))
    if not folder:
        raise click.UsageError(w["need_folder"])
    from validator.api import check_folder
    from validator.cli import load_spec_or_exit, parse_vars
    from validator.client_file import client_spec
    from validator.fixing.plan import plan_renames

    ref = spec_ref or client_spec(folder)[0]
    if not ref:
        raise click.UsageError(w["need_spec"].format(folder=folder))
    spec = load_spec_or_exit(ref)
    plan = plan_renames(check_folder(folder, spec, parse_vars(variables)), spec)
    if not do_apply:
        _show_plan(plan, fmt, w)
        sys.exit(1 if plan.renames or plan.clashes else 0)
    sys.exit(_apply(plan, journal, lg, w))


def _show_plan(plan: Any, fmt: str, w: dict[str, str]) -> None:
    if fmt == "json":
        import json

        from validator.textsafe import json_text

        # names may hold C1 controls and bidi overrides, which ensure_ascii=False lets through raw
        click.echo(json_text(json.dumps(plan.as_dict(), ensure_ascii=False, indent=2)))
        return
    if plan.renames:
        click.echo(w["plan"].format(n=len(plan.renames)))
        _list_renames(plan.renames)
    else:
        click.echo(w["nothing"])
    _show_leftovers(plan.clashes, plan.unfixed, w)


def _list_renames(renames: Any) -> None:
    from validator.textsafe import safe

    for r in renames:
        click.echo(f"  {safe(r.source)} → {safe(r.target)}  [{' '.join(r.codes)}]")


def _show_leftovers(clashes: Any, unfixed: Any, w: dict[str, str]) -> None:
    from validator.textsafe import safe

    if clashes:
        click.echo(w["clashes"])
        for c in clashes:
            why = w.get(c.reason, w["exists"]).format(other=safe(c.other))
            click.echo(f"  {safe(c.source)} → {safe(c.target)}: {why}")
    if unfixed:
        click.echo(w["unfixed"])
        for rel, codes in unfixed:
            click.echo(f"  {safe(rel)}  [{' '.join(codes)}]")


def _apply(plan: Any, journal: str | None, lang: str, w: dict[str, str]) -> int:
    from validator.fixing.apply import JournalError, apply_plan, default_journal
    from validator.textsafe import safe

    if not plan.renames:
        click.echo(w["nothing"])
        _show_leftovers(plan.clashes, plan.unfixed, w)
        return 1 if plan.clashes else 0
    try:
        applied = apply_plan(plan, journal or default_journal(plan.root), lang)
    except JournalError as exc:
        click.echo(w["journal_error"].format(why=safe(str(exc))), err=True)
        return 2
    click.echo(w["done"].format(n=len(applied.done)))
    _list_renames(applied.done)
    _show_leftovers(applied.clashes, plan.unfixed, w)
    click.echo(w["journal"].format(journal=safe(applied.journal)))
    return 1 if applied.clashes else 0


def _undo(journal: str, lang: str, w: dict[str, str]) -> int:
    from validator.fixing.apply import JournalError, read_journal, undo, undo_plan
    from validator.textsafe import safe

    try:
        data = read_journal(journal, w, lang)
    except JournalError as exc:
        click.echo(safe(str(exc)), err=True)
        return 2
    if data.get("undone"):
        click.echo(w["undo_already"].format(when=safe(str(data["undone"]))), err=True)
        return 2
    todo, problems = undo_plan(data, w)
    if problems:
        click.echo(w["undo_refused"], err=True)
        for p in problems:
            click.echo(f"  {safe(p)}", err=True)
        return 2
    try:
        restored = undo(data, todo, journal)
    except (OSError, JournalError) as exc:
        click.echo(f"{w['undo_refused']} {safe(str(exc))}", err=True)
        return 2
    click.echo(w["undone"].format(n=len(restored)))
    for e in restored:
        click.echo(f"  {safe(e['to'])} → {safe(e['from'])}")
    return 0
