"""W: waivers (waivers.yaml). Emitted by validator/waivers.py."""

from __future__ import annotations

from validator.codes.base import INFO, Code, W

CODES = (
    Code("W101", "waiver-invalid", W,
         ("豁免条目无效", "Waiver entry invalid"),
         ("{at}：该豁免无效，已忽略：{problem_zh}。", "{at}: this waiver is not valid and was ignored: {problem_en}."),
         ("按格式改正：每条写 code、path（文件名通配符）或 document、reason、approved_by、expires（日期）。",
          "Correct it: each entry needs code, path (a file-name glob) or document, reason, approved_by and "
          "expires (a date)."),
         ("写错的豁免不会生效，被豁免的问题仍会让检查不通过，而大家以为它已被批准。",
          "A broken waiver waives nothing: the defect still fails the check while everyone thinks it was approved."),
         "waivers.yaml 中 expires: 明年"),
    Code("W102", "waiver-expired", W,
         ("豁免已过期", "Waiver expired"),
         ("{at}：对 {waived_code} 的豁免已于 {expires} 到期，相关问题重新计入检查结果。",
          "{at}: the waiver for {waived_code} expired on {expires}; the defect counts again."),
         ("请重新审批并更新 expires，或删除该条目并修正问题。",
          "Have it approved again and update expires, or remove the entry and fix the defect."),
         ("豁免只在批准的期限内有效；过期后要么重新批准，要么修正。",
          "A waiver holds only as long as it was approved for; after that, approve it again or fix the defect."),
         "expires: 2025-12-31 的豁免在 2026 年检查"),
    Code("W103", "waiver-unused", W,
         ("豁免未被使用", "Waiver matches nothing"),
         ("{at}：对 {waived_code} 的豁免没有匹配到任何问题。", "{at}: the waiver for {waived_code} matches no defect."),
         ("问题已经修正的话，删除该条目；否则检查 code、path、document 是否写对。",
          "If the defect has been fixed, remove the entry; otherwise check its code, path and document."),
         ("不再需要的豁免留在文件里，以后可能悄悄放过新的问题。",
          "A waiver that is no longer needed may later let a new defect through unnoticed."),
         "营业执照已更换，但 waivers.yaml 仍豁免其 P103"),
    Code("W104", "waiver-expiring", INFO,
         ("豁免即将到期", "Waiver expires soon"),
         ("{at}：对 {waived_code} 的豁免将于 {expires} 到期（还剩 {days} 天），之后相关问题会重新计入检查结果。",
          "{at}: the waiver for {waived_code} ends on {expires} ({days} days left); after that the defect counts again."),
         ("到期前请审批人重新批准并更新 expires，或在到期前修正问题。",
          "Before then, have it approved again and update expires, or fix the defect."),
         ("提前提醒，免得材料在豁免失效的那天突然检查不通过。",
          "Said ahead, so the pack does not suddenly fail on the day the waiver lapses."),
         "expires: 2026-12-10 的豁免在 2026-12-01 检查"),
)
