"""Fill the five sections of the self-check risk assessment (风险评估报告) from a check result.

The sections follow the inspection guide summarised in DOMAIN.md: 企业基本信息; 业务合规性自查;
数据安全与隐私保护; 客户服务满意度调查; 总结与改进建议. Each item is one of:

* ``ok``      - the materials show it (a value is present, a document passed);
* ``problem`` - a defect found in the materials says otherwise (the codes are kept);
* ``manual``  - the tool cannot judge it (firewalls, backups, satisfaction score …):
  left as an explicit 待人工填写 line for a person, never guessed;
* ``action``  - a next step in the summary (the fix hint of a defect code).

The findings are about the *materials*; the report says so, and does not claim to assess
the business itself.

Built from the check's own defects, section by section: every error and warning of the check
stands behind some item (what no specific item claims goes to 其他材料问题), so the report counts
the same problems as the check (``Assessment.defects_shown``), and an item that rests on the
staff roster is never ✅ while the roster has errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from validator import messages
from validator.model import Defect, PackageResult, Severity

OK, PROBLEM, MANUAL, ACTION = "ok", "problem", "manual", "action"

# Spec documents the sections look at, by id (built-in specs) with title words as a fallback.
ROSTER = ("staff_roster", "人员")
SECURITY = ("security_measures", "安全")
SERVICE = ("service_quality", "服务质量")
INSURANCE = ("social_insurance", "社保缴纳证明")
FORMAT_FAMILIES = ("N", "T", "S", "P")  # naming, type, size, PDF: "wrong format, carelessly named"


@dataclass(frozen=True)
class RosterFacts:
    """Counted from the staff roster when it could be read (see validator.risk.roster)."""

    rows: int
    insured_by_company: int | None = None  # rows whose 社保缴纳单位 is the company
    security_officers: int | None = None  # rows with 网络安全责任人 = 是


@dataclass(frozen=True)
class Item:
    label: str
    status: str  # OK | PROBLEM | MANUAL | ACTION
    text: str = ""  # the value, the finding, or what a person has to fill in
    codes: tuple[str, ...] = ()
    defects: tuple[Defect, ...] = field(default=(), compare=False, repr=False)  # what the item stands for


@dataclass(frozen=True)
class RiskSection:
    key: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Assessment:
    lang: str
    company: str
    folder: str
    spec: str
    spec_title: str
    ready: bool
    generated_at: str
    sections: tuple[RiskSection, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def manual_items(self) -> int:
        return sum(1 for s in self.sections for i in s.items if i.status == MANUAL)

    @property
    def problems(self) -> int:
        """Findings in sections 1-4 (the summary only repeats them)."""
        return sum(1 for s in self.sections if s.key != "summary" for i in s.items if i.status == PROBLEM)

    @property
    def defects_shown(self) -> int:
        """The check's errors and warnings that items of sections 1-4 stand for, each once."""
        return len({id(d) for s in self.sections if s.key != "summary" for i in s.items for d in i.defects})


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _todo(lang: str) -> str:
    return _t(lang, "待人工填写", "to be filled in by a person")


def document_id(p: PackageResult, wanted: tuple[str, str]) -> str | None:
    ident, word = wanted
    for d in p.documents:
        if d.id == ident:
            return d.id
    for d in p.documents:
        if word in d.title:
            return d.id
    return None


def _of(defects: Iterable[Defect], doc: str | None) -> list[Defect]:
    return [d for d in defects if doc is not None and d.document == doc]


def _rule(defects: Iterable[Defect], rule: str) -> list[Defect]:
    return [d for d in defects if d.params.get("rule") == rule]


def _serious(defects: Iterable[Defect]) -> list[Defect]:
    return [d for d in defects if d.severity is not Severity.INFO]


def _problem(label: str, found: Sequence[Defect], text: str) -> Item:
    return Item(label, PROBLEM, text, tuple(sorted({d.code for d in found})), tuple(found))


def _tally_codes(found: Sequence[Defect], lang: str) -> str:
    """"X115 ×6、X116 ×1": how many cells (or files) each code stands for; a grouped cell defect
    counts its rows."""
    counts: dict[str, int] = {}
    for d in found:
        rows = d.params.get("count", 1)
        counts[d.code] = counts.get(d.code, 0) + (rows if isinstance(rows, int) and rows > 0 else 1)
    return ("、" if lang == "zh" else ", ").join(f"{c} ×{n}" if n > 1 else c for c, n in sorted(counts.items()))


