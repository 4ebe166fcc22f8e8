"""Behaviour of the emulator's IoT Hub query language (emulator/query)."""
import pytest

from emulator.query import QuerySyntaxError, parse_condition, parse_query

TWIN = {
    "deviceId": "dev-0001",
    "etag": "AAAAAAAAAAE=",
    "version": 3,
    "status": "enabled",
    "connectionState": "Connected",
    "tags": {"building": "b1", "ring": "canary", "floor": 2, "ratio": 0.5, "active": True, "owner": None,
             "name": "it's", "path": "a\\b", "count": 7},
    "properties": {
        "desired": {"$metadata": {"$lastUpdated": "2024-01-01T00:00:00Z"}},
        "reported": {"fwVersion": "1.0.0", "firmware": {"version": "1.0.0"}},
    },
}


def match(condition, doc=None):
    return parse_condition(condition).matches(TWIN if doc is None else doc)


@pytest.mark.parametrize("condition, expected", [
    ("deviceId = 'dev-0001'", True),
    ("deviceId = 'DEV-0001'", False),  # strings are case-sensitive
    ("tags.floor = 2", True),
    ("tags.floor = 2.0", True),  # numbers compare numerically
    ("tags.active = true", True),
    ("tags.active = false", False),
    ("tags.owner = null", True),
    ("tags.floor != 3", True),
    ("tags.floor <> 2", False),
    ("tags.floor != 2", False),
    ("tags.floor < 3", True),
    ("tags.floor < 2", False),
    ("tags.floor <= 2", True),
    ("tags.floor > 1.5", True),
    ("tags.floor >= 3", False),
    ("tags.ratio > -1", True),
    ("tags.ratio < 5e-1", False),
    ("properties.reported.fwVersion < '2.0'", True),
    ("properties.reported.fwVersion > '1.0'", True),
    ("tags.building > 'B9'", True),  # ordinal: lower case sorts after upper case
    ("'b1' = tags.building", True),  # a literal on the left
    ("tags.building = tags.building", True),  # path against path
])
def test_comparison_operators(condition, expected):
    assert match(condition) is expected


@pytest.mark.parametrize("condition", [
    # undefined paths: neither the comparison nor its negation is TRUE
    "tags.missing = 'x'", "NOT (tags.missing = 'x')", "tags.missing != 'x'", "NOT tags.missing != 'x'",
    "properties.reported.fwVersion.major = 1",  # a path through a string
    # mismatched types are UNDEFINED too
    "tags.floor = '2'", "NOT (tags.floor = '2')", "tags.floor != '2'", "tags.building < 5",
    "tags.owner != 'x'", "tags.active = 1",
    # booleans and null only compare with = and !=
    "tags.active < true", "NOT (tags.active >= true)", "tags.owner <= null",
    # UNDEFINED OR FALSE is UNDEFINED
    "NOT (tags.missing = 1 OR deviceId = 'zzz')",
])
def test_undefined_never_matches(condition):
    assert match(condition) is False


@pytest.mark.parametrize("condition, expected", [
    ("tags.missing = 1 OR deviceId = 'dev-0001'", True),  # UNDEFINED OR TRUE
    ("tags.missing = 1 AND deviceId = 'dev-0001'", False),  # UNDEFINED AND TRUE
    ("NOT (tags.missing = 1 AND deviceId = 'zzz')", True),  # NOT (UNDEFINED AND FALSE) = NOT FALSE
    ("NOT deviceId = 'zzz'", True),
    ("NOT NOT deviceId = 'dev-0001'", True),
])
def test_three_valued_logic(condition, expected):
    assert match(condition) is expected


@pytest.mark.parametrize("condition, expected", [
    # a OR b AND c is a OR (b AND c)
    ("deviceId = 'dev-0001' OR tags.floor = 9 AND tags.ring = 'x'", True),
    ("(deviceId = 'dev-0001' OR tags.floor = 9) AND tags.ring = 'x'", False),
    ("tags.floor = 9 AND tags.ring = 'x' OR deviceId = 'dev-0001'", True),
    # NOT binds tighter than AND
    ("NOT tags.floor = 9 AND tags.ring = 'canary'", True),
    ("NOT (tags.floor = 2 AND tags.ring = 'x')", True),
    ("NOT tags.floor = 2 AND tags.ring = 'x'", False),
    ("((tags.floor = 2))", True),
])
def test_precedence_and_parentheses(condition, expected):
    assert match(condition) is expected


