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
import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
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
    if type(payload) is not dict and not isinstance(payload, Mapping):
        return [FieldError(ROOT, "must be an object")]
    entry_errors = check_entry_count(payload)
    release = schema_release(payload.get("ver"))
    if release is None:
        reason = "is required" if "ver" not in payload else "is not a supported schema version"
        return [FieldError("/ver", reason), *entry_errors]
    if not entry_errors and _is_valid(release, payload):
        return []
    validator = _validator(release)
    covered = {error.field for error in entry_errors}
    schema_errors = (
        field_error
        for error in validator.iter_errors(payload)
        for field_error in _translate(error)
        if field_error.field not in covered
    )
    return _unique([*entry_errors, *schema_errors])


def is_valid_payload(payload: Mapping[str, Any]) -> bool:
    """``validate_payload(payload) == []``, without building the error list."""
    if type(payload) is not dict and not isinstance(payload, Mapping):
        return False
    release = schema_release(payload.get("ver"))
    return release is not None and not check_entry_count(payload) and _is_valid(release, payload)


def _is_valid(release: str, payload: Mapping[str, Any]) -> bool:
    fast = _fast_check(release)
    return fast(payload) if fast else _validator(release).is_valid(payload)


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
# non-recursive keyword set, so each release is turned once into the source of one straight-line
# Python function with the same 2020-12 meaning; any other keyword disables the fast path. The
# source is built only from the bundled schema: names and numbers enter it through repr() of
# checked str/int/float values, patterns as compiled objects in the function's globals.
# Tests check that both paths agree.

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "format", "valueset-uri"}
)


_DEFS = "#/$defs/"


class _UnsupportedSchemaError(Exception):
    pass


