"""Streaming readers for the vaccination management platform's CSV and XLSX exports.

Each reader yields ``(row_number, cells)`` where row 1 is the header (as a spreadsheet shows
it), cells map lower-cased column names to strings, and bytes that are not valid in the file's
encoding survive as lone surrogates so that the validator can reject that one cell. Files that
cannot be read at all raise ``ImportFileError``.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook

from vaxpass.errors import ImportFileError

Row = tuple[int, dict[str, str]]
MAX_CELL_BYTES = 4 * 1024 * 1024  # a cell beyond this makes the file unreadable
EXTRA_CELLS = "_extra"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding_of(head: bytes) -> str:
    return next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8")


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lstrip("\ufeff").casefold() for c in cells]
    if not any(names):
        raise ImportFileError("the header row is empty", row=1)
    return names


def _zip_row(header: list[str], cells: list[str]) -> dict[str, str]:
    row = dict(zip(header, cells, strict=False))
    if len(cells) > len(header):
        row[EXTRA_CELLS] = str(len(cells) - len(header))
    return row


def _blank(cells: list[str]) -> bool:
    """True when every cell is empty or whitespace (``str.isspace`` is what ``strip`` uses)."""
    joined = "".join(cells)
    return not joined or joined.isspace()


def _cells_of(header: list[str], cells: list[str]) -> dict[str, str]:
    if len(cells) > len(header):
        return _zip_row(header, cells)
    return dict(zip(header, cells, strict=False))


def read_csv(stream: IO[bytes]) -> Iterator[Row]:
    csv.field_size_limit(MAX_CELL_BYTES)
    text = io.TextIOWrapper(
        stream,
        encoding=_encoding_of(stream.peek(4)[:4]) if hasattr(stream, "peek") else "utf-8",
        errors="surrogateescape",
        newline="",
    )
    reader = csv.reader(text)
    row_no = 0
    try:
        first = next(reader, None)
        if first is None:
            raise ImportFileError("the file is empty", row=1)
        header, row_no = _header(first), 1
        for row_no, cells in enumerate(reader, start=2):
            if not _blank(cells):
                yield row_no, _cells_of(header, cells)
    except (csv.Error, UnicodeError) as exc:
        raise ImportFileError("CSV structure unreadable", row=row_no + 1) from exc


def _cell_text(value: Any) -> str:
    converters: dict[type, Callable[[Any], str]] = {
        type(None): lambda v: "",
        datetime: lambda v: v.date().isoformat(),
        date: lambda v: v.isoformat(),
        float: lambda v: str(int(v)) if v.is_integer() else str(v),
        bool: lambda v: str(v).lower(),
    }
    return converters.get(type(value), str)(value)


def read_xlsx(stream: IO[bytes]) -> Iterator[Row]:
    try:
        book = load_workbook(stream, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = _header([_cell_text(v) for v in next(rows, ())])
        for row_no, values in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                yield row_no, _zip_row(header, cells)
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError("XLSX workbook unreadable") from exc


_READERS: dict[str, Callable[[io.BufferedReader], Iterator[Row]]] = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".xlsx": read_xlsx,
}


def read_rows(path: Path) -> Iterator[Row]:
    """Stream the rows of ``path``; the format is chosen by the file extension."""
    reader = _READERS.get(path.suffix.casefold())
    if reader is None:
        raise ImportFileError("unsupported file type (use .csv or .xlsx)")
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ImportFileError("file cannot be opened") from exc
    with stream:
        yield from reader(stream)
