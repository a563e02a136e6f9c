"""QR codes for HCERT text: render (PNG, SVG) and read back from pictures.

Rendering always yields error correction level Q and a single alphanumeric-mode segment, as the
EU DCC specification asks. zxing-cpp's writer (zint) is fast but picks its own segmentation (it
switches to numeric mode for long digit runs), so each symbol it makes is checked by reading the
mode indicator and character count back from the modules; the rare symbol that is not one
alphanumeric segment is rebuilt with segno, which can force the mode.

Reading accepts PNG, JPEG, GIF, BMP and WebP, refuses oversized input before decoding any pixel,
and turns every failure into ``DecodeError(Stage.PICTURE, ...)``.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Any

import segno
import zxingcpp
from PIL import Image, ImageOps

from vaxpass.errors import DecodeError, ErrorCode, FieldError, Stage, ValidationError

ALPHANUMERIC_CHARSET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
MAX_TEXT_LENGTH = 2420  # alphanumeric capacity of version 40 at level Q
MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000

_IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_DARK = 0
_LIGHT = 255
_DARK_RUN = re.compile(rb"\x00+")
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

# ISO/IEC 18004 Table 9: error correction blocks at level Q, versions 1-40.
_BLOCKS_Q = (
    *(1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20),
    *(23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
)
_FORMAT_MASK = 0x5412
_EC_LEVEL_Q = 0b11
_MODE_ALPHANUMERIC = 0b0010

_DATA_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


@dataclass(frozen=True, slots=True)
class _Symbol:
    """A QR symbol without quiet zone: ``size`` x ``size`` luminance bytes, 0 = dark module."""

    size: int
    pixels: bytes

    @property
    def version(self) -> int:
        return (self.size - 17) // 4

    def dark(self, row: int, col: int) -> bool:
        return self.pixels[row * self.size + col] == _DARK

    def rows(self) -> Iterator[bytes]:
        for start in range(0, len(self.pixels), self.size):
            yield self.pixels[start : start + self.size]


# --- rendering ---------------------------------------------------------------------------------


def render_qr_png(text: str, *, scale: int = 4, border: int = 4) -> bytes:
    """Render ``text`` as a 1-bit PNG QR code (alphanumeric mode, level Q)."""
    _check_layout(scale, border)
    symbol = _encode(text)
    image = Image.frombytes("L", (symbol.size, symbol.size), symbol.pixels)
    image = ImageOps.expand(image, border=border, fill=_LIGHT)
    if scale != 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(out, format="PNG")
    return out.getvalue()


def render_qr_svg(text: str, *, scale: int = 4, border: int = 4) -> str:
    """Render ``text`` as an SVG QR code (alphanumeric mode, level Q), one path of module runs."""
    _check_layout(scale, border)
    symbol = _encode(text)
    extent = symbol.size + 2 * border
    runs = "".join(
        f"M{run.start() + border} {y + border}h{run.end() - run.start()}v1H{run.start() + border}z"
        for y, row in enumerate(symbol.rows())
        for run in _DARK_RUN.finditer(row)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{extent * scale}" '
        f'height="{extent * scale}" viewBox="0 0 {extent} {extent}" shape-rendering="crispEdges">'
        f'<rect width="{extent}" height="{extent}" fill="#fff"/>'
        f'<path fill="#000" d="{runs}"/></svg>'
    )


def _check_layout(scale: int, border: int) -> None:
    errors = []
    if scale < 1:
        errors.append(FieldError("scale", "must be at least 1"))
    if border < 0:
        errors.append(FieldError("border", "must not be negative"))
    if errors:
        raise ValidationError("invalid QR layout", errors)


def _check_text(text: str) -> None:
    if not text:
        raise ValidationError("QR text is empty", [FieldError("text", "empty")])
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError("QR text too long", [FieldError("text", "over QR capacity")])
    if not ALPHANUMERIC_CHARSET.issuperset(text):
        reason = "outside the QR alphanumeric charset"
        raise ValidationError("QR text not alphanumeric", [FieldError("text", reason)])


def _encode(text: str) -> _Symbol:
    _check_text(text)
    symbol = _zxing_symbol(text)
    if _is_alphanumeric_q(symbol, len(text)):
        return symbol
    return _segno_symbol(text)


def _zxing_symbol(text: str) -> _Symbol:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    image: Any = zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False)
    pixels = bytes(memoryview(image))  # one luminance byte per module, rows top to bottom
    return _Symbol(math.isqrt(len(pixels)), pixels)


def _segno_symbol(text: str) -> _Symbol:
    qr: Any = segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False)
    rows: tuple[bytearray, ...] = qr.matrix
    pixels = b"".join(bytes(_DARK if module else _LIGHT for module in row) for row in rows)
    return _Symbol(len(rows), pixels)


# --- reading a symbol's own structure (to prove level Q and one alphanumeric segment) ----------


def _is_alphanumeric_q(symbol: _Symbol, length: int) -> bool:
    """True if ``symbol`` is level Q and starts with one alphanumeric segment of ``length``."""
    format_bits = _read_format(symbol) ^ _FORMAT_MASK
    if format_bits >> 13 != _EC_LEVEL_Q:
        return False
    version = symbol.version
    blocks = _BLOCKS_Q[version - 1]
    flips = _mask_bits(version, (format_bits >> 10) & 0b111)
    stream = [
        (symbol.pixels[index] == _DARK) != flip
        for index, flip in zip(_header_modules(version), flips, strict=True)
    ]
    # Codewords are interleaved block by block: block 1's first three data codewords (which
    # hold the segment header) sit at stream positions 0, blocks and 2 * blocks.
    header = 0
    for word in (0, blocks, 2 * blocks):
        for bit in stream[word * 8 : word * 8 + 8]:
            header = (header << 1) | bit
    count_bits = 9 if version < 10 else 11 if version < 27 else 13
    mode = header >> 20
    count = (header >> (20 - count_bits)) & ((1 << count_bits) - 1)
    return mode == _MODE_ALPHANUMERIC and count == length


def _read_format(symbol: _Symbol) -> int:
    # The copy around the top-left finder, most significant bit first.
    cells = [(8, col) for col in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    value = 0
    for row, col in cells:
        value = (value << 1) | symbol.dark(row, col)
    return value


@cache
def _header_positions(version: int) -> tuple[tuple[int, int], ...]:
    """(row, col) of the data modules holding the first ``2 * blocks + 1`` codewords."""
    size = 17 + 4 * version
    needed = (2 * _BLOCKS_Q[version - 1] + 1) * 8
    is_function = _function_modules(size, version)
    data = (cell for cell in _placement_order(size) if not is_function(*cell))
    return tuple(islice(data, needed))


@cache
def _header_modules(version: int) -> tuple[int, ...]:
    size = 17 + 4 * version
    return tuple(row * size + col for row, col in _header_positions(version))


@cache
def _mask_bits(version: int, mask: int) -> tuple[bool, ...]:
    return tuple(_DATA_MASKS[mask](row, col) for row, col in _header_positions(version))


def _placement_order(size: int) -> Iterator[tuple[int, int]]:
    """Module positions in codeword placement order: two-column strips, right to left."""
    rights = [*range(size - 1, 7, -2), 5, 3, 1]  # column 6 is the vertical timing pattern
    for right in rights:
        upward = (right + 1) & 2 == 0
        for step in range(size):
            row = size - 1 - step if upward else step
            yield row, right
            yield row, right - 1


def _alignment_centres(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    size = 17 + 4 * version
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6, *reversed([size - 7 - i * step for i in range(count - 1)])]


def _function_modules(size: int, version: int) -> Callable[[int, int], bool]:
    centres = _alignment_centres(version)
    last = size - 7
    alignment = {
        (r, c) for r in centres for c in centres if (r, c) not in {(6, 6), (6, last), (last, 6)}
    }
    version_band = range(size - 11, size - 8) if version >= 7 else range(0)

    def is_function(row: int, col: int) -> bool:
        if row == 6 or col == 6:
            return True
        if (row < 9 and (col < 9 or col >= size - 8)) or (row >= size - 8 and col < 9):
            return True
        if (row < 6 and col in version_band) or (col < 6 and row in version_band):
            return True
        return any(abs(row - r) <= 2 and abs(col - c) <= 2 for r, c in alignment)

    return is_function


# --- reading pictures ----------------------------------------------------------------------------


# The first byte of every signature below: most text (such as "HC1:…") is ruled out at once.
_IMAGE_FIRST_BYTES = frozenset(b"\x89\xffGRB")


def looks_like_image(data: bytes) -> bool:
    """True if ``data`` starts like a PNG, JPEG, GIF, BMP or WebP file."""
    if not data or data[0] not in _IMAGE_FIRST_BYTES:
        return False
    head = bytes(data[:32])
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return True
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return True
    # "BM" alone is too weak (text can start with it): also require a known DIB header size.
    return (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES
    )


def read_qr_image(
    data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS
) -> str:
    """Decode the one QR code in a picture and return its text.

    Raises ``DecodeError`` (stage ``picture_decode``) for anything else: oversized input, not an
    image, a truncated or unsupported file, no QR code, or several QR codes that differ.
    """
    try:
        image = _open_image(data, max_bytes, max_pixels)
        return _decode_single(_to_gray(image))
    except DecodeError:
        raise
    except Exception as exc:  # Pillow and zxing-cpp raise many types; the contract is one.
        raise _picture_error("unreadable image") from exc


def _picture_error(message: str) -> DecodeError:
    return DecodeError(Stage.PICTURE, ErrorCode.PICTURE_DECODE_FAILED, message)


def _open_image(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _picture_error("picture must be bytes")
    if len(data) > max_bytes:
        raise _picture_error(f"picture larger than {max_bytes} bytes")
    if not looks_like_image(data):
        raise _picture_error("not a PNG, JPEG, GIF, BMP or WebP picture")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=_IMAGE_FORMATS)
        width, height = image.size  # read from the header; no pixel is decoded yet
        if width <= 0 or height <= 0 or width * height > max_pixels:
            raise _picture_error(f"picture dimensions outside limits ({max_pixels} pixels)")
        image.load()
    return image


def _to_gray(image: Image.Image) -> Image.Image:
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        # Transparent pixels often carry black colour values; show them as white paper.
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("L")
    return image.convert("L")


def _decode_single(gray: Image.Image) -> str:
    texts: set[str] = set()
    for binarizer in (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram):
        found = zxingcpp.read_barcodes(
            gray,
            formats=_QR_ONLY,
            try_rotate=True,
            try_downscale=True,
            try_invert=True,
            text_mode=zxingcpp.TextMode.Plain,
            binarizer=binarizer,
        )
        texts = {str(barcode.text) for barcode in found if barcode.valid}
        if texts:
            break
    if not texts:
        raise _picture_error("no QR code found")
    if len(texts) > 1:
        raise _picture_error("several different QR codes in one picture")
    return texts.pop()
