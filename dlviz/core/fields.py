"""Typed reads from the JSON inside dlviz files: a missing or mistyped field is a DlvizError.

A file can hold any JSON value where dlviz expects a number or an object.
The readers ask for each field through :class:`Fields`, which names the file
and the field when it is missing or of the wrong type, so they need no
wholesale ``except (KeyError, TypeError, AttributeError)``: such an error
left in a reader is a bug in dlviz, and the tests see it as one.
"""

from __future__ import annotations

import math
from typing import Any

from dlviz.core.errors import DlvizError

_MISSING: Any = object()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


class Fields:
    """One JSON object of a file; ``where`` names it in messages (``'w.json': 'spec'``)."""

    def __init__(self, doc: Any, where: str) -> None:
        if not isinstance(doc, dict):
            raise DlvizError(f"{where} is damaged: expected an object, found {_kind(doc)}")
        self.doc: dict[str, Any] = doc
        self.where = where

    def _get(self, key: str, default: Any) -> Any:
        if key in self.doc:
            return self.doc[key]
        if default is _MISSING:
            raise DlvizError(f"{self.where} is damaged: '{key}' is missing")
        return default

    def _wrong(self, key: str, want: str, value: Any) -> DlvizError:
        return DlvizError(f"{self.where} is damaged: '{key}' should be {want}, not {_kind(value)}")

    def has(self, key: str) -> bool:
        return key in self.doc

    def section(self, key: str) -> Fields:
        return Fields(self._get(key, _MISSING), f"{self.where}, '{key}'")

    def number(self, key: str, default: Any = _MISSING) -> float:
        """A finite number (int or float, not true/false)."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._wrong(key, "a number", value)
        try:
            as_float = float(value)
        except OverflowError:  # an integer past 1e308
            as_float = math.inf
        if not math.isfinite(as_float):
            raise self._wrong(key, "a finite number", value)
        return as_float

    def optional_number(self, key: str) -> float | None:
        """A finite number or null (absent reads as null)."""
        return None if self.doc.get(key) is None else self.number(key)

    def integer(self, key: str, default: Any = _MISSING) -> int:
        """A whole number (``3`` or ``3.0``)."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._wrong(key, "a whole number", value)
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise self._wrong(key, "a whole number", value)
        return int(value)

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self._wrong(key, "text", value)
        return value

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false", value)
        return value

    def items(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self._get(key, default)
        if not isinstance(value, list):
            raise self._wrong(key, "a list", value)
        return value

    def numbers(self, key: str, default: Any = _MISSING) -> list[float]:
        """A list of finite numbers."""
        values = self.items(key, default)
        return [Fields({key: v}, self.where).number(key) for v in values]

    def texts(self, key: str) -> list[str]:
        return [Fields({key: v}, self.where).text(key) for v in self.items(key)]

    def objects(self, key: str, default: Any = _MISSING) -> list[Fields]:
        """A list of objects, each read as :class:`Fields` of its own."""
        values = self.items(key, default)
        return [Fields(v, f"{self.where}, '{key}' {i + 1}") for i, v in enumerate(values)]
