"""Small import files for the integration and end-to-end tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER = [
    "id_number", "full_name", "sex", "birth_date", "dose_number", "vaccinated_on", "product",
    "lot_number", "facility_code", "facility_name", "facility_province",
]  # fmt: skip

GOOD_ROWS = [
    ["001090012345", "Nguyễn Bá Hùng", "M", "1990-05-17", "1", "2021-07-01", "Vaxzevria",
     "AB1", "HN-BM", "Bệnh viện Bạch Mai", "01"],
    ["001090012345", "Nguyễn Bá Hùng", "M", "1990-05-17", "2", "2021-09-01", "EU/1/21/1529",
     "AB2", "HN-BM", "Bệnh viện Bạch Mai", "01"],
    ["079301000001", "Trần Thị Hoà", "F", "2001", "1", "2021-10-01", "Comirnaty", "",
     "HCM-Q1", "Trạm Y tế Phường Bến Nghé", "79"],
    ["048185000777", "Lê Thị Thuỷ", "nữ", "17/03/1985", "3", "2022-01-15", "Spikevax", "MX9",
     "DN-01", "Trung tâm Y tế Hải Châu", "48"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path
