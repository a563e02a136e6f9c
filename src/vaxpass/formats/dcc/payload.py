"""DCC payload (HCERT claim ``-260``/``1``) validation against the official JSON schemas.

A payload is judged by the schema release its own ``ver`` names (1.0.0 … 1.3.3). An unknown
patch release (say 1.3.9) uses the latest known release of the same major.minor; any other
``ver`` is an error on ``/ver``. As in the official harness, ``format`` is an annotation only.

On top of the schema, the specification's rule: a certificate holds exactly one of ``v``, ``t``
and ``r``, with exactly one entry (schemas before 1.3.0 allowed more).

Errors are :class:`FieldError` with RFC 6901 JSON pointers (``""`` is the whole payload) and
reasons that never contain the rejected value.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import exceptions, validators
from jsonschema.protocols import Validator

from vaxpass.errors import FieldError

CertificateType = Literal["v", "t", "r"]

SCHEMA_FILES: dict[str, str] = {
    "1.0.0": "DGC.combined-schema.1.0.0.json",
    "1.0.1": "DCC.combined-schema.1.0.1.json",
    "1.1.0": "DCC.combined-schema.1.1.0.json",
    "1.2.0": "DCC.combined-schema.1.2.0.json",
    "1.2.1": "DCC.combined-schema.1.2.1.json",
    "1.3.0": "DCC.combined-schema.1.3.0.json",
    "1.3.1": "DCC.combined-schema.1.3.1.json",
    "1.3.2": "DCC.combined-schema.1.3.2.json",
    "1.3.3": "DCC.combined-schema.1.3.3.json",
}
SCHEMA_RELEASES = tuple(SCHEMA_FILES)
CERTIFICATE_TYPES: tuple[CertificateType, ...] = ("v", "t", "r")
ROOT = ""

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_ALTERNATIVES = frozenset({"oneOf", "anyOf"})

_REASONS: dict[str, Callable[[Any], str]] = {
    "type": lambda expected: f"must be of type {_names(expected)}",
    "pattern": lambda pattern: f"must match the pattern {pattern}",
    "maxLength": lambda limit: f"must be at most {limit} characters",
    "minLength": lambda limit: f"must be at least {limit} characters",
    "minimum": lambda limit: f"must be at least {limit}",
    "maximum": lambda limit: f"must be at most {limit}",
    "exclusiveMinimum": lambda limit: f"must be greater than {limit}",
    "exclusiveMaximum": lambda limit: f"must be less than {limit}",
    "minItems": lambda limit: f"must have at least {limit} entries",
    "maxItems": lambda limit: f"must have at most {limit} entries",
    "enum": lambda _: "must be one of the allowed values",
    "const": lambda _: "must be the fixed allowed value",
    "additionalProperties": lambda _: "has properties the schema does not allow",
}


def _names(expected: Any) -> str:
    return " or ".join(expected) if isinstance(expected, list) else str(expected)


def schema_release(ver: object) -> str | None:
    """The schema release used for a payload whose ``ver`` is ``ver`` (``None``: unsupported)."""
    if not isinstance(ver, str):
        return None
    if ver in SCHEMA_FILES:
        return ver
    match = _VERSION.fullmatch(ver)
    if match is None:
        return None
    same_minor = [r for r in SCHEMA_RELEASES if r.split(".")[:2] == [match[1], match[2]]]
    return same_minor[-1] if same_minor else None


@cache
def _schema(release: str) -> dict[str, Any]:
    resource = resources.files(__package__).joinpath("schemas").joinpath(SCHEMA_FILES[release])
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


@cache
def _validator(release: str) -> Validator:
    schema = _schema(release)
    cls = validators.validator_for(schema)  # the draft the schema declares (2020-12)
    cls.check_schema(schema)
    return cls(schema)  # no format_checker: ``format`` stays an annotation


@cache
def _fast_check(release: str) -> Callable[[Any], bool] | None:
    """A compiled yes/no check equivalent to the schema, or ``None`` if it uses other keywords."""
    schema = _schema(release)
    try:
        return _compile(_inline(schema, schema.get("$defs", {})))
    except _UnsupportedSchemaError:
        return None


def certificate_type(payload: Mapping[str, Any]) -> CertificateType | None:
    """``"v"``, ``"t"`` or ``"r"`` if the payload holds exactly one such group of one entry."""
    present = [kind for kind in CERTIFICATE_TYPES if kind in payload]
    if len(present) != 1:
        return None
    entries = payload[present[0]]
    return present[0] if isinstance(entries, list) and len(entries) == 1 else None


def check_entry_count(payload: Mapping[str, Any]) -> list[FieldError]:
    """The specification's rule: exactly one of v/t/r, holding exactly one entry."""
    present = [kind for kind in CERTIFICATE_TYPES if kind in payload]
    if len(present) != 1:
        return [FieldError(ROOT, "must hold exactly one of v, t, r")]
    entries = payload[present[0]]
    if isinstance(entries, list) and len(entries) != 1:
        return [FieldError(f"/{present[0]}", "must hold exactly one entry")]
    return []


