"""A sample Vietnamese vaccination certificate payload (schema 1.3.0), for the demo and tests.

The person is fictional; the vaccine codes are those Viet Nam used (Comirnaty, booster 3/3).
"""

from __future__ import annotations

from typing import Any

from vaxpass.formats.dcc.transliteration import transliterate_icao

SCHEMA_VERSION = "1.3.0"
DISEASE_COVID19 = "840539006"


def sample_vaccination_payload(
    *,
    family_name: str = "Nguyễn",
    given_name: str = "Thị Hoà",
    date_of_birth: str = "1990-07-14",
    certificate_id: str,
) -> dict[str, Any]:
    """A DCC payload with one vaccination entry, names transliterated per ICAO 9303."""
    return {
        "ver": SCHEMA_VERSION,
        "nam": {
            "fn": family_name,
            "fnt": transliterate_icao(family_name),
            "gn": given_name,
            "gnt": transliterate_icao(given_name),
        },
        "dob": date_of_birth,
        "v": [
            {
                "tg": DISEASE_COVID19,
                "vp": "J07BX03",
                "mp": "EU/1/20/1528",
                "ma": "ORG-100030215",
                "dn": 3,
                "sd": 3,
                "dt": "2022-03-02",
                "co": "VN",
                "is": "Ministry of Health of Viet Nam",
                "ci": certificate_id,
            }
        ],
    }
