"""IoT Hub twin query language for the emulator: parse once, evaluate fast.

    q = parse_query("SELECT * FROM devices WHERE tags.building = 'b1'")
    q.execute(twins)
    parse_condition("tags.ring = 'canary'").matches(twin)
    too_long(text)  # the PreconditionFailed message for a text past MAX_QUERY_LENGTH (8200), else None
"""
from .evaluate import Condition, Query, parse_condition, parse_query
from .limits import MAX_QUERY_LENGTH, too_long
from .parser import QuerySyntaxError

__all__ = ["parse_query", "parse_condition", "QuerySyntaxError", "Query", "Condition", "MAX_QUERY_LENGTH", "too_long"]