def validate_payload(payload: Mapping[str, Any]) -> list[FieldError]:
    """Every schema and entry-count problem of ``payload`` (empty list = valid)."""
    if not isinstance(payload, Mapping):
        return [FieldError(ROOT, "must be an object")]
    entry_errors = check_entry_count(payload)
    release = schema_release(payload.get("ver"))
    if release is None:
        reason = "is required" if "ver" not in payload else "is not a supported schema version"
        return [FieldError("/ver", reason), *entry_errors]
    validator = _validator(release)
    fast = _fast_check(release)
    if not entry_errors and (fast(payload) if fast else validator.is_valid(payload)):
        return []
    covered = {error.field for error in entry_errors}
    schema_errors = (
        field_error
        for error in validator.iter_errors(payload)
        for field_error in _translate(error)
        if field_error.field not in covered
    )
    return _unique([*entry_errors, *schema_errors])


def _unique(errors: Iterable[FieldError]) -> list[FieldError]:
    return list(dict.fromkeys(errors))


def _pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _translate(error: exceptions.ValidationError) -> Iterator[FieldError]:
    at = _pointer(error.absolute_path)
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        names = error.validator_value if isinstance(error.validator_value, list) else []
        for name in names:
            if name not in instance:
                yield FieldError(_pointer([*error.absolute_path, name]), "is required")
    elif error.validator in _ALTERNATIVES:
        yield from _translate_alternatives(error, at)
    else:
        reason = _REASONS.get(str(error.validator))
        value = error.validator_value
        yield FieldError(at, reason(value) if reason else f"breaks the rule {error.validator}")


def _translate_alternatives(error: exceptions.ValidationError, at: str) -> Iterator[FieldError]:
    """oneOf/anyOf: report what every alternative requires, else summarise the choice.

    The payload's top-level oneOf only chooses between v, t and r, which the entry-count rule
    reports; its alternatives' shared requirements (``dob`` …) are still reported.
    """
    branches: dict[int, list[FieldError]] = {}
    for sub in error.context or ():
        branches.setdefault(int(sub.relative_schema_path[0]), []).extend(_translate(sub))
    common = set.intersection(*(set(b) for b in branches.values())) if branches else set()
    if common:
        yield from (e for e in next(iter(branches.values())) if e in common)
    elif at == ROOT and error.validator == "oneOf":
        return
    elif not branches:
        yield FieldError(at, "matches more than one allowed alternative")
    elif len(branches) > 1 and all(_single_required(b) for b in branches.values()):
        names = ", ".join(b[0].field.rsplit("/", 1)[-1] for b in branches.values())
        yield FieldError(at, f"requires one of: {names}")
    else:
        yield FieldError(at, "matches none of the allowed alternatives")


