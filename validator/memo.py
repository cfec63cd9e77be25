"""A value worked out once per live object, by identity: specs and leak indexes hold dicts, so
they cannot key a dict themselves, and an id alone may be reused once its object is gone."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: A memo table: id(obj) -> (weak reference to obj, the value made for it).
Table = dict[int, tuple[weakref.ref[Any], Any]]


def per_object(table: Table, obj: Any, make: Callable[[], T]) -> T:
    """``make()`` once per live object ``obj`` (forgotten when ``obj`` goes)."""
    found = table.get(id(obj))
    if found is not None and found[0]() is obj:
        return found[1]
    key = id(obj)

    def forget(ref: weakref.ref[Any]) -> None:
        if table.get(key, (None, None))[0] is ref:
            del table[key]

    value = make()
    table[key] = (weakref.ref(obj, forget), value)
    return value
