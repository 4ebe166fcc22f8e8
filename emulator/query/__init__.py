"""IoT Hub twin query language for the emulator: parse once, evaluate fast.

    q = parse_query("SELECT * FROM devices WHERE tags.building = 'b1'")
    q.execute(twins)
    parse_condition("tags.ring = 'canary'").matches(twin)
"""
from .evaluate import Condition, Query, parse_condition, parse_query
from .parser import QuerySyntaxError

__all__ = ["parse_query", "parse_condition", "QuerySyntaxError", "Query", "Condition"]