def _inline(node: Any, root: Mapping[str, Any]) -> Any:
    """The schema without annotations and with local ``#/$defs/…`` references substituted."""
    if isinstance(node, list):
        return [_inline(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _inline(sub, root) for name, sub in value.items()}
        elif key not in _ANNOTATIONS and key != "$defs":
            out[key] = _inline(value, root)
    ref = out.pop("$ref", None)
    if ref is None:
        return out
    target = root.get("$defs", {}).get(ref.removeprefix(_DEFS)) if _is_local(ref) else None
    if target is None:
        raise _UnsupportedSchemaError(ref)
    return {**out, "allOf": [_inline(target, root)]}


def _is_local(ref: Any) -> bool:
    """``#/$defs/name`` (no nested pointer, no escapes: the only form the schemas use)."""
    if not isinstance(ref, str) or not ref.startswith(_DEFS):
        return False
    name = ref.removeprefix(_DEFS)
    return "/" not in name and "~" not in name


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    """jsonschema's 2020-12 "integer": an int that is not a bool, or an integral float."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


# Per JSON type, the expression (over a variable name) that tests it; exact-type tests first.
_TYPE_TESTS: dict[str, str] = {
    "string": "isinstance({0}, str)",
    "object": "isinstance({0}, dict)",
    "array": "isinstance({0}, list)",
    "boolean": "isinstance({0}, bool)",
    "null": "{0} is None",
    "number": "(type({0}) is int or type({0}) is float or _is_number({0}))",
    "integer": "(type({0}) is int or _is_integer({0}))",
}
# The instance type each keyword applies to (other instances pass it).
_APPLIES_TO = {
    "properties": "object",
    "required": "object",
    "pattern": "string",
    "minLength": "string",
    "maxLength": "string",
    "minimum": "number",
    "maximum": "number",
    "items": "array",
    "minItems": "array",
    "maxItems": "array",
}
_IMPLIES_NUMBER = frozenset({"number", "integer"})
_GLOBALS = {
    "__builtins__": {"isinstance": isinstance, "type": type, "len": len},
    **{t.__name__: t for t in (str, dict, list, bool, int, float)},
    "_is_number": _is_number,
    "_is_integer": _is_integer,
}


@dataclass(frozen=True, slots=True)
class _Let:
    """An assignment statement."""

    target: str
    value: str


@dataclass(frozen=True, slots=True)
class _Block:
    """``header`` (an ``if``/``for`` line without its colon) over ``body``."""

    header: str
    body: list[_Item]


# A ``str`` item is a failure condition: the instance is invalid when it holds.
_Item = str | _Let | _Block


class _Generator:
    """Builds the source of one check function from an inlined schema."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self.functions: list[list[str]] = []
        self._count = 0

    def fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def schema(self, schema: Any, var: str, known: str | None) -> list[_Item]:
        """Failure conditions for ``var`` against ``schema``; ``known``: its type, if checked."""
        if not isinstance(schema, dict):
            raise _UnsupportedSchemaError(type(schema).__name__)
        items: list[_Item] = []
        if "type" in schema:
            items += self.type_conditions(schema["type"], var, known)
            known = schema["type"] if isinstance(schema["type"], str) else known
        for keyword, value in schema.items():  # cheap keywords first, subschemas after
            if keyword in _APPLIES_TO:
                items += self.guarded(keyword, value, var, known)
        for keyword, value in schema.items():
            if keyword not in _APPLIES_TO and keyword != "type":
                items += self.combinator(keyword, value, var, known)
        return items

    def type_conditions(self, expected: Any, var: str, known: str | None) -> list[_Item]:
        names = [expected] if isinstance(expected, str) else expected
        if not isinstance(names, list) or not all(name in _TYPE_TESTS for name in names):
            raise _UnsupportedSchemaError("type")
        if names == [known]:  # already tested on this path
            return []
        return ["not (" + " or ".join(_TYPE_TESTS[name].format(var) for name in names) + ")"]

    def guarded(self, keyword: str, value: Any, var: str, known: str | None) -> list[_Item]:
        """The keyword's conditions, under a type test unless the type is already known."""
        items = self.keyword(keyword, value, var)
        applies_to = _APPLIES_TO[keyword]
        if (
            not items
            or known == applies_to
            or (applies_to == "number" and known in _IMPLIES_NUMBER)
        ):
            return items
        return [_Block("if " + _TYPE_TESTS[applies_to].format(var), items)]

    def keyword(self, keyword: str, value: Any, var: str) -> list[_Item]:
        if keyword == "properties":
            return self.properties(value, var)
        if keyword == "required":
            return [f"{_text(name)} not in {var}" for name in _list(value)]
        if keyword == "items":
            item = self.fresh("x")
            body = self.schema(value, item, None)
            return [_Block(f"for {item} in {var}", body)] if body else []
        if keyword == "pattern":
            search = self.fresh("_search")
            self.constants[search] = re.compile(_string(value)).search
            return [f"{search}({var}) is None"]
        comparison = _COMPARISONS[keyword]
        limit = _number(value) if keyword in _BOUNDS else _count(value)
        return [comparison.format(var, limit)]

    def properties(self, properties: Any, var: str) -> list[_Item]:
        if not isinstance(properties, dict):
            raise _UnsupportedSchemaError("properties")
        items: list[_Item] = []
        for name, sub in properties.items():
            value = self.fresh("x")
            body = self.schema(sub, value, None)
            if body:
                key = _text(name)
                items.append(_Block(f"if {key} in {var}", [_Let(value, f"{var}[{key}]"), *body]))
        return items

    def combinator(self, keyword: str, value: Any, var: str, known: str | None) -> list[_Item]:
        if keyword not in ("allOf", "anyOf", "oneOf") or not isinstance(value, list) or not value:
            raise _UnsupportedSchemaError(keyword)
        if keyword == "allOf":
            return [item for sub in value for item in self.schema(sub, var, known)]
        branches = [self.branch(sub, var, known) for sub in value]
        if keyword == "anyOf":
            return ["not (" + " or ".join(branches) + ")"]
        return ["(" + ") + (".join(branches) + ") != 1"]

    def branch(self, schema: Any, var: str, known: str | None) -> str:
        """A boolean expression: inline when the branch is only conditions, else a call."""
        items = self.schema(schema, var, known)
        if all(isinstance(item, str) for item in items):
            return "not (" + " or ".join(f"({item})" for item in items) + ")" if items else "True"
        name = self.fresh("_branch")
        self.functions.append(_function(name, var, items))
        return f"{name}({var})"


_COMPARISONS = {
    "minLength": "len({0}) < {1}",
    "maxLength": "len({0}) > {1}",
    "minItems": "len({0}) < {1}",
    "maxItems": "len({0}) > {1}",
    "minimum": "{0} < {1}",
    "maximum": "{0} > {1}",
}
_BOUNDS = frozenset({"minimum", "maximum"})


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _UnsupportedSchemaError("expected a string")
    return value


def _text(value: Any) -> str:
    """A schema string as a Python literal."""
    return repr(_string(value))


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _UnsupportedSchemaError("expected an array")
    return value


def _count(value: Any) -> str:
    if type(value) is not int or value < 0:
        raise _UnsupportedSchemaError("expected a non-negative integer")
    return repr(value)


def _number(value: Any) -> str:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise _UnsupportedSchemaError("expected a finite number")
    return repr(value)


def _function(name: str, var: str, items: list[_Item]) -> list[str]:
    """``def name(var): … return True``, returning False where a condition holds."""
    lines = [f"def {name}({var}):"]
    _render(items, 1, lines)
    return [*lines, "    return True"]


def _render(items: list[_Item], depth: int, lines: list[str]) -> None:
    """Source lines for ``items``; consecutive conditions share one ``if``."""
    pad = "    " * depth
    conditions: list[str] = []
    for item in [*items, None]:
        if isinstance(item, str):
            conditions.append(item)
            continue
        if conditions:
            lines.append(f"{pad}if " + " or ".join(f"({c})" for c in conditions) + ": return False")
            conditions = []
        if isinstance(item, _Let):
            lines.append(f"{pad}{item.target} = {item.value}")
        elif isinstance(item, _Block):
            lines.append(f"{pad}{item.header}:")
            _render(item.body, depth + 1, lines)


def _source(schema: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The source of ``check(instance) -> bool`` for ``schema``, and the globals it needs."""
    generator = _Generator()
    try:
        main = _function("check", "x0", generator.schema(_inline(schema, schema), "x0", None))
    except RecursionError as exc:  # a cyclic $ref
        raise _UnsupportedSchemaError("$ref cycle") from exc
    lines = [line for function in (*generator.functions, main) for line in function]
    return "\n".join(lines) + "\n", generator.constants


@cache
def _fast_check(release: str) -> Callable[[Any], bool] | None:
    """A generated yes/no check equivalent to the schema, or ``None`` if it uses other keywords."""
    _validator(release)  # the schema itself is checked once, as on the jsonschema path
    try:
        source, constants = _source(_schema(release))
    except _UnsupportedSchemaError:
        return None
    namespace = {**_GLOBALS, **constants}
    exec(compile(source, f"<DCC schema {release}>", "exec"), namespace)
    check: Callable[[Any], bool] = namespace["check"]
    return check