def _first_message(found: Sequence[Defect], lang: str) -> str:
    text = messages.message(found[0], lang)
    more = len(found) - 1
    if more:
        text += _t(lang, f"（另有 {more} 处）", f" (and {more} more)")
    return text


def assess(
    p: PackageResult,
    lang: str,
    *,
    spec_title: str = "",
    licence: str = "",
    roster: RosterFacts | None = None,
    generated_at: str = "",
) -> Assessment:
    found = [_basic(p, lang, spec_title, licence), _compliance(p, lang, roster), _security(p, lang, roster),
             _service(p, lang)]
    found[1] = _with_the_rest(p, lang, found)
    sections = (*found, _summary(p, lang, found))
    counts = {s.value: p.count(s) for s in Severity}
    return Assessment(
        lang, p.client.get("company", ""), p.root, p.spec, spec_title, p.ready, generated_at, sections, counts
    )


def _with_the_rest(p: PackageResult, lang: str, sections: Sequence[RiskSection]) -> RiskSection:
    """The compliance section plus one item for the check's errors and warnings that no other
    item stands for (client.yaml, stray files, other sheets, leaks …), so none is left out."""
    shown = {id(d) for s in sections for i in s.items for d in i.defects}
    rest = [d for d in _serious(p.defects) if id(d) not in shown]
    section = sections[1]
    if not rest:
        return section
    files = len({d.path for d in rest if d.path})
    text = _t(lang, f"{len(rest)} 处（{_tally_codes(rest, lang)}），涉及 {files} 个文件：",
              f"{len(rest)} ({_tally_codes(rest, lang)}) in {files} file(s): ") + _first_message(rest, lang)
    item = _problem(_t(lang, "其他材料问题", "Other problems in the materials"), rest, text)
    return RiskSection(section.key, section.title, (*section.items, item))


def _value_item(p: PackageResult, lang: str, name: str, label: str) -> Item:
    value = str(p.client.get(name, "") or "")
    bad = [d for d in p.defects if d.code in ("V101", "V102") and d.params.get("name") == name]
    if bad:
        return _problem(label, bad, messages.message(bad[0], lang))
    if value:
        return Item(label, OK, value)
    return Item(label, MANUAL, _todo(lang))


def _basic(p: PackageResult, lang: str, spec_title: str, licence: str) -> RiskSection:
    contact = p.client.get("contact") or p.client.get("contact_person") or ""
    phone = p.client.get("contact_phone") or p.client.get("phone") or ""
    items = [
        _value_item(p, lang, "company", _t(lang, "公司名称", "Company name")),
        _value_item(p, lang, "uscc", _t(lang, "统一社会信用代码", "Unified social credit code")),
        _value_item(p, lang, "licence_no", _t(lang, "经营许可证编号", "Licence number")),
        Item(
            _t(lang, "许可业务 / 检查规范", "Licensed service / spec"),
            OK,
            " · ".join(x for x in (licence if licence != "ALL" else "", spec_title, p.spec) if x),
        ),
        _value_item(p, lang, "year", _t(lang, "报告年度", "Reporting year")),
        Item(
            _t(lang, "联系人及电话", "Contact person and phone"),
            OK if contact and phone else MANUAL,
            " ".join(x for x in (contact, phone) if x) if contact and phone else _todo(lang),
        ),
        Item(
            _t(lang, "注册地址 / 经营场所", "Registered address / premises"),
            MANUAL,
            _t(
                lang,
                "待人工填写（应与许可证及场地证明一致）",
                "to be filled in (must match the licence and the premises proof)",
            ),
        ),
    ]
    return RiskSection("basic", _t(lang, "一、企业基本信息", "1. Company information"), tuple(items))


