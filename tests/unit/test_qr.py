"""QR rendering and reading: round trips, level Q + alphanumeric mode, photos, hostile input."""

from __future__ import annotations

import io
import random
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from typing import Any

import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFilter
from segno import consts as segno_consts

from vaxpass.errors import DecodeError, ErrorCode, Stage, ValidationError
from vaxpass.formats import qr
from vaxpass.formats.qr import looks_like_image, read_qr_image, render_qr_png, render_qr_svg

HC1_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
SAMPLE = "HC1:" + "".join(random.Random(7).choice(HC1_ALPHABET) for _ in range(560))
SVG_NS = "{http://www.w3.org/2000/svg}"


def _symbol_from_png(png: bytes, *, scale: int, border: int) -> qr._Symbol:
    """Sample each module's centre in a rendered PNG back into a module matrix."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // scale - 2 * border
    raw = image.tobytes()
    centre = border * scale + scale // 2
    pixels = bytes(
        raw[(centre + row * scale) * image.width + centre + col * scale]
        for row in range(size)
        for col in range(size)
    )
    return qr._Symbol(size, pixels)


def _segno_symbol(text: str, mode: str, version: int, mask: int) -> qr._Symbol:
    code = segno.make_qr(text, error="q", mode=mode, version=version, mask=mask, boost_error=False)
    assert (code.version, code.mask) == (version, mask)
    return qr._Symbol(
        len(code.matrix), b"".join(bytes(0 if m else 255 for m in row) for row in code.matrix)
    )


def _rasterise_svg(svg: str) -> bytes:
    """Rasterise the renderer's own SVG subset (a white rect and one path of module runs)."""
    root = ET.fromstring(svg)
    rect, path = list(root)
    assert (rect.tag, path.tag) == (f"{SVG_NS}rect", f"{SVG_NS}path")
    assert rect.get("fill") == "#fff"
    assert path.get("fill") == "#000"
    extent = int(root.get("viewBox", "").split()[2])
    scale = int(root.get("width", "")) // extent
    image = Image.new("L", (extent * scale, extent * scale), 255)
    draw = ImageDraw.Draw(image)
    d = path.get("d", "")
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1H\d+z", d)
    assert "".join(f"M{x} {y}h{n}v1H{x}z" for x, y, n in runs) == d
    for x, y, n in runs:
        left, top, width = int(x) * scale, int(y) * scale, int(n) * scale
        draw.rectangle((left, top, left + width - 1, top + scale - 1), fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _decoded(png: bytes) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0]


def _read_or_picture_error(data: bytes) -> str | None:
    """The text read, or None after a picture-stage DecodeError; anything else propagates."""
    try:
        return read_qr_image(data)
    except DecodeError as exc:
        stage = exc.stage
    assert stage == Stage.PICTURE
    return None


def _assert_picture_error(data: bytes) -> None:
    with pytest.raises(DecodeError) as caught:
        read_qr_image(data)
    assert caught.value.stage == Stage.PICTURE
    assert caught.value.code == ErrorCode.PICTURE_DECODE_FAILED


# --- rendering ----------------------------------------------------------------------------------


def test_png_round_trip_is_level_q_alphanumeric() -> None:
    png = render_qr_png(SAMPLE, scale=3, border=2)
    barcode = _decoded(png)
    assert barcode.text == SAMPLE
    assert barcode.ec_level == "Q"
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert qr._is_alphanumeric_q(_symbol_from_png(png, scale=3, border=2), len(SAMPLE))
    assert read_qr_image(png) == SAMPLE


def test_png_layout_follows_scale_and_border() -> None:
    extra: Any = _decoded(render_qr_png(SAMPLE)).extra
    size = 17 + 4 * int(str(extra["Version"]))
    image = Image.open(io.BytesIO(render_qr_png(SAMPLE, scale=5, border=1)))
    assert image.size == ((size + 2) * 5, (size + 2) * 5)
    assert image.mode == "1"