@pytest.mark.parametrize("condition, expected", [
    ("deviceId IN ['dev-0001', 'dev-0002']", True),
    ("deviceId IN ['dev-0002']", False),
    ("deviceId NIN ['dev-0002', 'dev-0003']", True),
    ("deviceId NIN ['dev-0001']", False),
    ("tags.floor IN [1, 2.0, 3]", True),
    ("tags.floor IN ['2', true]", False),  # no cross-type equality
    ("tags.active IN [1]", False),
    ("tags.active IN [true]", True),
    ("tags.owner IN [null]", True),
    ("tags.floor IN []", False),
    ("tags.floor NIN []", True),
    ("tags.missing IN ['x']", False),
    ("tags.missing NIN ['x']", False),  # undefined stays undefined
])
def test_in_and_nin(condition, expected):
    assert match(condition) is expected


@pytest.mark.parametrize("condition, expected", [
    ("IS_DEFINED(tags.ring)", True),
    ("IS_DEFINED(tags.owner)", True),  # null is defined
    ("IS_DEFINED(tags.missing)", False),
    ("NOT IS_DEFINED(tags.missing)", True),
    ("is_defined(properties.desired.$metadata.$lastUpdated)", True),
    ("IS_NULL(tags.owner)", True),
    ("IS_NULL(tags.missing)", False),
    ("IS_STRING(tags.building)", True),
    ("IS_NUMBER(tags.ratio)", True),
    ("IS_NUMBER(tags.active)", False),
    ("IS_BOOL(tags.active)", True),
    ("IS_OBJECT(properties.reported)", True),
    ("STARTSWITH(deviceId, 'dev-')", True),
    ("STARTSWITH(deviceId, 'Dev-')", False),
    ("ENDSWITH(deviceId, '0001')", True),
    ("ENDSWITH(properties.reported.firmware.version, '.1')", False),
    ("STARTSWITH(tags.floor, '2')", False),  # not a string: undefined
    ("NOT STARTSWITH(tags.floor, '2')", False),
    ("NOT STARTSWITH(tags.missing, 'x')", False),
])
def test_functions(condition, expected):
    assert match(condition) is expected


@pytest.mark.parametrize("condition, expected", [
    ("properties.reported.firmware.version = '1.0.0'", True),
    ("properties.desired.$metadata.$lastUpdated > '2023'", True),
    ("tags.count = 7", True),  # a keyword is a plain name after a dot
    ("devices.tags.building = 'b1'", True),
    ("devices.deviceId = 'dev-0001'", True),
    ("Devices.properties.reported.firmware.version = '1.0.0'", True),
    ("properties.Reported.fwVersion = '1.0.0'", False),  # property names are case-sensitive
])
def test_paths(condition, expected):
    assert match(condition) is expected


@pytest.mark.parametrize("literal, value", [
    ("'it''s'", "it's"),
    ("'it\\'s'", "it's"),
    ('"it\'s"', "it's"),
    ('"say ""hi"""', 'say "hi"'),
    ('"say \\"hi\\""', 'say "hi"'),
    ("'a\\\\b'", "a\\b"),
    ("'caf\\u00e9'", "caf\u00e9"),
    ("'tab\\there'", "tab\there"),
    ("''", ""),
])
def test_string_literals(literal, value):
    doc = {"tags": {"s": value}}
    assert parse_condition("tags.s = " + literal).matches(doc) is True
    assert parse_condition("tags.s = " + literal + " AND tags.s != 'other'").matches(doc) is True


@pytest.mark.parametrize("condition", ["*", "", "   ", " * "])
def test_star_condition_matches_everything(condition):
    assert parse_condition(condition).matches({}) is True
    assert parse_condition(condition).matches(TWIN) is True


def test_leading_where_and_case_insensitive_keywords():
    assert match("WHERE tags.ring = 'canary'") is True
    assert match("where tags.ring = 'canary' and not tags.floor in [3] Or false = TRUE") is True
    assert match("tags.owner = NULL AND tags.active = True") is True
    query = parse_query("sElEcT * fRoM DEVICES wHeRe tags.ring = 'canary'")
    assert query.source == "devices"
    assert query.execute([TWIN]) == [TWIN]


