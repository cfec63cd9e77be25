"""The shape of a spec file: every key, its type and its one-line documentation.

docs/spec-format.md explains these keys with examples; `validator specs schema`
prints the JSON Schema made from this description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from validator.spec.dsl import Any_, Bool, Int, ListOf, MapOf, Num, Obj, OneOf, Problems, Schema, Str
from validator.spec.model import Operator, RuleKind, SeverityName
from validator.spec.yamlmarks import Mark

SIZE_RE = r"\s*\d+(\.\d+)?\s*([KMG]i?B|B)?\s*"
RANGE_RE = r"\s*\d+\s*(-\s*\d+|\+)?\s*"
IDENT = r"[A-Za-z_][A-Za-z0-9_\-]*"

# Value types a column or variable may declare; identifiers have check digits.
CELL_TYPES = (
    "text", "integer", "number", "date", "month", "boolean",
    "uscc", "cn_id", "cn_mobile", "licence_no", "icp_record", "email", "ip", "domain",
)
FORBID = ("fullwidth", "whitespace", "copy_suffix")
PLATFORMS = ("windows", "linux", "macos", "posix", "universal")
LEVELS = ("error", "warning", "info", "ignore")


def _regex(value: str) -> str | None:
    from validator.userregex import problem

    return problem(value)


size = OneOf((Int(minimum=0), Str(pattern=SIZE_RE, pattern_hint="a size such as 500KB, 10MB, 1.5GB")),
             doc="bytes, or a size with unit B/KB/MB/GB (1 KB = 1024 B)", expected="a size such as 10MB")
count = OneOf((Int(minimum=0), Str(pattern=RANGE_RE, pattern_hint="a count such as 1, 1-3 or 1+")),
              doc="N, N-M or N+", expected="a count such as 1, 1-3 or 1+")
regex = Str(validate=_regex, doc="a Python regular expression")

variable = Obj(
    doc="A per-client value, filled from client.yaml or --var NAME=VALUE.",
    fields={
        "title": Str(doc="human name shown in messages"),
        "required": Bool(doc="a run without this value reports V101 (default false)"),
        "type": Str(enum=CELL_TYPES, doc="value type; identifiers are checked with their check digits"),
        "pattern": regex,
        "default": OneOf((Str(), Num()), doc="the value used when the client gives none (V106 notes it); "
                         "the `year` variable defaults to the spec's `year:`", expected="text or a number"),
        "description": Str(),
        "example": Any_(doc="an example value, for documentation"),
    },
)

naming = Obj(
    doc="Rules for every file name in the folder.",
    fields={
        "max_length": Int(minimum=1, doc="maximum characters in a file name, extension included"),
        "max_path_length": Int(minimum=1, doc="maximum characters of the relative path"),
        "platform": Str(enum=PLATFORMS, doc="names must be valid on this platform (pathvalidate)"),
        "forbid": ListOf(Str(enum=FORBID), doc="fullwidth, whitespace, copy_suffix"),
        "extension_case": Str(enum=("lower", "any"),
                              doc="lower: report upper-case extensions (default lower)"),
    },
)

# --- cross-field rules ----------------------------------------------------------------
# One mechanism: a rule picks rows (sheet rules) or a situation (package rules) with `when`
# and asserts one thing about them. Conditions nest with all/any/not.

VAR_REF = r"\s*\{\s*" + IDENT + r"\s*\}\s*"
SEVERITIES: tuple[SeverityName, ...] = get_args(SeverityName)
OPERATORS: tuple[Operator, ...] = get_args(Operator)
ASSERTIONS: tuple[RuleKind, ...] = tuple(k for k in get_args(RuleKind) if k != "require_documents")
scalar = OneOf((Str(), Num(), Bool()), expected="text or a number")
bound = OneOf((Num(), Str(pattern=VAR_REF, pattern_hint="a number or a {variable}")),
              doc="a number, or a {variable} holding one", expected="a number or a {variable}")


@dataclass
class Ref(Schema):
    """A named schema used recursively: checks like its target, exports as a JSON Schema $ref."""

    name: str = ""
    doc: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        DEFS[self.name].check(value, where, path, out)

    def json_schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.name}"}


DEFS: dict[str, Schema] = {}


def _condition(columns: bool) -> Obj:
    name = "condition" if columns else "value_condition"
    inner = Ref(name)
    fields: dict[str, Schema] = {}
    if columns:
        fields["column"] = Str(doc="the column (header name) whose cell in the row is tested")
    fields.update({
        "variable": Str(doc="the client value (variable name) that is tested"),
        "equals": OneOf((Str(), Num(), Bool()), doc="the value equals this (text compared after NFKC, "
                        "trimming and case folding; numbers as numbers); may hold {variable}",
                        expected="text or a number"),
        "not_equals": OneOf((Str(), Num(), Bool()), doc="the value differs from this",
                            expected="text or a number"),
        "in": ListOf(scalar, min_items=1, doc="the value is one of these"),
        "not_in": ListOf(scalar, min_items=1, doc="the value is none of these"),
        "matches": Str(validate=_regex, doc="a regular expression found in the value (re.search; "
                       "anchor with ^ $); {variable} inserts the value literally"),
        "filled": Bool(doc="true: the cell/value is not empty; false: it is empty"),
        "min": bound,
        "max": bound,
        "all": ListOf(inner, min_items=1, doc="every condition holds"),
        "any": ListOf(inner, min_items=1, doc="at least one condition holds"),
        "not": inner,
    })
    subjects = (("column",) if columns else ()) + ("variable", "all", "any", "not")
    cond = Obj(
        doc="A condition: a subject (column or variable) with operators that must all hold, "
            "or all/any/not of conditions. On an empty cell only `filled` is decided; other "
            "operators leave the row undecided (not selected by `when`, not failed by `expect`).",
        fields=fields,
        exclusive=(subjects,),
        one_of_required=subjects,
    )
    DEFS[name] = cond
    return cond


row_condition = _condition(columns=True)
value_condition = _condition(columns=False)

_RULE_COMMON: dict[str, Schema] = {
    "id": Str(pattern=IDENT, pattern_hint="letters, digits, _ and -",
              doc="stable rule id; a spec that extends this one overrides or removes the rule by id"),
    "title": Str(doc="short Chinese statement of the rule, shown in messages"),
    "title_en": Str(doc="English statement, shown in English messages (default: title)"),
    "description": Str(),
    "severity": Str(enum=SEVERITIES, doc="severity of its defects (default: the code's, error)"),
    "remove": Bool(doc="in a spec that extends another: drop this inherited rule"),
}

sheet_rule = Obj(
    doc="A cross-field rule over the data rows of this sheet.",
    required=("id",),
    exclusive=(ASSERTIONS,),
    one_of_required=ASSERTIONS,
    fields={
        **_RULE_COMMON,
        "when": row_condition,
        "require": ListOf(Str(), min_items=1,
                          doc="columns that must be filled in every row where `when` holds (C101)"),
        "expect": row_condition,
        "count": Obj(doc="the number of rows where `when` holds (all rows without `when`): C103/C104",
                     fields={"min": bound, "max": bound}, one_of_required=("min", "max")),
        "ip_ranges": Obj(doc="start/end IP columns: same family, start ≤ end, no overlap between rows "
                             "where `when` holds (C105-C107)",
                         required=("start", "end"),
                         fields={"start": Str(doc="column of the first address (or a CIDR block)"),
                                 "end": Str(doc="column of the last address")}),
    },
)

package_rule = Obj(
    doc="A rule over the client's values and the documents of the package.",
    required=("id",),
    exclusive=(("expect", "require_documents"),),
    one_of_required=("expect", "require_documents"),
    fields={
        **_RULE_COMMON,
        "when": value_condition,
        "expect": value_condition,
        "require_documents": ListOf(Str(), min_items=1,
                                    doc="document ids that must be present when `when` holds (C108)"),
    },
)


column = Obj(
    doc="One expected column of the header row, with rules for its cells.",
    required=("name",),
    fields={
        "name": Str(doc="header text, compared after trimming spaces"),
        "type": Str(enum=CELL_TYPES),
        "required": Bool(doc="every data row must have a value"),
        "unique": Bool(doc="no two rows may share a value"),
        "enum": ListOf(OneOf((Str(), Num())), doc="allowed values"),
        "pattern": regex,
        "min": Num(),
        "max": Num(),
        "description": Str(),
    },
)

sheet = Obj(
    doc="Layout and cell rules for a spreadsheet document (xlsx).",
    fields={
        "name": Str(doc="sheet name; default the first sheet"),
        "header_row": Int(minimum=1, doc="1-based row of the header (default 1)"),
        "columns": ListOf(column, min_items=1),
        "order": Str(enum=("strict", "any"), doc="strict: columns in the listed order (default strict)"),
        "extra_columns": Str(enum=(*LEVELS[:2], "ignore"),
                             doc="severity for columns not listed (default error)"),
        "min_rows": Int(minimum=0),
        "max_rows": Int(minimum=0),
        "rules": ListOf(sheet_rule, doc="cross-field rules over the rows (docs/spec-format.md)"),
    },
)

pdf = Obj(
    doc="PDF properties; the PDF is opened only when this key is present.",
    fields={
        "encrypted": Bool(doc="false: an encrypted or edit-restricted PDF is a defect"),
        "pages": count,
    },
)

document = Obj(
    doc="One material of the pack.",
    required=("id", "title"),
    exclusive=(("name", "regex"),),
    one_of_required=("name", "regex"),
    fields={
        "id": Str(pattern=IDENT, pattern_hint="letters, digits, _ and -"),
        "title": Str(doc="Chinese title shown in messages"),
        "name": Str(doc="file name pattern: {variable} placeholders and * wildcards"),
        "regex": regex,
        "required": Bool(doc="default true"),
        "count": count,
        "types": ListOf(Str(), min_items=1, doc="short names (pdf, xlsx, jpg…) or MIME types"),
        "max_size": size,
        "min_size": size,
        "pdf": pdf,
        "sheet": sheet,
        "description": Str(),
        "remove": Bool(doc="in a spec that extends another: drop this inherited document"),
        "unpack": Bool(doc="a zip for this document (types: [zip]) is opened and the files in it checked too"),
        "counterparty": Bool(doc="a contract or a proof from another party (landlord, access provider): a "
                                 "company name in the file name is not taken for another client's (no L101)"),
    },
)

spec = Obj(
    doc="A submission spec: what a materials folder must contain.",
    required=("id", "title", "documents"),
    fields={
        "id": Str(pattern=IDENT, pattern_hint="letters, digits, _ and -"),
        "title": Str(),
        "version": OneOf((Str(), Int(), Num())),
        "year": Int(doc="reporting year the rules are for"),
        "licence": Str(doc="licence code(s) such as B24"),
        "description": Str(),
        "extends": Str(doc="a built-in spec id or a path relative to this file"),
        "variables": MapOf(variable, key_pattern=IDENT, key_hint="letters, digits and _"),
        "naming": naming,
        "ignore": ListOf(Str(), doc="glob patterns of names that are never checked"),
        "unexpected_files": Str(enum=("error", "warning", "info", "ignore")),
        "severity": MapOf(Str(enum=LEVELS), doc="code (or name) -> error|warning|info|ignore"),
        "documents": ListOf(document),
        "rules": ListOf(package_rule, doc="rules over client values and documents (docs/spec-format.md)"),
    },
)


def json_schema() -> dict[str, object]:
    js = spec.json_schema()
    js["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    js["title"] = "validator spec"
    js["$defs"] = {name: schema.json_schema() for name, schema in DEFS.items()}
    # A file that `extends` another may leave out what it inherits (a document override names
    # only its id); the loader checks the merged spec for the rest, with file:line:col.
    js["required"] = ["id"]
    js["properties"]["documents"]["items"]["required"] = ["id"]
    return js