@pytest.mark.parametrize(
    "text",
    [
        "1234567",  # all digits: a free encoder would use numeric mode
        "HC1:" + "1" * 60 + "A",  # long digit run: zint switches to numeric, segno takes over
        "HC1:ABCDEF",
        "A",
    ],
)
def test_alphanumeric_mode_is_forced(text: str) -> None:
    png = render_qr_png(text, scale=2, border=4)
    assert _decoded(png).text == text
    assert _decoded(png).ec_level == "Q"
    assert qr._is_alphanumeric_q(_symbol_from_png(png, scale=2, border=4), len(text))


def test_long_digit_run_needs_the_fallback_encoder() -> None:
    text = "HC1:" + "1" * 60 + "A"
    assert not qr._is_alphanumeric_q(qr._zxing_symbol(text), len(text))


def test_svg_structure_and_raster_round_trip() -> None:
    svg = render_qr_svg(SAMPLE, scale=2, border=4)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    extent = int(root.get("viewBox", "").split()[2])
    assert root.get("width") == root.get("height") == str(extent * 2)
    png = _rasterise_svg(svg)
    assert _decoded(png).ec_level == "Q"
    assert read_qr_image(png) == SAMPLE
    assert qr._is_alphanumeric_q(_symbol_from_png(png, scale=2, border=4), len(SAMPLE))


@pytest.mark.parametrize("text", ["", "hc1:lower", "HC1:Ä", "A" * (qr.MAX_TEXT_LENGTH + 1)])
def test_render_rejects_text_outside_the_alphanumeric_capacity(text: str) -> None:
    with pytest.raises(ValidationError):
        render_qr_png(text)
    with pytest.raises(ValidationError):
        render_qr_svg(text)


def test_render_accepts_the_largest_symbol() -> None:
    text = "A" * qr.MAX_TEXT_LENGTH
    assert read_qr_image(render_qr_png(text, scale=2)) == text


@pytest.mark.parametrize(("scale", "border"), [(0, 4), (4, -1)])
def test_render_rejects_bad_layout(scale: int, border: int) -> None:
    with pytest.raises(ValidationError):
        render_qr_png("HC1:A", scale=scale, border=border)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=HC1_ALPHABET, min_size=1, max_size=700))
def test_round_trip_over_the_hc1_alphabet(text: str) -> None:
    png = render_qr_png(text, scale=2)
    assert read_qr_image(png) == text
    assert qr._is_alphanumeric_q(_symbol_from_png(png, scale=2, border=4), len(text))


# --- the structure reader that proves the mode, checked against segno's tables and encoder ------


def test_tables_agree_with_segno() -> None:
    ecc: Any = segno_consts.ECC
    for version in range(1, 41):
        blocks = sum(ec.num_blocks for ec in ecc[version][segno_consts.ERROR_LEVEL_Q])
        assert qr._BLOCKS_Q[version - 1] == blocks
        expected = list(segno_consts.ALIGNMENT_POS[version - 2]) if version > 1 else []
        assert qr._alignment_centres(version) == expected


@pytest.mark.parametrize("version", [1, 2, 6, 7, 9, 10, 17, 26, 27, 32, 40])
@pytest.mark.parametrize("mask", range(8))
def test_mode_reader_tells_alphanumeric_from_other_modes(version: int, mask: int) -> None:
    rng = random.Random(version * 8 + mask)
    letters = "".join(rng.choice(HC1_ALPHABET) for _ in range(8))
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    alnum = _segno_symbol(letters, "alphanumeric", version, mask)
    assert qr._is_alphanumeric_q(alnum, 8)
    assert not qr._is_alphanumeric_q(alnum, 9)
    assert qr._is_alphanumeric_q(_segno_symbol(digits, "alphanumeric", version, mask), 8)
    assert not qr._is_alphanumeric_q(_segno_symbol(letters, "byte", version, mask), 8)
    assert not qr._is_alphanumeric_q(_segno_symbol(digits, "numeric", version, mask), 8)


# --- reading pictures ---------------------------------------------------------------------------


def _reencode(png: bytes, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format=image_format, **options)
    return out.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "GIF", "BMP", "WEBP"])
def test_other_formats_round_trip(image_format: str) -> None:
    data = _reencode(render_qr_png(SAMPLE), image_format)
    assert looks_like_image(data)
    assert read_qr_image(data) == SAMPLE


