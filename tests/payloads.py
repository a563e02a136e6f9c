"""Payloads shared by the tests."""

from __future__ import annotations

from typing import Any

# The QR payload Viet Nam issued (schema 1.3.0, one Sinopharm vaccination), with a made-up person.
VN_VACCINATION: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Bảo Duy", "gnt": "BAO<DUY"},
    "dob": "1990-01-01",
    "v": [
        {
            "tg": "840539006",
            "vp": "1157024006",
            "mp": "BBIBP-CorV",
            "ma": "ORG-100020693",
            "dn": 2,
            "sd": 2,
            "dt": "2021-10-01",
            "co": "VN",
            "is": "Ministry of Health",
            "ci": "URN:UVCI:01:VN:E899F50A8FDB935BF2B7151EECD9CA2E#Z",
        }
    ],
}
