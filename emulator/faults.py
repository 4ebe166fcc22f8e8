"""Fault injection rules (POST /_emulator/faults): per "METHOD /route/{template}", for a number of requests."""
import itertools

FIELDS = {"route", "status", "retry_after", "error_code", "message", "latency", "drop", "count", "when"}


class FaultError(ValueError):
    """A fault rule that cannot be used; the message names the field."""


def _number(rule, name, minimum=0):
    value = rule.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum):
        raise FaultError("%s must be a number >= %s, got %r" % (name, minimum, value))
    return value


def normalise(rule, known_routes):
    """Validate a rule from the control API; returns the stored form."""
    if not isinstance(rule, dict):
        raise FaultError("a fault must be a JSON object")
    unknown = sorted(set(rule) - FIELDS)
    if unknown:
        raise FaultError("unknown field(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(FIELDS))))
    route = rule.get("route")
    method, _space, template = (route or "").partition(" ")
    key = "%s %s" % (method.upper(), template.strip())
    if method != "*" and key not in known_routes:
        raise FaultError("route must be 'METHOD /template' of a served route (or '* /template'), got %r; served: %s"
                         % (route, ", ".join(sorted(known_routes))))
    status = rule.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599):
        raise FaultError("status must be an HTTP status code, got %r" % (status,))
    count = rule.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise FaultError("count must be a positive integer (omit it for no limit), got %r" % (count,))
    drop = rule.get("drop", False)
    if not isinstance(drop, bool):
        raise FaultError("drop must be true or false, got %r" % (drop,))
    when = rule.get("when", "before")
    if when not in ("before", "after"):
        raise FaultError("when must be 'before' (the request is not processed) or 'after' (processed, then the "
                         "answer is replaced or dropped), got %r" % (when,))
    latency = _number(rule, "latency")
    if status is None and not drop and not latency:
        raise FaultError("a fault needs a status, drop: true or a latency")
    for name in ("error_code", "message"):
        if rule.get(name) is not None and not isinstance(rule[name], str):
            raise FaultError("%s must be a string" % name)
    return {"route": "%s %s" % (method.upper(), template.strip()), "status": status,
            "retry_after": _number(rule, "retry_after"), "error_code": rule.get("error_code"),
            "message": rule.get("message"), "latency": latency or 0, "drop": drop, "count": count, "when": when}


class FaultSet:
    """Active rules, first added first applied; a rule with a count is removed once used up."""

    def __init__(self):
        self._rules = []
        self._ids = itertools.count(1)

    def add(self, rule):
        rule = dict(rule, id=next(self._ids))
        self._rules.append(rule)
        return dict(rule)

    def clear(self):
        self._rules.clear()

    def list(self):
        return [dict(rule) for rule in self._rules]

    def take(self, method, template):
        """The rule for this request (its count used once), or None."""
        for rule in self._rules:
            rule_method, _space, rule_template = rule["route"].partition(" ")
            if rule_template == template and rule_method in ("*", method):
                if rule["count"] is not None:
                    rule["count"] -= 1
                    if rule["count"] == 0:
                        self._rules.remove(rule)
                return rule
        return None
