from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payloads import VN_VACCINATION as VN_PAYLOAD
from vaxpass.errors import FieldError
from vaxpass.formats.dcc import payload as payload_module
from vaxpass.formats.dcc.payload import (
    CERTIFICATE_TYPES,
    SCHEMA_RELEASES,
    certificate_type,
    check_entry_count,
    schema_release,
    validate_payload,
)

TEST_ENTRY = {
    "tg": "840539006",
    "tt": "LP6464-4",
    "sc": "2021-10-01T08:00:00Z",
    "tr": "260415000",
    "co": "VN",
    "is": "Ministry of Health",
    "ci": "URN:UVCI:01:VN:1#A",
}
RECOVERY_ENTRY = {
    "tg": "840539006",
    "fr": "2021-09-01",
    "co": "VN",
    "is": "Ministry of Health",
    "df": "2021-09-12",
    "du": "2022-03-01",
    "ci": "URN:UVCI:01:VN:2#B",
}


def vn(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(VN_PAYLOAD)
    result.update(changes)
    return result


def fields(errors: list[FieldError]) -> list[str]:
    return [error.field for error in errors]


@pytest.mark.parametrize("release", SCHEMA_RELEASES)
def test_vietnamese_payload_is_valid_under_every_release(release: str) -> None:
    assert validate_payload(vn(ver=release)) == []


@pytest.mark.parametrize(
    ("ver", "release"),
    [("1.3.0", "1.3.0"), ("1.0.0", "1.0.0"), ("1.3.9", "1.3.3"), ("1.2.7", "1.2.1")],
)
def test_schema_release_for_ver(ver: str, release: str) -> None:
    assert schema_release(ver) == release


@pytest.mark.parametrize("ver", ["1.4.0", "2.0.0", "1.3", "v1.3.0", "", 130, None])
def test_unsupported_ver_is_an_error_on_ver(ver: Any) -> None:
    assert schema_release(ver) is None
    assert fields(validate_payload(vn(ver=ver))) == ["/ver"]


def test_missing_ver() -> None:
    payload = vn()
    del payload["ver"]
    assert validate_payload(payload) == [FieldError("/ver", "is required")]


def test_not_an_object() -> None:
    assert validate_payload([]) == [FieldError("", "must be an object")]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dob": "1809-02-28"}, "/dob"),
        ({"dob": 19900101}, "/dob"),
        ({"nam": {"fn": "Nguyễn", "fnt": "Nguyen"}}, "/nam/fnt"),
        ({"nam": {"fnt": "N" * 81}}, "/nam/fnt"),
    ],
)
def test_schema_violations_name_the_field(change: dict[str, Any], field: str) -> None:
    assert field in fields(validate_payload(vn(**change)))


def test_entry_violations_point_into_the_entry() -> None:
    payload = vn()
    payload["v"][0]["dn"] = 0
    del payload["v"][0]["ci"]
    assert sorted(fields(validate_payload(payload))) == ["/v/0/ci", "/v/0/dn"]


def test_reasons_never_echo_values() -> None:
    payload = vn(dob="SECRET")
    payload["nam"]["fnt"] = "Secret Name"
    payload["v"][0]["is"] = "S" * 81
    for error in validate_payload(payload):
        assert "SECRET" not in error.reason
        assert "Secret" not in error.reason
        assert "SSSS" not in error.reason


def test_missing_name_alternatives_are_summarised() -> None:
    payload = vn(ver="1.3.3", nam={"fn": "Nguyễn", "gn": "Bảo Duy"})
    assert validate_payload(payload) == [FieldError("/nam", "requires one of: fnt, gnt")]


def test_missing_shared_field_under_top_level_one_of() -> None:
    payload = vn(ver="1.3.3")
    del payload["dob"]
    assert validate_payload(payload) == [FieldError("/dob", "is required")]


def test_format_is_an_annotation_only() -> None:
    payload = vn()
    payload["v"][0]["dt"] = "not a date"
    assert validate_payload(payload) == []


@pytest.mark.parametrize("release", ["1.0.0", "1.2.1", "1.3.3"])
def test_two_entries_are_invalid_even_where_the_schema_allows_them(release: str) -> None:
    payload = vn(ver=release)
    payload["v"].append(copy.deepcopy(payload["v"][0]))
    assert validate_payload(payload) == [FieldError("/v", "must hold exactly one entry")]


@pytest.mark.parametrize("release", ["1.0.0", "1.3.3"])
def test_empty_group_is_invalid(release: str) -> None:
    assert validate_payload(vn(ver=release, v=[])) == [
        FieldError("/v", "must hold exactly one entry")
    ]


@pytest.mark.parametrize("release", ["1.2.1", "1.3.3"])
def test_two_groups_are_invalid(release: str) -> None:
    errors = validate_payload(vn(ver=release, t=[TEST_ENTRY]))
    assert errors[0] == FieldError("", "must hold exactly one of v, t, r")
    assert "" not in fields(errors[1:])  # the schema's own oneOf is not reported twice


def test_no_group_is_invalid() -> None:
    payload = vn(ver="1.3.3")
    del payload["v"]
    assert validate_payload(payload) == [FieldError("", "must hold exactly one of v, t, r")]


def test_certificate_type() -> None:
    assert certificate_type(VN_PAYLOAD) == "v"
    assert certificate_type({"t": [TEST_ENTRY]}) == "t"
    assert certificate_type({"r": [RECOVERY_ENTRY]}) == "r"
    assert certificate_type({"v": [], "t": [TEST_ENTRY]}) is None
    assert certificate_type({"v": [{}, {}]}) is None
    assert certificate_type({"ver": "1.3.0"}) is None
    assert check_entry_count({"r": [RECOVERY_ENTRY]}) == []


