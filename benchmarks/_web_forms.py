"""Read the expert pages' HTML forms and fill them like an expert would (web_submit's driver)."""

from __future__ import annotations

import html
import re
import zlib
from typing import Any

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
TAG_RE = re.compile(r"<(input|button|textarea|select|option)\b([^>]*)>|</(select)>", re.I)
ATTR_RE = re.compile(r"""([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
TEXTAREA_END = re.compile(r"</textarea>", re.I)


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in ATTR_RE.finditer(text)}


def parse_forms(page: str) -> list[dict[str, Any]]:
    """Every <form> of a page: action, method, fields and submit buttons.

    Regular expressions rather than html.parser: the driver shares the two
    cores with the server, and a full HTML parse of the answer form costs
    more CPU than some of the requests it measures.
    """
    forms = []
    for form_match in FORM_RE.finditer(page):
        a = _attrs(form_match.group(1))
        form: dict[str, Any] = {"action": a.get("action", ""),
                                "method": a.get("method", "get").lower(),
                                "fields": [], "buttons": []}
        body, select = form_match.group(2), None
        for m in TAG_RE.finditer(body):
            if m.group(3):
                select = None
                continue
            tag, a = m.group(1).lower(), _attrs(m.group(2))
            if tag == "input":
                kind = a.get("type", "text").lower()
                if kind == "submit":
                    form["buttons"].append((a.get("name", ""), a.get("value", "")))
                else:
                    form["fields"].append({"type": kind, "name": a.get("name", ""),
                                           "value": a.get("value", ""),
                                           "checked": "checked" in a})
            elif tag == "button":
                if a.get("type", "submit").lower() == "submit":
                    form["buttons"].append((a.get("name", ""), a.get("value", "")))
            elif tag == "textarea":
                close = TEXTAREA_END.search(body, m.end())
                text = body[m.end():close.start()] if close else ""
                form["fields"].append({"type": "textarea", "name": a.get("name", ""),
                                       "value": html.unescape(text).lstrip("\n")})
            elif tag == "select":
                select = {"type": "select", "name": a.get("name", ""), "value": None,
                          "options": []}
                form["fields"].append(select)
            elif tag == "option" and select is not None:
                select["options"].append(a.get("value", ""))
                if "selected" in a:
                    select["value"] = a.get("value", "")
        forms.append(form)
    return forms


BUTTON_PREFERENCE = ("submit", "review")
SKIPPED_BUTTONS = ("draft", "edit")


def pick_form(page: str) -> tuple[dict[str, Any], tuple[str, str]] | None:
    """The answer form of a page and the button a finishing expert presses."""
    candidates = [f for f in parse_forms(page) if f["method"] == "post"
                  and not f["action"].rstrip("/").endswith(("/language", "/logout"))]
    for wanted in BUTTON_PREFERENCE:
        for form in candidates:
            for button in form["buttons"]:
                if button == ("action", wanted):
                    return form, button
    for form in sorted(candidates, key=lambda f: -len(f["fields"])):
        usable = [b for b in form["buttons"] if b[1] not in SKIPPED_BUTTONS
                  and not b[1].startswith("reveal-")]
        if usable:
            return form, usable[0]
    return None


def fill(form: dict[str, Any], expert: int) -> list[tuple[str, str]]:
    """The form's fields as a finishing expert fills them (deterministic per expert)."""
    data: list[tuple[str, str]] = []
    radios: dict[str, list[dict[str, Any]]] = {}
    for field in form["fields"]:
        name, kind, value = field["name"], field["type"], field["value"]
        if not name:
            continue
        if kind == "radio":
            radios.setdefault(name, []).append(field)
        elif kind == "checkbox":
            if not name.endswith("_abstain"):  # consent and the like: tick; abstain: don't
                data.append((name, value or "y"))
        elif kind == "select":
            data.append((name, value if value is not None else (field["options"] or [""])[0]))
        elif value:
            data.append((name, value))
        else:
            data.append((name, _answer(name, expert)))
    for name, group in radios.items():
        checked = [f for f in group if f["checked"]]
        chosen = checked[0] if checked else group[(expert + zlib.crc32(name.encode()))
                                                   % len(group)]
        data.append((name, chosen["value"]))
    return data


def best_guess(prefix: str, expert: int) -> int:
    """The likelihood best guess (percent) an expert gives for one question."""
    return (expert * 7 + zlib.crc32(prefix.encode())) % 70 + 15


def _answer(name: str, expert: int) -> str:
    prefix, _, suffix = name.rpartition("_")
    if suffix in ("lowest", "best", "highest"):
        best = best_guess(prefix, expert)
        return str({"lowest": best - 10, "best": best, "highest": best + 10}[suffix])
    if suffix == "confidence":
        return "80"
    if suffix in ("q05", "q50", "q95"):
        return {"q05": "1000", "q50": "2000", "q95": "4000"}[suffix]
    if suffix == "value":
        return "50"
    if suffix == "rationale":
        return f"Reasoning of expert {expert}."
    return "1"