def test_parse_results_are_cached():
    assert parse_condition("tags.ring = 'canary'") is parse_condition("tags.ring = 'canary'")
    assert parse_query("SELECT * FROM devices") is parse_query("SELECT * FROM devices")


def test_select_star_returns_the_documents_themselves():
    other = {"deviceId": "dev-0002", "tags": {"building": "b2"}}
    query = parse_query("SELECT * FROM devices WHERE tags.building = 'b1'")
    assert (query.is_count, query.count_alias, query.projection) == (False, None, None)
    rows = query.execute(iter([TWIN, other]))
    assert rows == [TWIN] and rows[0] is TWIN
    assert parse_query("SELECT * FROM devices").execute([TWIN, other]) == [TWIN, other]
    assert parse_query("SELECT * FROM devices").matches({}) is True
    assert query.matches(other) is False


def test_count_with_and_without_alias():
    docs = [TWIN, {"deviceId": "dev-0002", "tags": {"building": "b2"}}, {"deviceId": "dev-0003"}]
    query = parse_query("SELECT COUNT() FROM devices")
    assert (query.is_count, query.count_alias, query.projection) == (True, "$1", None)
    assert query.execute(docs) == [{"$1": 3}]
    query = parse_query("SELECT COUNT() AS numberOfDevices FROM devices WHERE IS_DEFINED(tags.building)")
    assert query.count_alias == "numberOfDevices"
    assert query.execute(docs) == [{"numberOfDevices": 2}]
    assert parse_query("select count() as n from devices where tags.building = 'zz'").execute(docs) == [{"n": 0}]


def test_projection():
    query = parse_query("SELECT deviceId, tags.building AS b, devices.tags.floor, tags.missing, "
                        "properties.reported.firmware FROM devices WHERE tags.ring = 'canary'")
    assert query.projection == [
        (("deviceId",), "deviceId"), (("tags", "building"), "b"), (("tags", "floor"), "floor"),
        (("tags", "missing"), "missing"), (("properties", "reported", "firmware"), "firmware"),
    ]
    assert query.execute([TWIN, {"deviceId": "x"}]) == [
        {"deviceId": "dev-0001", "b": "b1", "floor": 2, "firmware": {"version": "1.0.0"}},
    ]


def test_devices_jobs_source_and_prefix():
    rows = [
        {"deviceId": "d1", "jobId": "j1", "jobType": "scheduleUpdateTwin", "status": "completed",
         "createdDateTimeUtc": "2024-05-01T10:00:00Z"},
        {"deviceId": "d2", "jobId": "j1", "jobType": "scheduleUpdateTwin", "status": "failed",
         "createdDateTimeUtc": "2024-05-01T10:00:00Z"},
        {"deviceId": "d1", "jobId": "j2", "jobType": "scheduleDeviceMethod", "status": "completed",
         "createdDateTimeUtc": "2024-04-01T10:00:00Z"},
    ]
    query = parse_query("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1' "
                        "AND devices.jobs.status = 'completed'")
    assert query.source == "devices.jobs"
    assert query.execute(rows) == [rows[0]]
    query = parse_query("SELECT * FROM Devices.Jobs WHERE jobType = 'scheduleUpdateTwin' "
                        "AND devices.jobs.createdDateTimeUtc > '2024-04-15'")
    assert query.execute(rows) == rows[:2]
    assert parse_query("SELECT COUNT() AS n FROM devices.jobs WHERE devices.jobs.deviceId = 'd1'").execute(rows) \
        == [{"n": 2}]