def _single_required(errors: list[FieldError]) -> bool:
    return len(errors) == 1 and errors[0].reason == "is required"


# The fast path. jsonschema stays the authority (and writes every error report), but walking a
# schema through it costs ~0.3-0.6 ms, too slow for the verifier. The DCC schemas use a small,
# non-recursive keyword set, so they are compiled once into closures with the same 2020-12
# meaning; any other keyword disables the fast path. Tests check both agree.

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "format", "valueset-uri"}
)
_Check = Callable[[Any], bool]


class _UnsupportedSchemaError(Exception):
    pass


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    """The schema without annotations and with local ``#/$defs/…`` references substituted."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _inline(sub, defs) for name, sub in value.items()}
        elif key not in _ANNOTATIONS and key != "$defs":
            out[key] = _inline(value, defs)
    ref = out.pop("$ref", None)
    if ref is None:
        return out
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        raise _UnsupportedSchemaError(ref)
    return {**out, "allOf": [_inline(defs[ref.removeprefix("#/$defs/")], defs)]}


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, _Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": _is_number,
    "integer": lambda x: _is_number(x) and (isinstance(x, int) or float(x).is_integer()),
}


def _type_check(expected: Any) -> _Check:
    checks = [_TYPES[name] for name in (expected if isinstance(expected, list) else [expected])]
    return lambda x: any(check(x) for check in checks)


def _properties_check(properties: Mapping[str, Any]) -> _Check:
    checks = [(name, _compile(sub)) for name, sub in properties.items()]
    return lambda x: (
        not isinstance(x, dict) or all(check(x[name]) for name, check in checks if name in x)
    )


def _pattern_check(pattern: str) -> _Check:
    search = re.compile(pattern).search
    return lambda x: not isinstance(x, str) or search(x) is not None


def _items_check(schema: Any) -> _Check:
    check = _compile(schema)
    return lambda x: not isinstance(x, list) or all(check(item) for item in x)


def _one_of_check(schemas: list[Any]) -> _Check:
    checks = [_compile(sub) for sub in schemas]
    return lambda x: sum(1 for check in checks if check(x)) == 1


def _any_of_check(schemas: list[Any]) -> _Check:
    checks = [_compile(sub) for sub in schemas]
    return lambda x: any(check(x) for check in checks)


def _all_of_check(schemas: list[Any]) -> _Check:
    return _all([_compile(sub) for sub in schemas])


def _all(checks: list[_Check]) -> _Check:
    if len(checks) == 1:
        return checks[0]

    def run(x: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a plain loop is measurably faster than all(genexpr)
            if not check(x):
                return False
        return True

    return run


_KEYWORDS: dict[str, Callable[[Any], _Check]] = {
    "type": _type_check,
    "properties": _properties_check,
    "required": lambda names: lambda x: not isinstance(x, dict) or all(n in x for n in names),
    "pattern": _pattern_check,
    "maxLength": lambda n: lambda x: not isinstance(x, str) or len(x) <= n,
    "minLength": lambda n: lambda x: not isinstance(x, str) or len(x) >= n,
    "minimum": lambda n: lambda x: not _is_number(x) or x >= n,
    "maximum": lambda n: lambda x: not _is_number(x) or x <= n,
    "items": _items_check,
    "minItems": lambda n: lambda x: not isinstance(x, list) or len(x) >= n,
    "maxItems": lambda n: lambda x: not isinstance(x, list) or len(x) <= n,
    "oneOf": _one_of_check,
    "anyOf": _any_of_check,
    "allOf": _all_of_check,
}


def _compile(schema: Any) -> _Check:
    if not isinstance(schema, dict):
        raise _UnsupportedSchemaError(type(schema).__name__)
    checks = []
    for keyword, value in schema.items():
        factory = _KEYWORDS.get(keyword)
        if factory is None:
            raise _UnsupportedSchemaError(keyword)
        checks.append(factory(value))
    return _all(checks)