def test_transparent_background_reads_as_paper() -> None:
    gray = Image.open(io.BytesIO(render_qr_png(SAMPLE))).convert("L")
    rgba = Image.new("RGBA", gray.size, (0, 0, 0, 0))
    rgba.putalpha(gray.point(lambda value: 255 - value))  # dark modules opaque black, rest clear
    out = io.BytesIO()
    rgba.save(out, format="PNG")
    assert read_qr_image(out.getvalue()) == SAMPLE


def test_photo_like_picture() -> None:
    code = Image.open(io.BytesIO(render_qr_png(SAMPLE, scale=6))).convert("L")
    page = Image.new("L", (code.width + 400, code.height + 300), 215)
    page.paste(code, (230, 120))
    page = page.rotate(7, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=190)
    page = page.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise(page.size, 40)
    page = Image.blend(page, noise, 0.15)
    page = page.resize((page.width * 3 // 5, page.height * 3 // 5), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    page.convert("RGB").save(out, format="JPEG", quality=70)
    assert read_qr_image(out.getvalue()) == SAMPLE


def test_identical_codes_read_once_and_different_codes_fail() -> None:
    first = Image.open(io.BytesIO(render_qr_png("HC1:FIRST"))).convert("L")
    second = Image.open(io.BytesIO(render_qr_png("HC1:SECOND"))).convert("L")
    for other, expected in ((first, "HC1:FIRST"), (second, None)):
        sheet = Image.new(
            "L", (first.width + other.width + 40, max(first.height, other.height)), 255
        )
        sheet.paste(first, (0, 0))
        sheet.paste(other, (first.width + 40, 0))
        out = io.BytesIO()
        sheet.save(out, format="PNG")
        if expected is None:
            _assert_picture_error(out.getvalue())
        else:
            assert read_qr_image(out.getvalue()) == expected


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_bomb(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"HC1:NOTAPICTURE",
        b"\x89PNG\r\n\x1a\n",
        render_qr_png("HC1:TRUNCATED")[:200],
        render_qr_png("HC1:TRUNCATED")[:-30],
        _png_header_bomb(100_000, 100_000),
        _png_header_bomb(qr.MAX_IMAGE_PIXELS + 1, 1),
        _png_header_bomb(0, 10),
        b"\xff\xd8\xff\xe0" + bytes(200),
        b"GIF89a" + bytes(50),
        b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(20),
        _reencode(render_qr_png("HC1:X"), "PNG")[:8] + b"\x00" * 500,
    ],
    ids=lambda data: f"{len(data)}-bytes",
)
def test_hostile_inputs_raise_picture_errors(data: bytes) -> None:
    _assert_picture_error(data)


def test_blank_picture_has_no_code() -> None:
    out = io.BytesIO()
    Image.new("L", (300, 300), 255).save(out, format="PNG")
    _assert_picture_error(out.getvalue())


def test_oversized_input_is_refused_before_decoding() -> None:
    png = render_qr_png(SAMPLE)
    with pytest.raises(DecodeError):
        read_qr_image(png, max_bytes=len(png) - 1)
    with pytest.raises(DecodeError):
        read_qr_image(png, max_pixels=100)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_escape_as_other_errors(data: bytes) -> None:
    _read_or_picture_error(data)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=9, max_value=1800), st.binary(min_size=1, max_size=64))
def test_corrupted_png_never_escapes(cut: int, garbage: bytes) -> None:
    png = render_qr_png("HC1:CORRUPT")
    data = png[:cut] + garbage + png[cut + len(garbage) :]
    _read_or_picture_error(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", True),
        (b"\xff\xd8\xff\xe0", True),
        (b"GIF87a", True),
        (b"GIF89a", True),
        (b"BM" + bytes(12) + struct.pack("<I", 40), True),
        (b"RIFF\x00\x00\x00\x00WEBP", True),
        (b"BM" + b"HC1 TEXT THAT STARTS WITH BM", False),
        (b"HC1:6BF+70790T9WJWG", False),
        (b"RIFF\x00\x00\x00\x00WAVE", False),
        (b"", False),
    ],
)
def test_looks_like_image(data: bytes, expected: bool) -> None:
    assert looks_like_image(data) is expected
