from __future__ import annotations

import copy
from typing import Any

import pytest

from payloads import VN_VACCINATION as VACCINATION
from vaxpass.errors import FieldError
from vaxpass.formats.dcc.valuesets import (
    VALUE_SET_IDS,
    check_vaccine_encoding,
    check_value_sets,
    display_name,
    encoding_instructions,
    value_set,
)

TEST: dict[str, Any] = {
    "tg": "840539006",
    "tt": "LP217198-3",
    "ma": "1232",
    "sc": "2021-10-01T08:00:00Z",
    "tr": "260415000",
    "co": "VN",
    "is": "Ministry of Health",
    "ci": "URN:UVCI:01:VN:1#A",
}

# (mp, ma, vp) as Viet Nam encodes the vaccines it used (mission facts)
VIET_NAM_VACCINES = [
    ("EU/1/21/1529", "ORG-100001699", "29061000087103"),  # Vaxzevria
    ("EU/1/20/1528", "ORG-100030215", "1119349007"),  # Comirnaty
    ("EU/1/20/1507", "ORG-100031184", "1119349007"),  # Spikevax
    ("BBIBP-CorV", "ORG-100020693", "1157024006"),  # Sinopharm "Vero Cell"
    ("Sputnik-V", "Gamaleya-Research-Institute", "29061000087103"),
    ("Abdala", "CIGB", "28531000087107"),
    ("Hayat-Vax", "ORG-100023050", "1157024006"),
    ("EU/1/20/1525", "ORG-100001417", "29061000087103"),  # Jcovden
    ("Covaxin", "Bharat-Biotech", "1157024006"),
]


def test_every_bundled_value_set_loads() -> None:
    for valueset_id in VALUE_SET_IDS:
        loaded = value_set(valueset_id)
        assert loaded.entries
        assert loaded.date


def test_unknown_value_set_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        value_set("no-such-set")


@pytest.mark.parametrize(
    ("valueset_id", "code", "expected"),
    [
        ("vaccine-medicinal-product", "EU/1/21/1529", "Vaxzevria"),
        ("vaccine-medicinal-product", "BBIBP-CorV", "BBIBP-CorV"),
        ("country-2-codes", "VN", "Viet Nam"),
        ("disease-agent-targeted", "840539006", "COVID-19"),
        ("test-result", "260415000", "Not detected"),
    ],
)
def test_display_name(valueset_id: str, code: str, expected: str) -> None:
    assert display_name(valueset_id, code) == expected


def test_display_name_falls_back_to_english_and_knows_unknown_codes() -> None:
    assert display_name("country-2-codes", "VN", lang="vi") == "Viet Nam"
    assert display_name("country-2-codes", "XX") is None


def test_vietnamese_certificate_uses_known_codes() -> None:
    assert check_value_sets(VACCINATION) == []


@pytest.mark.parametrize(
    ("field", "valueset_id"),
    [
        ("tg", "disease-agent-targeted"),
        ("vp", "vaccine-prophylaxis"),
        ("mp", "vaccine-medicinal-product"),
        ("ma", "vaccine-mah-manf"),
        ("co", "country-2-codes"),
    ],
)
def test_unknown_vaccination_code_is_reported(field: str, valueset_id: str) -> None:
    payload = copy.deepcopy(VACCINATION)
    payload["v"][0][field] = "SECRET-VALUE"
    [error] = check_value_sets(payload)
    assert error == FieldError(f"/v/0/{field}", f"not in value set {valueset_id}")
    assert "SECRET-VALUE" not in error.reason


@pytest.mark.parametrize("field", ["tg", "tt", "tr", "co"])
def test_unknown_test_code_is_reported(field: str) -> None:
    payload = {"ver": "1.3.0", "t": [dict(TEST, **{field: "X"})]}
    assert [e.field for e in check_value_sets(payload)] == [f"/t/0/{field}"]


def test_test_device_is_checked_only_against_a_supplied_list() -> None:
    payload = {"t": [dict(TEST, ma="999999")]}
    assert check_value_sets(payload) == []
    devices = value_set("test-manf").entries.keys()
    assert [e.field for e in check_value_sets(payload, test_device_codes=devices)] == ["/t/0/ma"]
    assert check_value_sets({"t": [TEST]}, test_device_codes=devices) == []


def test_recovery_and_unhcr_country() -> None:
    payload = {"r": [{"tg": "840539006", "co": "UNHCR"}]}
    assert check_value_sets(payload) == []
    payload = {"r": [{"tg": "1", "co": "ZZ"}]}
    assert [e.field for e in check_value_sets(payload)] == ["/r/0/tg", "/r/0/co"]


def test_shape_problems_are_left_to_the_schema() -> None:
    assert check_value_sets({"v": "x", "t": [1, None], "r": [{"tg": 5}]}) == []


def test_deactivated_codes_stay_known_for_old_certificates() -> None:
    payload = copy.deepcopy(VACCINATION)
    payload["v"][0]["mp"] = "Inactivated-SARS-CoV-2-Vero-Cell"
    assert check_value_sets(payload) == []


def test_encoding_instructions_are_keyed_by_product_code() -> None:
    instructions = encoding_instructions()
    assert instructions["Sputnik-V"].name == "Sputnik V"
    assert instructions["EU/1/20/1528"].name == "Comirnaty"
    assert instructions["NVX-CoV2373"].deprecated


@pytest.mark.parametrize(("mp", "ma", "vp"), VIET_NAM_VACCINES)
def test_vaccines_used_in_viet_nam_follow_the_instructions(mp: str, ma: str, vp: str) -> None:
    assert check_vaccine_encoding(mp, ma, vp) == []


def test_wrong_manufacturer_is_reported() -> None:
    # Sinopharm BBIBP-CorV with the Beijing Institute code instead of ORG-100020693
    [error] = check_vaccine_encoding("BBIBP-CorV", "ORG-100010771", "1157024006")
    assert error.field == "/v/0/ma"


def test_wrong_vaccine_type_is_reported() -> None:
    [error] = check_vaccine_encoding("EU/1/20/1528", "ORG-100030215", "29061000087103", at="/v/3")
    assert error.field == "/v/3/vp"


def test_unknown_product_is_reported() -> None:
    assert check_vaccine_encoding("Vero-Cell", "ORG-100020693", "1157024006") == [
        FieldError("/v/0/mp", "product has no encoding instruction")
    ]


@pytest.mark.parametrize(
    ("mp", "ma", "vp"),
    [
        ("Inactivated-SARS-CoV-2-Vero-Cell", "ORG-100010771", "1157024006"),
        ("NVX-CoV2373", "ORG-100032020", "1162643001"),
    ],
)
def test_deprecated_products_only_for_existing_certificates(mp: str, ma: str, vp: str) -> None:
    assert [e.field for e in check_vaccine_encoding(mp, ma, vp)] == ["/v/0/mp"]
    assert check_vaccine_encoding(mp, ma, vp, allow_deprecated=True) == []
