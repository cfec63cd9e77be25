"""C: cross-field rules (spec `rules:`). Emitted by validator/checks/rules.py."""

from __future__ import annotations

from validator.codes.base import Code, E, Text

CODES = (
    Code("C101", "rule-required", E,
         ("按规则必填的单元格为空", "Cell required by a rule is empty"),
         ("{at_row}不符合规则“{rule_title}”：当 {when_zh} 时，“{column}”必须填写。",
          "{at_row}Rule “{rule_title_en}”: “{column}” is required when {when_en}."),
         ("填写“{column}”。", "Fill in “{column}”."),
         ("有条件的必填项（如租用机房须填写提供方信用代码）漏填会被退回补正。",
          "A conditionally required value (e.g. the provider's credit code for a leased room) left empty gets the pack sent back."),
         "机房性质 = 租用，机房提供方统一社会信用代码 为空"),
    Code("C102", "rule-value", E,
         ("数据不符合规则", "Value breaks a rule"),
         ("{at_row}不符合规则“{rule_title}”：要求 {expect_zh}{when_part_zh}，实际为 {found}。",
          "{at_row}Rule “{rule_title_en}”: expected {expect_en}{when_part_en}; found {found}."),
         ("核对后改正该值，使其满足：{expect_zh}。", "Check and correct the value so that {expect_en}."),
         ("例如社保缴纳单位与本公司名称不一致，审核时会被认定为人员不属于本公司。",
          "E.g. a social-insurance unit that is not the company means the person does not count as staff."),
         "社保缴纳单位 = 上海别家科技有限公司"),
    Code("C103", "rule-too-few", E,
         ("满足条件的行数不足", "Too few rows meet a condition"),
         ("不符合规则“{rule_title}”：{condition_zh}有 {found} 行，至少应有 {min} 行{source_zh}。",
          "Rule “{rule_title_en}”: {found} {condition_en}; at least {min} required{source_en}."),
         ("补充符合条件的人员或数据，或核对已有数据是否填写正确。",
          "Add the missing rows, or check that the existing rows are filled in correctly."),
         ("人员规模低于申请时的承诺、本公司缴纳社保人数不足 3 人，是年检最常见的问题。",
          "Fewer staff than committed, or fewer than 3 insured at the company, are the most common inspection findings."),
         "社保缴纳单位为本公司的人员只有 2 人"),
    Code("C104", "rule-too-many", E,
         ("满足条件的行数超出上限", "Too many rows meet a condition"),
         ("不符合规则“{rule_title}”：{condition_zh}有 {found} 行，最多 {max} 行{source_zh}。",
          "Rule “{rule_title_en}”: {found} {condition_en}; at most {max} allowed{source_en}."),
         ("核对数据；超出许可范围的部分须先办理变更，或关闭多开的部分。",
          "Check the data; anything beyond the licence needs a licence change first, or must be shut down."),
         ("已开通坐席超过许可坐席数属于超范围经营。", "More opened seats than licensed is business beyond the licence."),
         "已开通坐席 12 个，许可坐席数 10"),
    Code("C105", "ip-range-family", E,
         ("起止 IP 类型不一致", "Start and end IP of different families"),
         ("不符合规则“{rule_title}”：起始 IP {start} 与终止 IP {end} 不是同一类型（IPv4/IPv6）。",
          "Rule “{rule_title_en}”: start IP {start} and end IP {end} are not the same family (IPv4/IPv6)."),
         ("同一行的起始 IP 和终止 IP 须同为 IPv4 或同为 IPv6。",
          "Start and end IP of a row must both be IPv4 or both IPv6."),
         ("类型不一致的地址段无法登记。", "A range mixing IPv4 and IPv6 cannot be registered."),
         "1.2.3.0 — 2001:db8::ff"),
    Code("C106", "ip-range-reversed", E,
         ("起始 IP 大于终止 IP", "Start IP above end IP"),
         ("不符合规则“{rule_title}”：起始 IP {start} 大于终止 IP {end}。",
          "Rule “{rule_title_en}”: start IP {start} is above end IP {end}."),
         ("检查是否把起止地址填反了。", "Check whether start and end were swapped."),
         ("起止颠倒的地址段无法登记。", "A reversed range cannot be registered."),
         "10.0.0.255 — 10.0.0.0"),
    Code("C107", "ip-range-overlap", E,
         ("IP 地址段重叠", "IP ranges overlap"),
         ("不符合规则“{rule_title}”：地址段 {range} 与第 {other_row} 行的地址段 {other_range} 重叠。",
          "Rule “{rule_title_en}”: range {range} overlaps range {other_range} in row {other_row}."),
         ("核对地址分配，每段地址只能登记一次。", "Check the allocation: each address may be registered only once."),
         ("重叠的地址段说明登记有误或重复登记。", "Overlapping ranges mean a wrong or double registration."),
         "1.2.3.0-1.2.3.255 与 1.2.3.128-1.2.3.200"),
    Code("C108", "rule-document-missing", E,
         ("按规则需要的材料缺失", "Document required by a rule is missing"),
         ("按规则“{rule_title}”（{when_zh}），需要“{title}”，应有文件名形如 {pattern} 的文件。",
          "Rule “{rule_title_en}” ({when_en}) needs “{title}”: expected a file named like {pattern}."),
         ("补充该材料，并按规定命名。", "Add the document, named as shown."),
         ("有条件的材料（如前置审批文件）缺失会被退回补正。",
          "A conditional document (e.g. a pre-approval) that is missing gets the pack sent back."),
         "涉及前置审批，但没有 15_前置审批文件.pdf"),
)

# Grouped messages (see validator.codes.GROUPED).
GROUPED: dict[str, Text] = {
    "C101": ("不符合规则“{rule_title}”：当 {when_zh} 时，“{column}”必须填写，有 {count} 行为空："
             "第 {row_list} 行{who_part}{rows_more}。",
             "Rule “{rule_title_en}”: “{column}” is required when {when_en}; {count} rows leave it empty: "
             "rows {row_list}{who_part}{rows_more}."),
    "C102": ("不符合规则“{rule_title}”：要求 {expect_zh}{when_part_zh}，有 {count} 行不符："
             "第 {row_list} 行{who_part}{rows_more}；如 {found}。",
             "Rule “{rule_title_en}”: expected {expect_en}{when_part_en}; {count} rows do not: "
             "rows {row_list}{who_part}{rows_more}; e.g. {found}."),
}