@pytest.mark.parametrize("group", [{"t": [TEST_ENTRY]}, {"r": [RECOVERY_ENTRY]}])
def test_test_and_recovery_payloads(group: dict[str, Any]) -> None:
    payload = {"ver": "1.3.3", "nam": VN_PAYLOAD["nam"], "dob": "1990", **group}
    assert validate_payload(payload) == []


# --- the generated fast path must agree with jsonschema -----------------------------------

BASES = {
    "v": vn(),
    "t": {key: value for key, value in vn(t=[TEST_ENTRY]).items() if key != "v"},
    "r": {key: value for key, value in vn(r=[RECOVERY_ENTRY]).items() if key != "v"},
}
# Wrong types for every path, bool-vs-int, integral and non-integral floats, non-JSON numbers.
PROBES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    2,
    -1,
    0.0,
    1.0,
    2.0,
    2.5,
    float("nan"),
    float("inf"),
    "",
    "A",
    "1990-01-01",
    [],
    [{}],
    {},
    {"fnt": "X"},
    Decimal(2),
    Fraction(2, 1),
    b"bytes",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-2, 2)
    | st.sampled_from([0.0, 1.0, 2.0, -1.0, 1e300])
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=4,
)
interesting = st.sampled_from(
    ["", "1990", "1990-01", "NGUYEN", "A<B", "a", "X" * 80, "X" * 81, "VN", "vn", 0, 1, 2.0, True]
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(base)
    parent: Any = result
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return result


def _removed(base: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    parent: Any = result
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return result


def _length_limits(node: Any) -> set[int]:
    """Every minLength/maxLength in a schema."""
    if isinstance(node, list):
        return {limit for item in node for limit in _length_limits(item)}
    if not isinstance(node, dict):
        return set()
    found = {value for key, value in node.items() if key in ("minLength", "maxLength")}
    return found | {limit for value in node.values() for limit in _length_limits(value)}


def _assert_agree(release: str, payload: Any) -> None:
    fast = payload_module._fast_check(release)
    assert fast is not None
    assert fast(payload) == payload_module._validator(release).is_valid(payload), payload


def _variants(base: dict[str, Any], release: str) -> list[Any]:
    """The base payload with every path replaced by each probe, removed, or given strings at
    and around every length limit of the release."""
    lengths = {
        n + delta for n in _length_limits(payload_module._schema(release)) for delta in (-1, 0, 1)
    }
    variants: list[Any] = [base, *PROBES]
    for path in _paths(base)[1:]:
        variants += [_replaced(base, path, probe) for probe in PROBES]
        variants += [_replaced(base, path, "A" * n) for n in sorted(lengths)]
        if isinstance(path[-1], str):
            variants.append(_removed(base, path))
    for kind in CERTIFICATE_TYPES:
        if kind in base:
            entry = base[kind][0]
            variants += [_replaced(base, (kind,), [entry] * count) for count in (0, 2)]
    return variants


@pytest.mark.parametrize("release", SCHEMA_RELEASES)
@pytest.mark.parametrize("kind", CERTIFICATE_TYPES)
def test_fast_path_agrees_at_every_path(release: str, kind: str) -> None:
    for payload in _variants(BASES[kind], release):
        _assert_agree(release, payload)


@st.composite
def mutated_payloads(draw: st.DrawFn) -> dict[str, Any]:
    base = copy.deepcopy(draw(st.sampled_from([*BASES.values(), vn(ver="1.3.3")])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(base)[1:]))
        parent = base
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            # A copy: a later mutation must not reach into the shared probes.
            parent[path[-1]] = copy.deepcopy(
                draw(json_values | interesting | st.sampled_from(PROBES))
            )
        if not isinstance(base, dict) or not base:
            break
    return base


@settings(max_examples=500, deadline=None)
@given(mutated_payloads(), st.sampled_from(SCHEMA_RELEASES))
def test_fast_path_agrees_with_jsonschema(payload: dict[str, Any], release: str) -> None:
    _assert_agree(release, payload)


@pytest.mark.parametrize("release", SCHEMA_RELEASES)
def test_every_release_has_a_fast_path(release: str) -> None:
    assert payload_module._fast_check(release) is not None


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "enum": ["a"]},
        {"properties": {"a": {"const": 1}}},
        {"items": True},
        {"allOf": [{"$ref": "https://example.org/schema"}]},
        {"$ref": "#/$defs/missing", "$defs": {}},
        {"$ref": "#/$defs/a/b", "$defs": {"a": {"b": {}}}},
        {"type": "date"},
        {"maxLength": 1.5},
        {"minimum": "1"},
    ],
)
def test_other_keywords_disable_the_fast_path(schema: dict[str, Any]) -> None:
    with pytest.raises(payload_module._UnsupportedSchemaError):
        payload_module._source(schema)


def test_schema_text_enters_the_generated_code_as_literals_only() -> None:
    awkward = "a'\"\\\n): return True  # "
    schema = {
        "type": "object",
        "required": [awkward],
        "properties": {awkward: {"type": "string", "pattern": "^x'$"}},
    }
    source, constants = payload_module._source(schema)
    namespace = {**payload_module._GLOBALS, **constants}
    exec(compile(source, "<test>", "exec"), namespace)
    check = namespace["check"]
    assert check({awkward: "x'"}) is True
    assert check({awkward: "y"}) is False
    assert check({}) is False
    assert "^x'$" not in source  # patterns are compiled objects, not source text
