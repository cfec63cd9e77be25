"""A tiny declarative schema language: validates marked YAML and exports JSON Schema.

One description of the spec format serves three jobs: refusing a bad spec with
file:line:col, documenting every key, and `validator specs schema` for editors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from validator.spec.yamlmarks import Mark, MDict, MList, mark_of

Problems = list[tuple[Mark | None, str]]


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number", str: "text"}.get(
        type(value),
        "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else type(value).__name__,
    )


class Schema:
    doc: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _with_doc(self, js: dict[str, Any]) -> dict[str, Any]:
        if self.doc:
            js["description"] = self.doc
        return js


@dataclass
class Str(Schema):
    doc: str = ""
    enum: tuple[str, ...] = ()
    pattern: str | None = None  # a regex the text must fully match
    pattern_hint: str = ""
    validate: Callable[[str], str | None] | None = None  # returns a problem text

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if not isinstance(value, str):
            if self.enum:
                out.append((where, f"{path}: expected one of {', '.join(self.enum)}, got {_type_name(value)}"))
            else:
                out.append((where, f"{path}: expected text, got {_type_name(value)}"))
            return
        if self.enum and value not in self.enum:
            near = difflib.get_close_matches(value, self.enum, 1)
            tip = f" (did you mean '{near[0]}'?)" if near else ""
            out.append((where, f"{path}: '{value}' is not one of {', '.join(self.enum)}{tip}"))
        elif self.pattern and not re.fullmatch(self.pattern, value):
            out.append((where, f"{path}: '{value}' is not valid; expected {self.pattern_hint or self.pattern}"))
        elif self.validate:
            problem = self.validate(value)
            if problem:
                out.append((where, f"{path}: {problem}"))

    def json_schema(self) -> dict[str, Any]:
        js: dict[str, Any] = {"type": "string"}
        if self.enum:
            js["enum"] = list(self.enum)
        if self.pattern:
            js["pattern"] = f"^(?:{self.pattern})$"
        return self._with_doc(js)


@dataclass
class Int(Schema):
    doc: str = ""
    minimum: int | None = None

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            out.append((where, f"{path}: expected a whole number, got {_type_name(value)}"))
        elif self.minimum is not None and value < self.minimum:
            out.append((where, f"{path}: must be at least {self.minimum}"))

    def json_schema(self) -> dict[str, Any]:
        js: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            js["minimum"] = self.minimum
        return self._with_doc(js)


@dataclass
class Num(Schema):
    doc: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append((where, f"{path}: expected a number, got {_type_name(value)}"))

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "number"})


@dataclass
class Bool(Schema):
    doc: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if not isinstance(value, bool):
            out.append((where, f"{path}: expected true or false, got {_type_name(value)}"))

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "boolean"})


@dataclass
class Any_(Schema):
    doc: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        return

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({})


@dataclass
class OneOf(Schema):
    options: tuple[Schema, ...] = ()
    doc: str = ""
    expected: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        attempts: list[Problems] = []
        for option in self.options:
            found: Problems = []
            option.check(value, where, path, found)
            if not found:
                return
            attempts.append(found)
        # Report the option whose type fitted (fewest problems), else the generic expectation.
        best = min(attempts, key=len)
        if self.expected and all(len(a) == 1 and "expected" in a[0][1] for a in attempts):
            out.append((where, f"{path}: expected {self.expected}, got {_type_name(value)}"))
        else:
            out.extend(best)

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"anyOf": [o.json_schema() for o in self.options]})


@dataclass
class ListOf(Schema):
    item: Schema = field(default_factory=Any_)
    doc: str = ""
    min_items: int = 0

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if not isinstance(value, list):
            out.append((where, f"{path}: expected a list, got {_type_name(value)}"))
            return
        if len(value) < self.min_items:
            out.append((where, f"{path}: needs at least {self.min_items} item(s)"))
        for i, item in enumerate(value):
            label = item.get("id", i) if isinstance(item, dict) and isinstance(item.get("id"), str) else i
            self.item.check(item, mark_of(value, i) or where, f"{path}[{label}]", out)

    def json_schema(self) -> dict[str, Any]:
        js: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            js["minItems"] = self.min_items
        return self._with_doc(js)


@dataclass
class MapOf(Schema):
    value: Schema = field(default_factory=Any_)
    doc: str = ""
    key_pattern: str | None = None
    key_hint: str = ""

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if not isinstance(value, dict):
            out.append((where, f"{path}: expected a mapping, got {_type_name(value)}"))
            return
        for key, item in value.items():
            kmark = value.key_marks.get(key) if isinstance(value, MDict) else where
            if self.key_pattern and not re.fullmatch(self.key_pattern, key):
                out.append((kmark, f"{path}: key '{key}' is not valid; expected {self.key_hint or self.key_pattern}"))
            self.value.check(item, mark_of(value, key) or where, f"{path}.{key}", out)

    def json_schema(self) -> dict[str, Any]:
        js: dict[str, Any] = {"type": "object", "additionalProperties": self.value.json_schema()}
        if self.key_pattern:
            js["propertyNames"] = {"pattern": f"^(?:{self.key_pattern})$"}
        return self._with_doc(js)


@dataclass
class Obj(Schema):
    fields: dict[str, Schema] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    doc: str = ""
    exclusive: tuple[tuple[str, ...], ...] = ()  # at most one key of each group
    one_of_required: tuple[str, ...] = ()  # at least one of these keys

    def check(self, value: Any, where: Mark | None, path: str, out: Problems) -> None:
        if not isinstance(value, dict):
            out.append((where, f"{path}: expected a mapping, got {_type_name(value)}"))
            return
        for key, item in value.items():
            kmark = value.key_marks.get(key, where) if isinstance(value, MDict) else where
            sub = self.fields.get(key)
            if sub is None:
                near = difflib.get_close_matches(key, list(self.fields), 1)
                tip = f" (did you mean '{near[0]}'?)" if near else ""
                allowed = ", ".join(self.fields)
                out.append((kmark, f"{path + ': ' if path else ''}unknown key '{key}'{tip}; allowed keys: {allowed}"))
                continue
            sub.check(item, mark_of(value, key) or where, f"{path}.{key}" if path else key, out)
        for key in self.required:
            if key not in value:
                out.append((where, f"{path or 'spec'}: missing required key '{key}'"))
        for group in self.exclusive:
            present = [k for k in group if k in value]
            if len(present) > 1:
                out.append((where, f"{path}: use only one of {', '.join(present)}"))
        if self.one_of_required and not any(k in value for k in self.one_of_required):
            out.append((where, f"{path}: needs one of {', '.join(self.one_of_required)}"))

    def json_schema(self) -> dict[str, Any]:
        js: dict[str, Any] = {
            "type": "object",
            "properties": {k: v.json_schema() for k, v in self.fields.items()},
            "additionalProperties": False,
        }
        if self.required:
            js["required"] = list(self.required)
        return self._with_doc(js)


def at(container: MDict | MList | None, key: Any) -> Mark | None:
    return mark_of(container, key) if container is not None else None
