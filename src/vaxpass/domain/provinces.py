"""The 63 provinces of 2021–22 with their statistics-office (GSO) codes, and their 2025 successors.

Records keep the province as it was when the dose was given; ``successor_of`` maps it to the
province that took it over on 1 July 2025 (34 provinces), for reporting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # two-digit GSO code, e.g. "01"
    name: str
    successor_code: str  # GSO code of the 2025 province that absorbed it


_ROWS: tuple[tuple[str, str, str], ...] = (
    ("01", "Hà Nội", "01"),
    ("02", "Hà Giang", "08"),
    ("04", "Cao Bằng", "04"),
    ("06", "Bắc Kạn", "19"),
    ("08", "Tuyên Quang", "08"),
    ("10", "Lào Cai", "10"),
    ("11", "Điện Biên", "11"),
    ("12", "Lai Châu", "12"),
    ("14", "Sơn La", "14"),
    ("15", "Yên Bái", "10"),
    ("17", "Hòa Bình", "25"),
    ("19", "Thái Nguyên", "19"),
    ("20", "Lạng Sơn", "20"),
    ("22", "Quảng Ninh", "22"),
    ("24", "Bắc Giang", "27"),
    ("25", "Phú Thọ", "25"),
    ("26", "Vĩnh Phúc", "25"),
    ("27", "Bắc Ninh", "27"),
    ("30", "Hải Dương", "31"),
    ("31", "Hải Phòng", "31"),
    ("33", "Hưng Yên", "33"),
    ("34", "Thái Bình", "33"),
    ("35", "Hà Nam", "37"),
    ("36", "Nam Định", "37"),
    ("37", "Ninh Bình", "37"),
    ("38", "Thanh Hóa", "38"),
    ("40", "Nghệ An", "40"),
    ("42", "Hà Tĩnh", "42"),
    ("44", "Quảng Bình", "45"),
    ("45", "Quảng Trị", "45"),
    ("46", "Thừa Thiên Huế", "46"),
    ("48", "Đà Nẵng", "48"),
    ("49", "Quảng Nam", "48"),
    ("51", "Quảng Ngãi", "51"),
    ("52", "Bình Định", "64"),
    ("54", "Phú Yên", "66"),
    ("56", "Khánh Hòa", "56"),
    ("58", "Ninh Thuận", "56"),
    ("60", "Bình Thuận", "68"),
    ("62", "Kon Tum", "51"),
    ("64", "Gia Lai", "64"),
    ("66", "Đắk Lắk", "66"),
    ("67", "Đắk Nông", "68"),
    ("68", "Lâm Đồng", "68"),
    ("70", "Bình Phước", "75"),
    ("72", "Tây Ninh", "72"),
    ("74", "Bình Dương", "79"),
    ("75", "Đồng Nai", "75"),
    ("77", "Bà Rịa - Vũng Tàu", "79"),
    ("79", "Hồ Chí Minh", "79"),
    ("80", "Long An", "72"),
    ("82", "Tiền Giang", "87"),
    ("83", "Bến Tre", "86"),
    ("84", "Trà Vinh", "86"),
    ("86", "Vĩnh Long", "86"),
    ("87", "Đồng Tháp", "87"),
    ("89", "An Giang", "89"),
    ("91", "Kiên Giang", "89"),
    ("92", "Cần Thơ", "92"),
    ("93", "Hậu Giang", "92"),
    ("94", "Sóc Trăng", "92"),
    ("95", "Bạc Liêu", "96"),
    ("96", "Cà Mau", "96"),
)

PROVINCES: dict[str, Province] = {row[0]: Province(*row) for row in _ROWS}
"""The 63 provinces of 2021–22, keyed by GSO code."""

SUCCESSORS: dict[str, str] = {
    code: PROVINCES[code].name for code in sorted({p.successor_code for p in PROVINCES.values()})
}
"""The 34 provinces since 1 July 2025, keyed by the GSO code of the province that kept its name."""


def is_province_code(code: str) -> bool:
    return code in PROVINCES


def successor_of(code: str) -> str:
    """GSO code of the 2025 province that took over the 2021–22 province ``code``."""
    return PROVINCES[code].successor_code
