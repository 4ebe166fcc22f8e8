"""Evaluate parsed queries over JSON documents (twins or devices.jobs rows).

The AST is compiled once into nested closures. Conditions use three-valued logic
like the real service: a predicate returns True, False or None (UNDEFINED), and a
document matches only when the WHERE clause is True.
"""
import operator
from functools import lru_cache

from .parser import And, Call, Compare, InList, Literal, Not, Or, parse_condition_ast, parse_query_ast

MISSING = object()  # an undefined path (distinct from JSON null, which is None)

# JSON type of a value; values of different types never compare (the result is UNDEFINED).
_KIND = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null",
         dict: "object", list: "array"}
_ORDERED = ("string", "number")  # < > <= >= only between two strings or two numbers
_OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
        "<=": operator.le, ">=": operator.ge}


def _kind(value):
    return _KIND.get(type(value))


def _always(result):
    return lambda doc: result


# --- operands ----------------------------------------------------------------

def strip_prefix(keys, source):
    """`devices.tags.x` means `tags.x`; in devices.jobs queries `devices.jobs.jobId` means `jobId`."""
    lowered = tuple(k.lower() for k in keys[:2])
    if source == "devices.jobs" and len(keys) > 2 and lowered == ("devices", "jobs"):
        return keys[2:]
    if len(keys) > 1 and lowered[0] == "devices":
        return keys[1:]
    return keys


def path_getter(keys):
    """A function doc -> value at the dotted path, or MISSING."""
    def get(doc):
        for key in keys:
            if not isinstance(doc, dict):
                return MISSING
            doc = doc.get(key, MISSING)
            if doc is MISSING:
                return MISSING
        return doc
    return get


def _operand(node, source):
    if isinstance(node, Literal):
        value = node.value
        return lambda doc: value
    return path_getter(strip_prefix(node.keys, source))


# --- conditions --------------------------------------------------------------

def _compare(node, source):
    test = _OPS[node.op]
    ordered = node.op not in ("=", "!=")
    left, right = _operand(node.left, source), _operand(node.right, source)
    if isinstance(node.right, Literal):
        # Fast path for the usual `path op literal`: the literal's type is known up front.
        value, kind = node.right.value, _kind(node.right.value)
        if ordered and kind not in _ORDERED:
            return _always(None)

        def compare_literal(doc):
            got = left(doc)
            if got is MISSING or _KIND.get(type(got)) != kind:
                return None
            return test(got, value)
        return compare_literal

    def compare(doc):
        a, b = left(doc), right(doc)
        if a is MISSING or b is MISSING:
            return None
        kind = _KIND.get(type(a))
        if kind is None or kind != _KIND.get(type(b)) or (ordered and kind not in _ORDERED):
            return None
        return test(a, b)
    return compare


def _in_list(node, source):
    get = _operand(node.operand, source)
    # Keep (kind, value) pairs so that 1 never equals true and "1" never equals 1.
    members = [(_kind(v), v) for v in node.values]
    negate = node.negate

    def in_list(doc):
        value = get(doc)
        if value is MISSING:
            return None
        return ((_kind(value), value) in members) != negate
    return in_list


def _is_type(*kinds):
    return lambda value: value is not MISSING and _kind(value) in kinds


def _string_test(method):
    def test(value, affix):
        if not isinstance(value, str) or not isinstance(affix, str):
            return None  # UNDEFINED, like a comparison between mismatched types
        return getattr(value, method)(affix)
    return test


_FUNCTIONS = {
    "IS_DEFINED": lambda value: value is not MISSING,
    "IS_NULL": _is_type("null"),
    "IS_STRING": _is_type("string"),
    "IS_NUMBER": _is_type("number"),
    "IS_BOOL": _is_type("boolean"),
    "IS_OBJECT": _is_type("object"),
    "IS_ARRAY": _is_type("array"),
    "STARTSWITH": _string_test("startswith"),
    "ENDSWITH": _string_test("endswith"),
}


