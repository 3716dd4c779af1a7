"""Concrete example URLs for every rule of the URL map (ids set to 1)."""

from __future__ import annotations

from werkzeug.routing import AnyConverter, IntegerConverter, Rule


def example_value(converter) -> object:
    """A value the converter accepts: 1 for ids, the first choice of an `any(...)`."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def example_path(app, rule: Rule) -> str:
    """The rule's URL with every argument filled in."""
    values = {name: example_value(conv) for name, conv in rule._converters.items()}
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=next(iter(rule.methods or {"GET"})))
