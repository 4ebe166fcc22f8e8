"""Parse IoT Hub query text into a small AST (the grammar is in grammar.lark).

The AST is made of plain named tuples so that evaluate.py can compile it into
closures: lark runs once per distinct query text, never once per document.
"""
import re
from typing import NamedTuple, Optional, Tuple

from lark import Lark, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedToken, VisitError


class QuerySyntaxError(ValueError):
    """An unparsable query; ``position`` is the 0-based offset of the offending token."""

    def __init__(self, message, position=0, line=None, column=None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.line = line
        self.column = column


# --- AST -------------------------------------------------------------------

class Path(NamedTuple):
    keys: Tuple[str, ...]
    pos: int = 0  # offset in the query text, for error messages


class Literal(NamedTuple):
    value: object


class Compare(NamedTuple):
    op: str  # one of = != < > <= >=  ("<>" is normalised to "!=")
    left: object
    right: object


class InList(NamedTuple):
    operand: object
    values: tuple
    negate: bool  # True for NIN


class Call(NamedTuple):
    name: str  # upper case
    args: tuple


class And(NamedTuple):
    left: object
    right: object


class Or(NamedTuple):
    left: object
    right: object


class Not(NamedTuple):
    operand: object


class QueryAst(NamedTuple):
    source: str  # "devices" or "devices.jobs"
    selection: object  # "*", ("count", alias) or a tuple of (Path, alias or None)
    where: Optional[object]


# Functions the evaluator knows, with their arity (checked here so that errors carry a position).
FUNCTIONS = {
    "IS_DEFINED": 1, "IS_NULL": 1, "IS_STRING": 1, "IS_NUMBER": 1, "IS_BOOL": 1,
    "IS_OBJECT": 1, "IS_ARRAY": 1, "STARTSWITH": 2, "ENDSWITH": 2,
}
SOURCES = ("devices", "devices.jobs")

# Built once at import. The basic lexer (not the contextual one) keeps keywords reserved everywhere,
# so "x = AND" is an error instead of a comparison with a property named AND.
_PARSER = Lark.open(
    "grammar.lark", rel_to=__file__, parser="lalr", lexer="basic",
    start=["query", "condition_text"], maybe_placeholders=True,
)


# --- error messages ----------------------------------------------------------

def _error(text, pos, near, what):
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    if near is not None and len(near) > 30:
        near = near[:27] + "..."
    # Quote with whichever quote the token does not contain: near 'AND', near "'abc".
    shown = "end of input" if near is None else ('"%s"' if "'" in near and '"' not in near else "'%s'") % near
    message = "Syntax error at line %d, column %d near %s: %s" % (line, column, shown, what)
    return QuerySyntaxError(message, pos, line, column)


_VALUES = {"STRING", "NUMBER", "TRUE", "FALSE", "NULL"}
_SHOWN = [  # display order and spelling of the terminals listed in "expected ..." messages
    ("_SELECT", "SELECT"), ("_FROM", "FROM"), ("_WHERE", "WHERE"), ("_AS", "AS"), ("_AND", "AND"), ("_OR", "OR"),
    ("_COMMA", "','"), ("_RPAR", "')'"), ("_LPAR", "'('"), ("_RSQB", "']'"), ("_LSQB", "'['"),
    ("NAME", "a name"), ("$END", "end of input"),
]


def _describe(expected):
    """Turn the set of acceptable terminals into words a user understands."""
    if "NAME" in expected and "_SELECT" in expected:
        return "expected a property name"  # after a dot, where keywords are names too
    if "_NOT" in expected:
        return "expected a condition"
    if expected & _VALUES:
        return "expected a value"
    if "COMPARE" in expected:
        return "expected a comparison operator"
    if "STAR" in expected:
        return "expected *, COUNT() or a property path"
    if "_OR" in expected:
        # LALR reduces before it notices the error, so AND can be missing where OR is still valid.
        expected = expected | {"_AND"}
    names = [shown for name, shown in _SHOWN if name in expected] or sorted(expected)
    if len(names) == 1:
        return "expected " + names[0]
    return "expected %s or %s" % (", ".join(names[:-1]), names[-1])


def _syntax_error(text, exc):
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        if text[pos] in "'\"":
            return _error(text, pos, text[pos:].split("\n")[0], "unterminated string")
        return _error(text, pos, text[pos], "unexpected character")
    stack = exc.interactive_parser.parser_state.value_stack
    if stack and getattr(stack[-1], "type", None) == "_FROM":
        what = "expected devices or devices.jobs"
    else:
        what = _describe(exc.interactive_parser.accepts())
    if exc.token.type == "$END":
        return _error(text, len(text.rstrip()), None, what)
    return _error(text, exc.token.start_pos, str(exc.token), what)


# --- string literals ---------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
# \uXXXX, any other backslash escape, or the enclosing quote doubled (SQL style).
_UNESCAPE = {q: re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)|(%s%s)" % (q, q), re.S) for q in "'\""}


def _unescape_one(match):
    hexcode, char, doubled = match.groups()
    if hexcode:
        return chr(int(hexcode, 16))
    if char is not None:
        return _ESCAPES.get(char, char)  # \' \" \\ \/ and unknown escapes stand for the character itself
    return doubled[0]


def unquote(token):
    """The value of a quoted string token: 'it''s' and 'it\\'s' both give it's."""
    return _UNESCAPE[token[0]].sub(_unescape_one, token[1:-1])


# --- tree -> AST -------------------------------------------------------------

class _ToAst(Transformer):
    def __init__(self, text):
        super().__init__(visit_tokens=False)
        self.text = text

    def literal(self, children):
        token = children[0]
        if token.type == "STRING":
            return Literal(unquote(str(token)))
        if token.type == "NUMBER":
            return Literal(float(token) if any(c in token for c in ".eE") else int(token))
        return Literal({"TRUE": True, "FALSE": False, "NULL": None}[token.type])

    def segment(self, children):
        return str(children[0])

    def path(self, children):
        return Path((str(children[0]),) + tuple(children[1:]), children[0].start_pos)

    def list(self, children):
        return tuple(c.value for c in children if c is not None)

    def compare(self, children):
        left, op, right = children
        return Compare("!=" if op == "<>" else str(op), left, right)

    def in_(self, children):
        return InList(children[0], children[1], False)

    def nin(self, children):
        return InList(children[0], children[1], True)

    def and_(self, children):
        return And(*children)

    def or_(self, children):
        return Or(*children)

    def not_(self, children):
        return Not(children[0])

    def call(self, children):
        name, args = children[0], tuple(c for c in children[1:] if c is not None)
        upper = str(name).upper()
        if upper not in FUNCTIONS:
            raise _error(self.text, name.start_pos, str(name), "unknown function %s" % name)
        if len(args) != FUNCTIONS[upper]:
            what = "%s takes %d argument(s), got %d" % (upper, FUNCTIONS[upper], len(args))
            raise _error(self.text, name.start_pos, str(name), what)
        return Call(upper, args)

    def select_all(self, _children):
        return "*"

    def select_count(self, children):
        return ("count", "$1" if children[0] is None else str(children[0]))

    def field(self, children):
        return (children[0], None if children[1] is None else str(children[1]))

    def select_fields(self, children):
        return tuple(children)

    def condition_text(self, children):
        return children[0]

    def query(self, children):
        selection, source, where = children
        name = ".".join(source.keys).lower()
        if name not in SOURCES:
            raise _error(self.text, source.pos, ".".join(source.keys), "FROM must be devices or devices.jobs")
        return QueryAst(name, selection, where)


def _parse(text, start):
    if not isinstance(text, str):
        raise QuerySyntaxError("Syntax error: a query must be a string, not %s" % type(text).__name__)
    try:
        tree = _PARSER.parse(text, start=start)
    except (UnexpectedCharacters, UnexpectedToken) as exc:
        raise _syntax_error(text, exc) from None
    try:
        return _ToAst(text).transform(tree)
    except VisitError as exc:  # lark wraps exceptions raised in callbacks
        if isinstance(exc.orig_exc, QuerySyntaxError):
            raise exc.orig_exc from None
        raise


def parse_query_ast(text):
    """Parse ``SELECT ... FROM ... [WHERE ...]`` into a QueryAst."""
    return _parse(text, "query")


def parse_condition_ast(text):
    """Parse a WHERE clause (the keyword is optional); None for "*" or blank text (every device)."""
    if isinstance(text, str) and text.strip() in ("", "*"):
        return None
    return _parse(text, "condition_text")