def _compliance(p: PackageResult, lang: str, roster: RosterFacts | None) -> RiskSection:
    items: list[Item] = []
    missing = [d for d in p.defects if d.code in ("D101", "D102", "C108")]
    required = [d for d in p.documents if d.required]
    if missing:
        titles = "、".join(str(d.params.get("title", d.document or "")) for d in missing)
        items.append(
            _problem(
                _t(lang, "必需材料齐全", "Required documents complete"),
                missing,
                _t(lang, f"缺少或不足：{titles}", f"missing or incomplete: {titles}"),
            )
        )
    else:
        items.append(
            Item(
                _t(lang, "必需材料齐全", "Required documents complete"),
                OK,
                _t(lang, f"{len(required)} 项必需材料均已提供", f"all {len(required)} required documents present"),
            )
        )
    items.append(
        Item(
            _t(lang, "经营范围与许可一致", "Business within the licensed scope"),
            MANUAL,
            _t(
                lang,
                "待人工填写：实际开展的业务是否超出许可范围（如语音许可开展短信营销）",
                "to be filled in: does any service go beyond the licence (e.g. SMS marketing on a voice licence)?",
            ),
        )
    )
    items.append(_staff_item(p, lang, roster))
    items.append(_insurance_item(p, lang, roster))
    fmt = [d for d in p.defects if d.code[:1] in FORMAT_FAMILIES and d.severity is not Severity.INFO]
    label = _t(lang, "材料格式与命名", "File formats and names")
    if fmt:
        files = len({d.path for d in fmt})
        items.append(
            _problem(
                label,
                fmt,
                _t(
                    lang,
                    f"{files} 个文件有 {len(fmt)} 处格式、大小或命名问题，提交后会被退回重新审核",
                    f"{len(fmt)} format, size or naming problem(s) in {files} file(s); such packs are sent "
                    "back for re-review",
                ),
            )
        )
    else:
        items.append(Item(label, OK, _t(lang, "未发现格式或命名问题", "no format or naming problems found")))
    items.append(
        Item(
            _t(lang, "年报按时报送", "Annual report filed on time"),
            MANUAL,
            _t(
                lang,
                "待人工填写：每年 1 月 1 日至 3 月 31 日在电信业务市场综合管理信息系统填报，记录报送日期",
                "to be filled in: filed between 1 January and 31 March on the MIIT platform; note the date",
            ),
        )
    )
    items.append(
        Item(
            _t(lang, "技术系统运行情况", "Technical systems working"),
            MANUAL,
            _t(
                lang,
                "待人工填写：业务系统（如呼叫录音、排队、坐席系统）是否正常运行，附带时间戳的截图",
                "to be filled in: are the systems (e.g. call recording, queueing, agent desktop) working; "
                "attach time-stamped screenshots",
            ),
        )
    )
    items.append(
        Item(
            _t(lang, "外部审查", "Outside review"),
            MANUAL,
            _t(
                lang,
                "待人工填写：是否请第三方或上级单位复核过材料",
                "to be filled in: has a third party reviewed the materials?",
            ),
        )
    )
    return RiskSection("compliance", _t(lang, "二、业务合规性自查", "2. Business compliance self-check"), tuple(items))


# Roster rules with an item of their own; the roster's other errors concern every figure from it.
_ROSTER_RULES = ("staff-committed", "insured-by-company", "security-officer")


def _roster_errors(p: PackageResult) -> list[Defect]:
    """The roster's errors and warnings that no roster item of its own explains (X115, X116,
    X110 …): while there are any, no figure counted from the roster is confirmed."""
    own = _serious(_of(p.defects, document_id(p, ROSTER)))
    return [d for d in own if d.params.get("rule") not in _ROSTER_RULES and d.code not in ("D101", "X107")]


def _roster_text(errors: Sequence[Defect], lang: str, what_zh: str, what_en: str) -> str:
    return _t(lang, f"人员名单有 {len(errors)} 处问题（{_tally_codes(errors, lang)}），{what_zh}无法据此确认：",
              f"the roster has {len(errors)} problem(s) ({_tally_codes(errors, lang)}), so {what_en} cannot be "
              "confirmed from it: ") + _first_message(errors, lang)


def _with_also(text: str, errors: Sequence[Defect], lang: str) -> str:
    """A finding, and the roster's other problems after it."""
    if not errors:
        return text
    return text.rstrip("。.") + _t(lang, f"；名单另有 {len(errors)} 处问题（{_tally_codes(errors, lang)}）。",
                                   f"; the roster has {len(errors)} other problem(s) ({_tally_codes(errors, lang)}).")


