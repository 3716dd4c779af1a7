"""Characters no text field may hold: NUL, other control characters, lone surrogates.

PostgreSQL cannot store a NUL in a text column (the driver raises, the page
answered 500) and a lone surrogate cannot be encoded to UTF-8 at all. Both
are refused where input enters — form fields (`elicit.fields.BaseForm`),
query strings and JSON bodies (`elicit.input_guard`), CSV cells
(`csv_rows`) and uploaded JSON (`walk_problem`) — with a message that names
the field. Tab, line feed and carriage return stay allowed.
"""

from __future__ import annotations

import re
from typing import Any

_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_JSON_DEPTH = 64


def text_problem(text: str) -> str | None:
    """Why `text` cannot be accepted (a sentence ending without a full stop), or None."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character (\\x00), which cannot be stored"
    if "\ud800" <= char <= "\udfff":
        return "contains a lone surrogate (broken Unicode), which cannot be stored"
    return f"contains the control character U+{ord(char):04X}; remove it"


def walk_problem(value: Any, where: str = "body") -> tuple[str, str] | None:
    """The first (place, problem) in a decoded JSON value, or None.

    Keys and string values are checked; nesting deeper than MAX_JSON_DEPTH is
    a problem too. Iterative, so a hostile document cannot exhaust the stack.
    """
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, place, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return place, f"is nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(item, str):
            if problem := text_problem(item):
                return place, problem
        elif isinstance(item, dict):
            for key, child in item.items():
                key_text = str(key)
                if problem := text_problem(key_text):
                    return place, f"has a key that {problem}"
                stack.append((child, f"{place}.{key_text}" if place else key_text, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{place}[{n}]", depth + 1)
                         for n, child in enumerate(item, start=1))
    return None