def _call(node, source):
    function = _FUNCTIONS[node.name]
    args = [_operand(a, source) for a in node.args]
    if len(args) == 1:
        (arg,) = args
        return lambda doc: function(arg(doc))
    return lambda doc: function(*[a(doc) for a in args])


def _and(node, source):
    left, right = compile_condition(node.left, source), compile_condition(node.right, source)

    def both(doc):
        a = left(doc)
        if a is False:
            return False
        b = right(doc)
        if b is False:
            return False
        return True if a is True and b is True else None
    return both


def _or(node, source):
    left, right = compile_condition(node.left, source), compile_condition(node.right, source)

    def either(doc):
        a = left(doc)
        if a is True:
            return True
        b = right(doc)
        if b is True:
            return True
        return False if a is False and b is False else None
    return either


def _not(node, source):
    inner = compile_condition(node.operand, source)

    def negate(doc):
        value = inner(doc)
        return None if value is None else not value
    return negate


_COMPILERS = {Compare: _compare, InList: _in_list, Call: _call, And: _and, Or: _or, Not: _not}


def compile_condition(node, source="devices"):
    """Compile a condition AST into doc -> True / False / None (UNDEFINED)."""
    if node is None:
        return _always(True)
    return _COMPILERS[type(node)](node, source)


# --- public objects ----------------------------------------------------------

class Condition:
    """A compiled WHERE clause (a job's queryCondition)."""

    __slots__ = ("text", "_predicate")

    def __init__(self, text, predicate):
        self.text = text
        self._predicate = predicate

    def matches(self, doc):
        return self._predicate(doc) is True

    def __repr__(self):
        return "Condition(%r)" % self.text


class Query(Condition):
    """A compiled ``SELECT ... FROM ... [WHERE ...]``."""

    __slots__ = ("source", "is_count", "count_alias", "projection", "_getters")

    def __init__(self, text, ast):
        super().__init__(text, compile_condition(ast.where, ast.source))
        self.source = ast.source
        self.is_count = isinstance(ast.selection, tuple) and ast.selection[:1] == ("count",)
        self.count_alias = ast.selection[1] if self.is_count else None
        self.projection = None
        self._getters = ()
        if ast.selection != "*" and not self.is_count:
            paths = [(strip_prefix(path.keys, ast.source), alias) for path, alias in ast.selection]
            # Without AS, the output name is the last segment, as in the real service.
            self.projection = [(keys, alias or keys[-1]) for keys, alias in paths]
            self._getters = [(name, path_getter(keys)) for keys, name in self.projection]

    def execute(self, docs):
        """Result rows: the matching docs themselves, [{alias: count}] or projected dicts."""
        predicate = self._predicate
        if self.is_count:
            return [{self.count_alias: sum(1 for doc in docs if predicate(doc) is True)}]
        rows = [doc for doc in docs if predicate(doc) is True]
        if self.projection is None:
            return rows
        return [self._project(doc) for doc in rows]

    def page(self, numbered_docs, size):
        """One page of a query that is not a count: (rows, index of the next matching doc or None), from
        (index, doc) pairs. Stopping at the next match, not at the last row returned, means the last page never
        comes back empty and paging a whole result is one pass over the documents."""
        predicate = self._predicate
        rows = []
        for index, doc in numbered_docs:
            if predicate(doc) is True:
                if len(rows) == size:
                    return rows, index
                rows.append(doc if self.projection is None else self._project(doc))
        return rows, None

    def _project(self, doc):
        row = {}
        for name, get in self._getters:
            value = get(doc)
            if value is not MISSING:
                row[name] = value
        return row

    def __repr__(self):
        return "Query(%r)" % self.text


@lru_cache(maxsize=512)
def parse_query(text):
    """Parse and compile a full query; identical texts share one (immutable) Query."""
    return Query(text, parse_query_ast(text))


@lru_cache(maxsize=512)
def parse_condition(text):
    """Parse and compile a WHERE clause; "*" or blank text matches every device."""
    return Condition(text, compile_condition(parse_condition_ast(text), "devices"))
