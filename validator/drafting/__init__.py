"""Draft a spec from a known-good materials folder (`validator init`).

    draft = draft_spec("样板/", base_ref=None, lang="zh")
    draft.text        # the YAML, a comment on every guess
    draft.remaining   # defects the folder still has against the draft (self-check)

Steps: list the package the way the check does (:func:`validator.packsource.list_package`: a
folder, or a zipped pack read in place; links and special files are listed, never followed or
opened); read each regular file's facts once (:class:`validator.facts.FileFacts`: type by
content, size, PDF pages, the sheet's cells, parsed in the killable worker); group files into
documents (:mod:`names`); guess each document's rules with margins; write the YAML
(:mod:`render`). Then the draft is checked against the folder it came from: a naming rule the
folder breaks is relaxed and the draft written again; what still fails is listed at the top.

With a base spec (`--extends`), files the base already recognises are compared with its
document; only a document that is new, or that the folder contradicts (name, types, size,
pages, count, header), is written, the latter as an override by id.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from validator.drafting import names as nm
from validator.drafting.render import Block, Field, Item, write_fields, write_items
from validator.drafting.words import clean, listing, say

if TYPE_CHECKING:
    from validator.discovery import Entry
    from validator.facts import FileFacts
    from validator.model import Defect
    from validator.readers.pdf import PdfFacts
    from validator.spec.model import DocumentSpec, Spec

__all__ = ["Draft", "draft_spec"]

_KB, _MB, _GB = 1024, 1024**2, 1024**3
_NICE = [m * unit for unit in (_KB, _MB, _GB) for m in (1, 2, 5, 10, 20, 50, 100, 200, 500)]
_NAMING_CODES = {"N103", "N104", "N105", "N106", "N107", "N110", "N111"}
_OCTET = "application/octet-stream"


@dataclass
class Seen:
    """One regular file of the good folder and what was read from it."""

    entry: Entry
    template: str  # the stem with slots
    ext: str
    slots: list[nm.Slot]
    kind: str
    mime: str
    size: int
    encrypted: bool = False
    pages: int | None = None
    pdf_problem: str | None = None
    facts: FileFacts | None = None  # kept for a workbook, whose sheet is drafted later


@dataclass
class Draft:
    text: str
    remaining: tuple[Defect, ...] = ()
    checked: bool = False  # the self-check ran
    documents: int = 0
    files: int = 0


@dataclass
class _Naming:
    max_length: int = 60
    max_path_length: int = 200
    platform: str | None = "windows"
    forbid: list[str] = field(default_factory=lambda: ["fullwidth", "whitespace", "copy_suffix"])
    extension_case: str = "lower"
    why: dict[str, str] = field(default_factory=dict)
    relaxed: set[str] = field(default_factory=set)


def draft_spec(folder: str, *, base_ref: str | None = None, extends_as: str | None = None,
               lang: str = "zh", self_check: bool = True) -> Draft:
    """A spec drafted from ``folder``; ``base_ref`` a spec to extend (``extends_as``: how the
    draft's `extends:` names it, default ``base_ref``). Raises SpecError for a bad base."""
    from validator.client_file import RESERVED_KEYS, is_spec_path, read_client_file
    from validator.packsource import close_archives, list_package
    from validator.spec import load_spec

    root = os.path.abspath(folder)
    base = load_spec(base_ref) if base_ref else None
    core = load_spec("core")
    client, _problem = read_client_file(root)
    values = {k: str(v) for k, v in client.items() if k not in RESERVED_KEYS and isinstance(v, str | int)}
    slots = nm.name_slots(values)
    seen: list[Seen] = []
    skipped: list[str] = []
    try:
        for entry in list_package(root, base or core, values).entries:
            found = _look(entry, slots)
            if isinstance(found, Seen):
                seen.append(found)
            else:
                skipped.append(f"{entry.rel} ({found})")
    finally:
        close_archives()
    shown_base = extends_as or base_ref
    # The self-check loads the draft from a temporary file: a base given as a path is named
    # there by its absolute path.
    checked_base = os.path.abspath(base_ref) if base_ref and is_spec_path(base_ref) else base_ref
    ctx = _Context(root, folder, lang, values, slots, base, core, checked_base, seen, skipped)
    naming = ctx.naming()
    if not self_check:
        ctx.extends = shown_base
        return Draft(ctx.render(naming), documents=ctx.doc_count, files=len(seen))
    remaining, why_not = _self_check(root, ctx.render(naming))
    if why_not is None:
        relax = {d.code for d in remaining} & _NAMING_CODES
        if relax:
            ctx.relax(naming, relax)
            remaining, why_not = _self_check(root, ctx.render(naming))
    ctx.extends = shown_base
    text = ctx.render(naming, remaining, why_not)
    return Draft(text, tuple(remaining), why_not is None, ctx.doc_count, len(seen))


# ---------------------------------------------------------------------------- reading the folder


def _look(entry: Entry, slots: Sequence[nm.Slot]) -> Seen | str:
    """A Seen for a regular file with a name a spec can hold; else why it is left out."""
    from validator.drafting.words import _CONTROL
    from validator.facts import ReadProblem, read_facts

    if entry.kind != "file" or entry.error:
        return entry.error or entry.kind
    if _CONTROL.search(entry.name):
        return "name"
    try:
        facts = read_facts(entry)
    except ReadProblem as exc:
        return exc.kind or exc.detail
    stem, ext = nm.split(entry.name)
    template, used = nm.generalise(stem, slots)
    content = facts.content
    out = Seen(entry, template, ext, used, content.kind, content.mime, facts.size, content.encrypted)
    if content.kind == "pdf":
        _pdf_facts(out, facts)
    elif content.kind in ("xlsx", "xlsm"):
        out.facts = facts
    return out


def _pdf_facts(seen: Seen, file: FileFacts) -> None:
    """Pages and encryption, from the file's facts parsed in the killable worker."""
    from validator.sandbox import SandboxError, shared

    try:
        facts = shared().call(_parsed_pdf, file, timeout=30)
    except SandboxError as exc:
        seen.pdf_problem = type(exc).__name__
        return
    if facts.error:
        seen.pdf_problem = facts.error
    seen.pages = facts.pages
    seen.encrypted = seen.encrypted or facts.encrypted


def _parsed_pdf(file: FileFacts) -> PdfFacts:  # in the worker
    return file.pdf()


# ---------------------------------------------------------------------------- guesses


def nice_up(n: int) -> int:
    return next((c for c in _NICE if c >= n), -(-n // _GB) * _GB)


def nice_down(n: int) -> int | None:
    below = [c for c in _NICE if c <= n]
    return below[-1] if below else None


def size_text(n: int) -> str:
    for unit, f in (("GB", _GB), ("MB", _MB), ("KB", _KB)):
        if n >= f and n % f == 0:
            return f"{n // f}{unit}"
    return f"{n}B"


def _type_name(s: Seen) -> str | None:
    """The `types:` entry for a file: its kind's short name, else its MIME type when libmagic
    named one; None for an empty or unrecognised file (no type is guessed from nothing)."""
    from validator.sniff import SHORT_TYPES

    if s.kind in SHORT_TYPES:
        return s.kind
    if s.kind == "empty" or "/" not in s.mime or s.mime == _OCTET or s.mime.startswith("inode/"):
        return None
    return s.mime


class _Context:
    def __init__(self, root: str, shown: str, lang: str, values: dict[str, str], slots: list[nm.Slot],
                 base: Spec | None, core: Spec, extends: str | None, seen: list[Seen], skipped: list[str]):
        self.root, self.shown, self.lang, self.values, self.slots = root, shown, lang, values, slots
        self.base, self.core, self.extends, self.seen, self.skipped = base, core, extends, seen, skipped
        self.doc_count = 0
        self._sheets: dict[str, Field] = {}  # path -> drafted sheet: the text is rendered more than once

    # -- naming rules from the names themselves (the self-check relaxes what they still break)
    def naming(self) -> _Naming:
        from validator.checks.naming import _FULLWIDTH_RE, _SPACE_RE, copy_marker

        n = _Naming()
        names = [s.entry.name for s in self.seen]
        longest = max((len(x) for x in names), default=0)
        n.max_length = max(60, -(-(longest + 10) // 10) * 10)
        n.why["max_length"] = say("naming_len", self.lang, longest=longest, limit=n.max_length)
        deepest = max((len(s.entry.rel) for s in self.seen), default=0)
        n.max_path_length = max(200, -(-(deepest + 20) // 10) * 10)
        n.why["max_path_length"] = say("naming_path", self.lang, longest=deepest, limit=n.max_path_length)
        kept_out = []
        if any(_FULLWIDTH_RE.search(x) for x in names):
            kept_out.append("fullwidth")
        if any(_SPACE_RE.search(x) for x in names):
            kept_out.append("whitespace")
        if any(copy_marker(nm.split(x)[0]) for x in names):
            kept_out.append("copy_suffix")
        n.forbid = [f for f in n.forbid if f not in kept_out]
        n.why["forbid"] = (say("naming_forbid_some", self.lang, kept_out=", ".join(kept_out)) if kept_out
                           else say("naming_forbid", self.lang))
        upper = any(ext != ext.lower() for ext in (s.ext for s in self.seen))
        n.extension_case = "any" if upper else "lower"
        n.why["extension_case"] = say("naming_ext_any" if upper else "naming_ext", self.lang)
        return n

    def relax(self, n: _Naming, codes: set[str]) -> None:
        n.relaxed |= codes
        drop = {"N105": "fullwidth", "N106": "whitespace", "N107": "copy_suffix"}
        n.forbid = [f for f in n.forbid if f not in {drop[c] for c in codes if c in drop}]
        if "N110" in codes:
            n.extension_case = "any"
        if "N103" in codes:
            n.platform = "linux"  # only `/` and NUL are refused there
        if "N104" in codes:
            n.max_length = 255
        if "N111" in codes:
            n.max_path_length = 4096

    # -- the whole text
    def render(self, naming: _Naming, remaining: Sequence[Defect] = (), why_not: str | None = "") -> str:
        lang = self.lang
        items, same = self._documents()
        self.doc_count = len(items)
        head = [say("head", lang, folder=clean(self.shown))]
        head.append(say("head_seen", lang, files=len(self.seen), docs=len(items),
                        values=listing(sorted(self.values), lang, 8)) if self.values
                    else say("head_no_client", lang))
        if self.base is not None:
            head.append(say("head_extends", lang, base=self.extends, same=listing(same, lang, 8) or "-"))
        if self.skipped:
            head.append(say("head_skipped", lang, items=listing(self.skipped, lang, 6)))
        if why_not is None:
            if remaining:
                shown = [f"{d.code} {d.path or '.'}" for d in remaining]
                head.append(say("selfcheck_left", lang, n=len(remaining), items=listing(shown, lang, 6)))
            else:
                head.append(say("selfcheck_ok", lang))
        elif why_not:
            head.append(say("selfcheck_skipped", lang, why=why_not))
        lines = [f"# {clean(h)}" for h in head]
        lines += write_fields(self._top(), "")
        variables = self._variables()
        if variables:
            lines.append("variables:")
            lines += write_fields(variables, "  ")
        naming_fields = self._naming_fields(naming)
        if naming_fields:
            lines.append("naming:")
            lines += write_fields(naming_fields, "  ")
        if self.base is None:
            lines += write_fields([Field("ignore", list(self.core.ignore)), Field("unexpected_files", "error")], "")
        lines.append("documents:" if items else "documents: []")
        lines += write_items(items)
        return "\n".join(lines) + "\n"

    def _top(self) -> list[Field]:
        folder = os.path.basename(self.root) or self.root
        if os.path.isfile(self.root):  # a zipped pack: named as the folder it stands for
            folder = os.path.splitext(folder)[0] or folder
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", folder).strip("-_")
        spec_id = ("draft-" + slug) if slug and slug[0].isalpha() else "draft"
        out = [Field("id", spec_id[:60], say("id", self.lang)),
               Field("title", f"{self.values.get('company') or folder}材料规范（草稿）")]
        if self.base is not None:
            out.insert(0, Field("extends", self.extends))
        year = self.values.get("year", "")
        if re.fullmatch(r"(?:19|20)\d{2}", year):
            out.append(Field("year", int(year), say("year", self.lang)))
        out.append(Field("version", "draft"))
        return out

    def _variables(self) -> list[Field]:
        declared = self.base.variables if self.base is not None else {}
        in_names = {s.var for x in self.seen for s in x.slots}
        out = []
        for var, value in self.values.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var) or var in declared:
                continue
            known = self.core.variables.get(var)
            spec: dict[str, Any] = {}
            if known is not None:
                spec["title"] = known.title
                if known.type:
                    spec["type"] = known.type
                if known.pattern:
                    spec["pattern"] = known.pattern
                why = say("var_known", self.lang)
                required = known.required
            else:
                spec["title"] = var
                if re.fullmatch(r"\d{1,9}", value):
                    spec["type"] = "integer"
                why = say("var_new", self.lang, value=value[:40],
                          kind=say("var_integer", self.lang) if "type" in spec else "")
                required = False
            if var in in_names:
                required = True
                why += say("var_in_names", self.lang)
            if required:
                spec["required"] = True
            out.append(Field(var, spec, why))
        for var, known in declared.items():  # the base needs a value this client does not have
            if known.required and not self.values.get(var) and known.default is None and var != "year":
                out.append(Field(var, {"required": False}, say("var_absent", self.lang)))
        return out

    def _naming_fields(self, n: _Naming) -> list[Field]:
        relaxed = say("relaxed", self.lang, codes=", ".join(sorted(n.relaxed))) if n.relaxed else ""
        if self.base is not None:  # inherited; only what the folder forces to relax
            out = []
            if n.relaxed & {"N105", "N106", "N107"}:
                out.append(Field("forbid", [f for f in self.base.naming.forbid if f in n.forbid], relaxed))
            if "N110" in n.relaxed:
                out.append(Field("extension_case", "any", relaxed))
            if "N103" in n.relaxed:
                out.append(Field("platform", n.platform, relaxed))
            if "N104" in n.relaxed:
                out.append(Field("max_length", n.max_length, relaxed))
            if "N111" in n.relaxed:
                out.append(Field("max_path_length", n.max_path_length, relaxed))
            return out
        return [
            Field("max_length", n.max_length, relaxed if "N104" in n.relaxed else n.why["max_length"]),
            Field("max_path_length", n.max_path_length,
                  relaxed if "N111" in n.relaxed else n.why["max_path_length"]),
            Field("platform", n.platform, relaxed if "N103" in n.relaxed else ""),
            Field("forbid", n.forbid, relaxed if n.relaxed & {"N105", "N106", "N107"} else n.why["forbid"]),
            Field("extension_case", n.extension_case, relaxed if "N110" in n.relaxed else n.why["extension_case"]),
        ]

    # -- documents
    def _documents(self) -> tuple[list[Item], list[str]]:
        groups: dict[str, list[Seen]] = defaultdict(list)
        base_docs: dict[str, DocumentSpec] = {}
        if self.base is not None:
            from validator.checks.documents import assign

            for s in self.seen:
                a = assign(self.base, s.entry.name, self.values)
                if a.document is not None:
                    base_docs[a.document.id] = a.document
                    groups[("base:" if a.match else "renamed:") + a.document.id].append(s)
                else:
                    groups[nm.family_key(s.template)].append(s)
        else:
            for s in self.seen:
                groups[nm.family_key(s.template)].append(s)
        items: list[Item] = []
        same: list[str] = []
        taken = {d.id for d in self.base.documents} if self.base is not None else set()
        for key in sorted(groups, key=lambda k: min(s.entry.name for s in groups[k])):
            files = sorted(groups[key], key=lambda s: s.entry.rel)
            if key.startswith(("base:", "renamed:")):
                doc = base_docs[key.split(":", 1)[1]]
                override = self._override(doc, files, renamed=key.startswith("renamed:"))
                if override is None:
                    same.append(doc.id)
                else:
                    items.append(override)
                continue
            items.append(self._new_document(key, files, taken))
        if self.base is not None:
            present = {k.split(":", 1)[1] for k in groups if k.startswith(("base:", "renamed:"))}
            for doc in self.base.documents:
                if doc.id not in present and doc.required and doc.count.min > 0:
                    items.append(Item([Field("id", doc.id), Field("required", False, say("ext_absent", self.lang))],
                                      [f"{doc.id}: {doc.title}"]))
        return items, same

    def _doc_id(self, key: str, taken: set[str]) -> str:
        stem = f"doc{int(key[1:]):02d}" if key.startswith("#") else "doc"
        candidate, k = stem, 2
        while candidate in taken or candidate == "doc":
            candidate, k = f"{stem}_{k}", k + 1
        taken.add(candidate)
        return candidate

    def _name_field(self, files: Sequence[Seen]) -> tuple[Field, str]:
        stem = nm.family_template([s.template for s in files]) if len(files) > 1 else files[0].template
        template = stem + nm.extension_template([s.ext for s in files])
        used: dict[str, nm.Slot] = {}
        for s in files:
            for slot in s.slots:
                if nm.SLOT + chr(65 + self.slots.index(slot)) in template:
                    used.setdefault(slot.var, slot)
        pattern, is_regex = nm.render_name(template, list(used.values()), self.slots)
        pairs = "、" if self.lang == "zh" else ", "
        slot_text = say("slots", self.lang, pairs=pairs.join(
            say("slot_pair", self.lang, value=s.value, var=s.var) for s in used.values())) if used else ""
        if is_regex:
            why = say("name_regex", self.lang)
        elif len(files) > 1 and nm.WILD in template:
            why = say("name_family", self.lang, slots=slot_text)
        else:
            why = say("name_exact", self.lang, slots=slot_text)
        return Field("regex" if is_regex else "name", pattern, why), nm.title_of(stem)

    def _new_document(self, key: str, files: list[Seen], taken: set[str]) -> Item:
        lang = self.lang
        name_field, title = self._name_field(files)
        doc_id = self._doc_id(key, taken)
        names = [s.entry.rel for s in files]
        above = [say("doc_files" if len(files) > 1 else "doc_file", lang, n=len(files), names=listing(names, lang))]
        fields = [Field("id", doc_id), Field("title", title or files[0].entry.name, say("doc_title", lang)),
                  name_field]
        if len(files) > 1:
            lo = (len(files) + 1) // 2
            fields.append(Field("count", f"{lo}+", say("count", lang, n=len(files), lo=lo)))
        fields += self._content_fields(files)
        return Item(fields, above)

    def _content_fields(self, files: Sequence[Seen]) -> list[Field]:
        lang = self.lang
        out: list[Field] = []
        types = [_type_name(s) for s in files]
        seen_kinds = sorted({s.kind for s in files})
        if all(types):
            wanted = sorted({t for t in types if t})
            out.append(Field("types", wanted, say("types", lang, seen=", ".join(seen_kinds))))
        else:
            out.append(Field("# types", None, say("types_unknown", lang, seen=", ".join(seen_kinds))))
        sizes = [s.size for s in files]
        largest, smallest = max(sizes), min(sizes)
        out.append(Field("max_size", size_text(nice_up(max(4 * largest, _MB))),
                         say("max_size", lang, size=size_text_h(largest))))
        low = nice_down(smallest // 4)
        if low:
            out.append(Field("min_size", size_text(low), say("min_size", lang, size=size_text_h(smallest))))
        else:
            out.append(Field("# min_size", None, say("min_size_none", lang, size=size_text_h(smallest))))
        pdfs = [s for s in files if s.kind == "pdf"]
        if pdfs:
            out.append(self._pdf_field(pdfs))
        sheets = [s for s in files if s.kind in ("xlsx", "xlsm")]
        if sheets and len(sheets) == len(files):
            out.append(self._sheet_field(sheets[0]))
        return out

    def _pdf_field(self, pdfs: Sequence[Seen]) -> Field:
        lang = self.lang
        pdf: dict[str, Any] = {}
        why: list[str] = []
        if any(s.encrypted for s in pdfs):
            why.append(say("pdf_encrypted", lang))
        else:
            pdf["encrypted"] = False
        problems = [s.pdf_problem for s in pdfs if s.pdf_problem or not s.pages]
        if problems:
            why.append(say("pdf_unread", lang, why=", ".join(sorted({p or "?" for p in problems}))))
        else:
            pages = sorted({s.pages or 0 for s in pdfs})
            hi = max(3, 2 * pages[-1])
            pdf["pages"] = f"1-{hi}"
            seen = str(pages[0]) if len(pages) == 1 else f"{pages[0]}-{pages[-1]}"
            why.append(say("pdf", lang, seen=seen))
        return Field("pdf", pdf, "; ".join(why)) if pdf else Field("# pdf", None, "; ".join(why))

    def _sheet_field(self, s: Seen) -> Field:
        if s.entry.path not in self._sheets:
            self._sheets[s.entry.path] = self._draft_sheet(s)
        return self._sheets[s.entry.path]

    def _draft_sheet(self, s: Seen) -> Field:
        from validator.drafting.columns import draft_sheet

        assert s.facts is not None  # a workbook's facts are kept when it is seen
        sheet = draft_sheet(s.facts, self.lang, [v for v in self.values.values() if len(v) >= 4])
        if isinstance(sheet, str):
            return Field("# sheet", None, sheet)
        block = Block([
            Field("name", sheet.name, sheet.comments["name"]),
            Field("header_row", sheet.header_row, sheet.comments["header_row"]),
            Field("order", "strict"),
            Field("extra_columns", sheet.extra_columns, sheet.comments["extra_columns"]),
            Field("min_rows", 1, sheet.comments["min_rows"]),
        ], "columns", [({"name": c.name, **c.fields}, c.why) for c in sheet.columns])
        return Field("sheet", block)

    def _override(self, doc: DocumentSpec, files: list[Seen], *, renamed: bool) -> Item | None:
        """An override of the base's document by id, with only what the folder contradicts;
        None when the folder agrees with it."""
        from validator.checks.sheet import header_key
        from validator.sniff import kind_matches
        from validator.spec.model import human_size

        lang = self.lang
        fresh = {f.key: f for f in self._content_fields(files)}
        fields: list[Field] = []
        what: list[str] = []
        if renamed:
            name_field, _ = self._name_field(files)
            pattern = doc.pattern.display(self.values)
            what.append(say("ext_name", lang, found=files[0].entry.name, pattern=pattern))
            fields.append(name_field)
        if len(files) not in doc.count:
            lo = min(len(files), doc.count.min)
            fields.append(Field("count", f"{lo}+", say("ext_count", lang, n=len(files), count=str(doc.count))))
            what.append(say("ext_count", lang, n=len(files), count=str(doc.count)))
        if doc.types and not all(any(kind_matches(s.kind, s.mime, t) for t in doc.types) for s in files):
            seen = sorted({s.kind for s in files})
            wanted = sorted(set(doc.types) | {t for t in (_type_name(s) for s in files) if t})
            fields.append(Field("types", wanted, say("ext_types", lang, seen=", ".join(seen),
                                                      types=", ".join(doc.types))))
            what.append(say("ext_types", lang, seen=", ".join(seen), types=", ".join(doc.types)))
        sizes = [s.size for s in files]
        if (doc.max_size is not None and max(sizes) > doc.max_size) or \
                (doc.min_size is not None and min(sizes) < doc.min_size):
            limits = f"{human_size(doc.min_size or 0)}-{human_size(doc.max_size) if doc.max_size else '∞'}"
            what.append(say("ext_size", lang, limits=limits))
            if doc.max_size is not None and max(sizes) > doc.max_size and "max_size" in fresh:
                fields.append(fresh["max_size"])
            if doc.min_size is not None and min(sizes) < doc.min_size:
                fields.append(fresh.get("min_size") or Field("min_size", 0, fresh["# min_size"].why))
        pdf = doc.pdf
        pages = [s.pages for s in files if s.pages]
        pages_off = pdf is not None and pdf.pages is not None and not all(p in pdf.pages for p in pages)
        locked = pdf is not None and pdf.encrypted is False and any(s.encrypted for s in files)
        if pages_off or locked:
            shown_pages = ",".join(map(str, sorted(set(pages))))
            what.append(say("ext_pages", lang, seen=shown_pages, pages=str(pdf and pdf.pages)))
            drafted = fresh.get("pdf")
            pdf_rules: dict[str, Any] = dict(drafted.value) if drafted is not None else {}
            if locked:
                pdf_rules["encrypted"] = True  # merged key by key: the base's `false` must be overwritten
            fields.append(Field("pdf", pdf_rules, drafted.why if drafted is not None else ""))
        if doc.sheet is not None and all(s.kind in ("xlsx", "xlsm") for s in files):
            drafted = self._sheet_field(files[0])
            if isinstance(drafted.value, Block):
                names = [header_key(str(m["name"])) for m, _ in drafted.value.items]
                if names != [header_key(c.name) for c in doc.sheet.columns]:
                    what.append(say("ext_columns", lang))
                    fields.append(drafted)
        if not fields:
            return None
        above = [say("ext_override", lang, base=self.extends, id=doc.id, what="; ".join(what))]
        return Item([Field("id", doc.id), *fields], above)


def size_text_h(n: int) -> str:
    from validator.spec.model import human_size

    return human_size(n)


# ---------------------------------------------------------------------------- self-check


def _self_check(root: str, text: str) -> tuple[list[Defect], str | None]:
    """Check the folder against the draft; (error and warning defects, None) or ([], why not).
    The draft goes to a temporary file outside the folder (the folder is never written)."""
    from validator.api import check_folder
    from validator.model import Severity
    from validator.spec import SpecError, load_spec

    tmp_root = tempfile.gettempdir()
    real_root = os.path.realpath(root)
    if os.path.commonpath([os.path.realpath(tmp_root), real_root]) == real_root:
        return [], "the temporary folder lies inside the checked folder"
    fd, path = tempfile.mkstemp(prefix="validator-init-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            spec = load_spec(path)
        except SpecError as exc:
            return [], str(exc).splitlines()[0] if str(exc) else "spec error"
        result = check_folder(root, spec)
    finally:
        os.unlink(path)
    kept = [d for d in result.defects if d.severity in (Severity.ERROR, Severity.WARNING)]
    return sorted(kept, key=lambda d: d.sort_key()), None