def _staff_item(p: PackageResult, lang: str, roster: RosterFacts | None) -> Item:
    label = _t(lang, "人员规模", "Staff size")
    doc = document_id(p, ROSTER)
    own = _serious(_of(p.defects, doc))
    if doc is None:
        return Item(
            label, MANUAL, _t(lang, "待人工填写：本规范不含人员名单", "to be filled in: the spec has no roster")
        )
    absent = [d for d in own if d.code == "D101"]
    if absent:
        return _problem(label, absent, _t(lang, "缺少人员名单，无法核对人员规模",
                                          "no staff roster: staff size cannot be checked"))
    below = _rule(own, "staff-committed") + [d for d in own if d.code == "X107"]
    errors = _roster_errors(p)
    if below:
        return _problem(label, below + errors, _with_also(_first_message(below, lang), errors, lang))
    if errors:
        return _problem(label, errors, _roster_text(errors, lang, "人数", "the head count"))
    if roster is None:
        return Item(label, MANUAL,
                    _t(lang, "人员名单无法读取，待人工核对人数", "the roster could not be read: count by hand"))
    committed = str(p.client.get("staff_committed", "") or "")
    if committed:
        return Item(
            label,
            OK,
            _t(
                lang,
                f"名单 {roster.rows} 人，承诺 {committed} 人",
                f"{roster.rows} on the roster; {committed} committed",
            ),
        )
    return Item(
        label,
        MANUAL,
        _t(
            lang,
            f"名单 {roster.rows} 人；承诺人数待人工填写（或在 client.yaml 写 staff_committed）",
            f"{roster.rows} on the roster; committed size to be filled in (or set staff_committed in client.yaml)",
        ),
    )


def _insurance_item(p: PackageResult, lang: str, roster: RosterFacts | None) -> Item:
    label = _t(lang, "社保缴纳", "Social insurance")
    roster_doc = document_id(p, ROSTER)
    others = _rule(_serious(_of(p.defects, roster_doc)), "insured-by-company")
    proof = document_id(p, INSURANCE)
    proof_missing = [d for d in _of(p.defects, proof) if d.code == "D101"]
    errors = _roster_errors(p)
    if others or proof_missing:
        texts = [_first_message(found, lang) for found in (others, proof_missing) if found]
        text = _with_also("；".join(texts) if lang == "zh" else "; ".join(texts), errors, lang)
        return _problem(label, others + proof_missing + errors, text)
    if errors:
        text = _roster_text(errors, lang, "本公司缴纳社保的人数", "the number insured by the company")
        return _problem(label, errors, text)
    if roster is not None and roster.insured_by_company is not None:
        if roster.insured_by_company < 3:  # (agency) fewer than 3 insured staff is a common rejection
            return Item(
                label,
                PROBLEM,
                _t(
                    lang,
                    f"本公司缴纳社保的仅 {roster.insured_by_company} 人，年检常因不足 3 人被退回",
                    f"only {roster.insured_by_company} insured by the company; fewer than 3 is a common rejection",
                ),
            )
        return Item(
            label,
            OK,
            _t(
                lang,
                f"{roster.insured_by_company} 人由本公司缴纳社保",
                f"{roster.insured_by_company} insured by the company",
            ),
        )
    return Item(label, MANUAL, _t(lang, "待人工核对社保缴纳人数", "to be checked by hand"))


def _document_item(p: PackageResult, lang: str, wanted: tuple[str, str], label: str) -> Item:
    doc = document_id(p, wanted)
    if doc is None:
        return Item(
            label, MANUAL, _t(lang, "待人工填写：本规范不含该材料", "to be filled in: the spec has no such document")
        )
    own = _serious(_of(p.defects, doc))
    if own:
        return _problem(label, own, _first_message(own, lang))
    files = next((s.files for s in p.documents if s.id == doc), ())
    return Item(label, OK, _t(lang, f"已提供：{'、'.join(files)}", f"provided: {', '.join(files)}"))


