"""JSON Schema validation of a description (schema.json, draft 2020-12), each error turned
into a Problem that names the path, the line and what to write instead."""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from sysdesc.loader import Positions, Problem, path_str

SCHEMA_PATH = Path(__file__).with_name("schema.json")

_TYPE_NAMES = {
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')",
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "number": "a number",
}


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


@functools.cache
def validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean "x"?)' for the closest of ``choices``, or ''."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _hint(error: ValidationError) -> str | None:
    """The x-hint of the schema that failed, or of the sub-schema a $ref led to."""
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    if hint:
        return str(hint)
    parent = error.parent
    while parent is not None:
        if isinstance(parent.schema, dict) and parent.schema.get("x-hint"):
            return str(parent.schema["x-hint"])
        parent = parent.parent
    return None


def _message(error: ValidationError) -> tuple[list[str | int], str]:
    """(path, message) for one schema error."""
    path: list[str | int] = list(error.absolute_path)
    v = error.validator
    inst = error.instance
    hint = _hint(error)
    if v == "required":
        missing = str(error.message).split("'")[1]
        return path, f"missing key {missing!r}; add `{missing}: ...` here"
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in inst if k not in allowed)
        key = extra[0]
        return [*path, key], (
            f"unknown key {key!r}{closest(key, allowed)}; allowed here: {', '.join(allowed)}"
        )
    if v == "enum":
        choices = [str(c) for c in error.validator_value]
        return path, (
            f"{_show(inst)} is not allowed{closest(str(inst), choices)}; "
            f"use one of: {', '.join(choices)}"
        )
    if v == "type":
        want = error.validator_value
        want_s = _TYPE_NAMES.get(want, want) if isinstance(want, str) else want
        return path, f"{_show(inst)} is not {hint or want_s}; write {hint or want_s} here"
    if v in ("anyOf", "oneOf") and error.context:
        # A value of the right type that failed inside its branch: report that failure.
        inner = [e for e in error.context if e.validator != "type" and e.validator != "pattern"]
        if inner and isinstance(inst, (dict, list)):
            return _message(best_match(inner))
    if v in ("anyOf", "oneOf", "pattern"):
        what = hint or f"matching {error.schema.get('pattern')}"
        return path, f"{_show(inst)} is not {what}"
    if v in ("minimum", "maximum"):
        word = "at least" if v == "minimum" else "at most"
        return path, f"{_show(inst)} is out of range; use a value {word} {error.validator_value}"
    if v == "minItems":
        return path, f"the list is empty; give at least {error.validator_value} entry"
    if v == "uniqueItems":
        return path, "an entry is listed twice; list each once"
    if v == "maxLength":
        return path, f"{_show(inst)} is too long; {hint or 'shorten it'}"
    return path, f"{error.message}{'; ' + hint if hint else ''}"


def schema_problems(data: Any, pos: Positions, file: str) -> list[Problem]:
    """Problems the schema finds, sorted by line; empty when the document conforms."""
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in validator().iter_errors(data):
        path, msg = _message(error)
        key = (path_str(path), msg)
        if key in seen:
            continue
        seen.add(key)
        out.append(Problem(file, pos.line(path), path_str(path), msg))
    return sorted(out, key=lambda p: (p.line, p.path, p.message))
