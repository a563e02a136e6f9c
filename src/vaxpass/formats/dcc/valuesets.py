"""EU DCC value sets and vaccine encoding instructions, bundled and loaded lazily.

The JSON files in ``valuesets/`` are the official eHN value sets (eu-dcc-valuesets). Value-set
membership is checked apart from the JSON schema, which only says "string". Codes that were
deactivated later stay *known* here, so old certificates still pass; the encoding check, meant
for issuance, refuses deprecated products unless told otherwise.

The bundled rapid-test device list is an example snapshot (the live list comes from the EU
gateway), so test ``ma`` is checked only against a device list the caller supplies.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from vaxpass.errors import FieldError

_FILES = {
    "disease-agent-targeted": "disease-agent-targeted.json",
    "vaccine-prophylaxis": "vaccine-prophylaxis.json",
    "vaccine-medicinal-product": "vaccine-medicinal-product.json",
    "vaccine-mah-manf": "vaccine-mah-manf.json",
    "country-2-codes": "country-2-codes.json",
    "test-type": "test-type.json",
    "test-result": "test-result.json",
    "test-manf": "test-manf-example.json",
}
VALUE_SET_IDS = frozenset(_FILES)
EXTRA_COUNTRY_CODES = frozenset({"UNHCR"})  # allowed in ``co`` by the DCC specification
_DEPRECATED_SUFFIX = " (deprecated)"

# Which value set each coded field of each certificate group uses; ``ma`` of tests is special.
_FIELD_VALUE_SETS: dict[str, dict[str, str]] = {
    "v": {
        "tg": "disease-agent-targeted",
        "vp": "vaccine-prophylaxis",
        "mp": "vaccine-medicinal-product",
        "ma": "vaccine-mah-manf",
        "co": "country-2-codes",
    },
    "t": {
        "tg": "disease-agent-targeted",
        "tt": "test-type",
        "tr": "test-result",
        "co": "country-2-codes",
    },
    "r": {"tg": "disease-agent-targeted", "co": "country-2-codes"},
}


@dataclass(frozen=True, slots=True)
class ValueSetEntry:
    display: str
    lang: str
    active: bool


@dataclass(frozen=True, slots=True)
class ValueSet:
    id: str
    date: str
    entries: Mapping[str, ValueSetEntry]

    def __contains__(self, code: object) -> bool:
        return code in self.entries


@dataclass(frozen=True, slots=True)
class EncodingInstruction:
    """How one vaccine product must be encoded (Annex A of the value-set document)."""

    name: str
    product: str
    manufacturer: str
    vaccine_types: frozenset[str]
    deprecated: bool


def _read_json(name: str) -> Any:
    resource = resources.files(__package__).joinpath("valuesets").joinpath(name)
    return json.loads(resource.read_text(encoding="utf-8"))


@cache
def value_set(valueset_id: str) -> ValueSet:
    """The bundled value set called ``valueset_id`` (one of :data:`VALUE_SET_IDS`)."""
    if valueset_id not in _FILES:
        raise KeyError(f"unknown value set {valueset_id!r}")
    raw = _read_json(_FILES[valueset_id])
    entries = {
        code: ValueSetEntry(str(item["display"]), str(item["lang"]), bool(item["active"]))
        for code, item in raw["valueSetValues"].items()
    }
    return ValueSet(str(raw["valueSetId"]), str(raw["valueSetDate"]), entries)


@cache
def encoding_instructions() -> Mapping[str, EncodingInstruction]:
    """Encoding instructions keyed by product code (``vaccine-code``, not the file's own keys)."""
    raw = _read_json("vaccine-encoding-instructions.json")["valueSetValues"]
    instructions: dict[str, EncodingInstruction] = {}
    for name, item in raw.items():
        code = str(item["vaccine-code"])
        product = code.removesuffix(_DEPRECATED_SUFFIX)
        instructions[product] = EncodingInstruction(
            name=name,
            product=product,
            manufacturer=str(item["vaccine-manufacturer"]),
            vaccine_types=frozenset(item["sct-codes"]),
            deprecated=product != code,
        )
    return instructions


def display_name(valueset_id: str, code: str, lang: str = "en") -> str | None:
    """The display text of ``code`` (``None`` if unknown); English when ``lang`` is missing."""
    del lang  # the official value sets are published in English only
    entry = value_set(valueset_id).entries.get(code)
    return entry.display if entry is not None else None


def _is_known(valueset_id: str, code: str) -> bool:
    if valueset_id == "country-2-codes" and code in EXTRA_COUNTRY_CODES:
        return True
    return code in value_set(valueset_id)


def _check_entry(
    group: str, index: int, entry: Mapping[str, Any], test_device_codes: Collection[str] | None
) -> list[FieldError]:
    errors = [
        FieldError(f"/{group}/{index}/{field}", f"not in value set {valueset_id}")
        for field, valueset_id in _FIELD_VALUE_SETS[group].items()
        if isinstance(code := entry.get(field), str) and not _is_known(valueset_id, code)
    ]
    if group == "t" and test_device_codes is not None:
        device = entry.get("ma")
        if isinstance(device, str) and device not in test_device_codes:
            errors.append(FieldError(f"/t/{index}/ma", "not in the rapid test device list"))
    return errors


def check_value_sets(
    payload: Mapping[str, Any], *, test_device_codes: Collection[str] | None = None
) -> list[FieldError]:
    """Coded fields of every v/t/r entry that are not in their value set (empty = all known).

    Missing or mistyped fields are left to the schema. Test ``ma`` is checked only when
    ``test_device_codes`` is given (e.g. the gateway's current list).
    """
    errors: list[FieldError] = []
    for group in ("v", "t", "r"):
        entries = payload.get(group)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, Mapping):
                errors.extend(_check_entry(group, index, entry, test_device_codes))
    return errors


def check_vaccine_encoding(
    mp: str, ma: str, vp: str, *, at: str = "/v/0", allow_deprecated: bool = False
) -> list[FieldError]:
    """Whether (product, manufacturer, vaccine type) follow the encoding instructions.

    ``at`` prefixes the reported fields. Deprecated product codes are errors for new
    certificates; pass ``allow_deprecated=True`` when judging certificates already issued.
    """
    instruction = encoding_instructions().get(mp)
    if instruction is None:
        return [FieldError(f"{at}/mp", "product has no encoding instruction")]
    errors = []
    product_entry = value_set("vaccine-medicinal-product").entries.get(mp)
    retired = instruction.deprecated or (product_entry is not None and not product_entry.active)
    if retired and not allow_deprecated:
        errors.append(FieldError(f"{at}/mp", "product code is deprecated for new certificates"))
    if ma != instruction.manufacturer:
        errors.append(FieldError(f"{at}/ma", "not the holder or manufacturer of this product"))
    if vp not in instruction.vaccine_types:
        errors.append(FieldError(f"{at}/vp", "not an allowed vaccine type for this product"))
    return errors