def _security(p: PackageResult, lang: str, roster: RosterFacts | None) -> RiskSection:
    items = [_document_item(p, lang, SECURITY, _t(lang, "网络与信息安全保障措施材料", "Security measures document"))]
    officer_label = _t(lang, "网络安全责任人", "Network security officer")
    no_officer = _rule(_serious(_of(p.defects, document_id(p, ROSTER))), "security-officer")
    errors = _roster_errors(p)
    if no_officer:
        items.append(_problem(officer_label, no_officer, _first_message(no_officer, lang)))
    elif errors and roster is not None and roster.security_officers is not None:
        items.append(Item(officer_label, MANUAL, _t(
            lang,
            f"待人工填写：名单中指定了 {roster.security_officers} 人，但名单有 {len(errors)} 处问题待改正后再核对",
            f"to be filled in: {roster.security_officers} named, but the roster has {len(errors)} problem(s) to fix"),
            tuple(sorted({d.code for d in errors}))))
    elif roster is not None and roster.security_officers is not None:
        if roster.security_officers:
            items.append(
                Item(
                    officer_label,
                    OK,
                    _t(
                        lang,
                        f"名单中指定了 {roster.security_officers} 人",
                        f"{roster.security_officers} named on the roster",
                    ),
                )
            )
        else:
            items.append(
                Item(officer_label, PROBLEM, _t(lang, "名单中没有网络安全责任人", "nobody on the roster is named"))
            )
    else:
        items.append(Item(officer_label, MANUAL, _todo(lang)))
    for zh, en in (
        ("防火墙与入侵防护", "Firewall and intrusion protection"),
        ("客户数据备份（频率、异地保存、恢复演练）", "Customer data backups (frequency, off-site copy, restore drill)"),
        (
            "个人信息保护措施（收集告知、访问权限、删除）",
            "Personal information protection (notice, access control, deletion)",
        ),
        ("通话录音 / 数据保存期限", "Retention of call recordings and data"),
    ):
        items.append(Item(_t(lang, zh, en), MANUAL, _todo(lang)))
    return RiskSection("security", _t(lang, "三、数据安全与隐私保护", "3. Data security and privacy"), tuple(items))


def _service(p: PackageResult, lang: str) -> RiskSection:
    items = [
        _document_item(p, lang, SERVICE, _t(lang, "服务质量及投诉处理材料", "Service quality and complaints document")),
        Item(
            _t(lang, "客户满意度得分（满分 100）", "Customer satisfaction score (out of 100)"),
            MANUAL,
            _t(lang, "待人工填写：____ / 100（调查方式、样本数）", "to be filled in: ____ / 100 (method, sample size)"),
        ),
        Item(
            _t(lang, "客户反馈与投诉处理", "Customer feedback and complaint handling"),
            MANUAL,
            _t(
                lang,
                "待人工填写：投诉数量、处理时限、典型问题",
                "to be filled in: number of complaints, time to resolve, typical issues",
            ),
        ),
    ]
    return RiskSection("service", _t(lang, "四、客户服务满意度调查", "4. Customer satisfaction survey"), tuple(items))


def _summary(p: PackageResult, lang: str, sections: Sequence[RiskSection]) -> RiskSection:
    items: list[Item] = []
    verdict = (
        _t(lang, "材料可以提交", "the materials are ready to submit")
        if p.ready
        else _t(
            lang,
            f"材料不能提交：{p.count(Severity.ERROR)} 个错误需先改正",
            f"not ready: {p.count(Severity.ERROR)} error(s) to correct first",
        )
    )
    items.append(Item(_t(lang, "结论", "Conclusion"), OK if p.ready else PROBLEM, verdict))
    found = [i for s in sections for i in s.items if i.status == PROBLEM]
    if found:
        sep = "、" if lang == "zh" else ", "
        items.append(
            Item(
                _t(lang, "主要问题", "Main problems"),
                PROBLEM,
                sep.join(i.label for i in found),
                tuple(sorted({c for i in found for c in i.codes})),
            )
        )
    seen: set[str] = set()
    for d in p.defects:  # one next step per code, in report order, errors first
        if d.severity is not Severity.ERROR or d.code in seen:
            continue
        seen.add(d.code)
        hint = messages.fix(d, lang)
        if hint:
            items.append(
                Item(
                    _t(
                        lang,
                        f"改进措施（{d.code} {messages.title(d.code, lang)}）",
                        f"Next step ({d.code} {messages.title(d.code, lang)})",
                    ),
                    ACTION,
                    hint,
                    (d.code,),
                )
            )
    items.append(Item(_t(lang, "整改负责人与完成时间", "Owner and deadline for the fixes"), MANUAL, _todo(lang)))
    items.append(Item(_t(lang, "其他改进建议", "Other improvements"), MANUAL, _todo(lang)))
    return RiskSection("summary", _t(lang, "五、总结与改进建议", "5. Summary and next steps"), tuple(items))
