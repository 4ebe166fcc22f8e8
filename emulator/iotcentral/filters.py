"""Device-group filters: parse the IoT Central query subset of filter.lark into a predicate over devices.

Supported: `SELECT * FROM devices` optionally followed by `WHERE` comparisons (`=`, `!=`, `<>`) of `$id`,
`$displayName`, `$template`, `$provisioned`, `$simulated` and `$enabled` with a string, number or boolean literal,
combined with AND, OR, NOT and parentheses. Anything else is a FilterError (the group PUT answers 400).
"""
import functools
import json
from pathlib import Path

from lark import Lark, Transformer
from lark.exceptions import LarkError

FIELDS = {"$id": "id", "$displayname": "displayName", "$template": "template", "$provisioned": "provisioned",
          "$simulated": "simulated", "$enabled": "enabled"}


class FilterError(ValueError):
    """A filter the emulator cannot evaluate; the message says why."""


@functools.lru_cache(maxsize=1)
def _parser():
    grammar = (Path(__file__).with_name("filter.lark")).read_text(encoding="utf-8")
    return Lark(grammar, start="query", parser="lalr")


class _Compile(Transformer):
    """Turns the tree into closures device -> bool."""

    @staticmethod
    def literal(children):
        token = children[0]
        if token.type == "DQ_STRING":
            return json.loads(token)
        if token.type == "SQ_STRING":
            return token[1:-1].replace("\\'", "'")
        if token.type in ("TRUE", "FALSE"):
            return token.type == "TRUE"
        return float(token) if "." in token else int(token)

    @staticmethod
    def compare(children):
        field, op, value = children
        key = FIELDS.get(str(field).lower())
        if key is None:
            raise FilterError("unknown field %s (known: %s)" % (field, ", ".join(sorted(FIELDS))))
        if op == "=":
            return lambda device: device.get(key) == value
        return lambda device: device.get(key) != value

    @staticmethod
    def and_(children):
        left, right = children
        return lambda device: left(device) and right(device)

    @staticmethod
    def or_(children):
        left, right = children
        return lambda device: left(device) or right(device)

    @staticmethod
    def not_(children):
        (inner,) = children
        return lambda device: not inner(device)

    @staticmethod
    def query(children):
        condition = children[0] if children else None
        return condition if condition is not None else (lambda device: True)


@functools.lru_cache(maxsize=256)
def compile_filter(text):
    """The predicate of a filter text, or FilterError."""
    if not isinstance(text, str) or not text.strip():
        raise FilterError("the filter must be a non-empty query such as SELECT * FROM devices")
    try:
        tree = _parser().parse(text)
    except LarkError as exc:
        raise FilterError("the filter does not parse: %s" % str(exc).splitlines()[0]) from None
    try:
        return _Compile().transform(tree)
    except LarkError as exc:  # VisitError wraps a FilterError raised while compiling
        cause = getattr(exc, "orig_exc", None)
        raise FilterError(str(cause or exc)) from None