@pytest.mark.parametrize("text, message", [
    ("SELECT * FROM devices WHERE tags.x = AND tags.y = 1",
     "Syntax error at line 1, column 38 near 'AND': expected a value"),
    ("SELECT * FROM devices WHERE tags.x = 1 tags.y = 2",
     "Syntax error at line 1, column 40 near 'tags': expected AND, OR or end of input"),
    ("SELECT * FROM devices WHERE (tags.x = 1 OR tags.y = 2",
     "Syntax error at line 1, column 54 near end of input: expected AND, OR or ')'"),
    ("SELECT * FROM devices WHERE tags.x 'b1'",
     "Syntax error at line 1, column 36 near \"'b1'\": expected a comparison operator"),
    ("SELECT * FROM devices WHERE",
     "Syntax error at line 1, column 28 near end of input: expected a condition"),
    ("SELECT * devices", "Syntax error at line 1, column 10 near 'devices': expected FROM"),
    ("SELECT FROM devices", "Syntax error at line 1, column 8 near 'FROM': expected *, COUNT() or a property path"),
    ("SELECT * FROM", "Syntax error at line 1, column 14 near end of input: expected devices or devices.jobs"),
    ("SELECT * FROM things", "Syntax error at line 1, column 15 near 'things': FROM must be devices or devices.jobs"),
    ("SELECT * FROM devices.modules",
     "Syntax error at line 1, column 15 near 'devices.modules': FROM must be devices or devices.jobs"),
    ("SELECT * FROM devices WHERE deviceId IN 'd1'",
     "Syntax error at line 1, column 41 near \"'d1'\": expected '['"),
    ("SELECT * FROM devices WHERE deviceId IN ['d1' 'd2']",
     "Syntax error at line 1, column 47 near \"'d2'\": expected ',' or ']'"),
    ("SELECT * FROM devices WHERE tags.x = 'b1",
     "Syntax error at line 1, column 38 near \"'b1\": unterminated string"),
    ("SELECT * FROM devices WHERE tags.x == 1",
     "Syntax error at line 1, column 37 near '=': expected a value"),
    ("SELECT * FROM devices WHERE tags.x = 1 && tags.y = 2",
     "Syntax error at line 1, column 40 near '&': unexpected character"),
    ("SELECT * FROM devices WHERE tags.",
     "Syntax error at line 1, column 34 near end of input: expected a property name"),
    ("SELECT COUNT( FROM devices", "Syntax error at line 1, column 15 near 'FROM': expected ')'"),
    ("SELECT * FROM devices WHERE LOWER(deviceId)",
     "Syntax error at line 1, column 29 near 'LOWER': unknown function LOWER"),
    ("SELECT * FROM devices WHERE STARTSWITH(deviceId)",
     "Syntax error at line 1, column 29 near 'STARTSWITH': STARTSWITH takes 2 argument(s), got 1"),
    ("SELECT * FROM devices\nWHERE tags.x = 1 AND\n  OR tags.y = 2",
     "Syntax error at line 3, column 3 near 'OR': expected a condition"),
    ("SELECT COUNT() FROM devices GROUP BY tags.x",
     "Syntax error at line 1, column 29 near 'GROUP': expected WHERE or end of input"),
])
def test_query_syntax_errors(text, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("text, message, position", [
    ("tags.ring =", "Syntax error at line 1, column 12 near end of input: expected a value", 11),
    ("WHERE", "Syntax error at line 1, column 6 near end of input: expected a condition", 5),
    ("SELECT * FROM devices", "Syntax error at line 1, column 1 near 'SELECT': expected a condition", 0),
    ("tags.ring = 'canary' AND", "Syntax error at line 1, column 25 near end of input: expected a condition", 24),
])
def test_condition_syntax_errors(text, message, position):
    with pytest.raises(QuerySyntaxError) as info:
        parse_condition(text)
    assert (info.value.message, info.value.position) == (message, position)


def test_condition_over_100000_documents():
    docs = [
        {"deviceId": "dev-%06d" % i,
         "tags": dict({"building": "b%d" % (i % 10), "floor": i % 7}, **({"ring": "canary"} if i % 3 == 0 else {}))}
        for i in range(100000)
    ]
    condition = parse_condition("tags.building = 'b3' AND (tags.ring = 'canary' OR tags.floor >= 5)")
    assert sum(1 for doc in docs if condition.matches(doc)) == 5239
    query = parse_query("SELECT COUNT() AS n FROM devices WHERE tags.building = 'b3' AND NOT IS_DEFINED(tags.ring)")
    assert query.execute(docs) == [{"n": 6666}]
    # the devices without a ring compare UNDEFINED, and NOT UNDEFINED does not match either
    query = parse_query("SELECT COUNT() AS n FROM devices WHERE tags.building = 'b3' AND NOT tags.ring = 'canary'")
    assert query.execute(docs) == [{"n": 0}]
