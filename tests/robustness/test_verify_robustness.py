"""Robustness of the offline verifier: over 50,000 hostile inputs, each answered with a typed
verdict in bounded time and memory, and the decoders under arbitrary bytes.

Each input is a genuine certificate attacked at one layer (text, Base45, zlib, COSE, CWT,
payload, picture) with the outer layers rebuilt properly, so the attack reaches its stage; the
expected first error code is asserted, never the message. Controls must verify, so a verifier
that rejects everything fails too.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robustness import hostile
from robustness.hostile import AT, Case, Kit
from vaxpass.errors import DecodeError, ErrorCode, Stage
from vaxpass.formats.base45 import decode_base45
from vaxpass.formats.cose import decode_cose
from vaxpass.formats.cwt import decode_cwt
from vaxpass.formats.dcc.report import CHECK_NAMES, VerificationResult
from vaxpass.formats.dcc.verify import verify_cose_message, verify_qr
from vaxpass.formats.qr import read_qr_image
from vaxpass.formats.zlib import decompress_zlib

# Guards against hangs and blow-ups on a shared, noisy machine: not performance assertions.
MAX_SECONDS_PER_INPUT = 2.0
MAX_PEAK_BYTES = 64 * 1024 * 1024
MIN_INPUTS = 50_000

pytestmark = pytest.mark.slow


def _verify(case: Case, kit: Kit) -> VerificationResult:
    if case.via == "cose":
        assert isinstance(case.data, bytes)
        return verify_cose_message(case.data, kit.store, at=AT, revocations=kit.revocations)
    return verify_qr(case.data, kit.store, at=AT, revocations=kit.revocations)


def _problems(case: Case, kit: Kit, *, measure_memory: bool) -> list[str]:
    """Everything wrong with the verifier's answer to one input (empty: all good)."""
    if measure_memory:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    try:
        result = _verify(case, kit)
        document = json.dumps(result.to_json())
    except Exception as exc:  # the contract: nothing escapes
        return [f"raised {type(exc).__name__}: {exc}"[:300]]
    elapsed = time.perf_counter() - started
    problems = []
    if elapsed > MAX_SECONDS_PER_INPUT:
        problems.append(f"took {elapsed:.2f} s")
    if measure_memory:
        peak = tracemalloc.get_traced_memory()[1] - before
        if peak > MAX_PEAK_BYTES:
            problems.append(f"allocated {peak / 2**20:.0f} MiB at peak")
    problems.extend(_shape_problems(result, json.loads(document)))
    if case.expect:
        if result.valid:
            problems.append(f"accepted; expected one of {sorted(case.expect)}")
        elif result.error is not None and result.error.code not in case.expect:
            problems.append(f"{result.error.code}; expected one of {sorted(case.expect)}")
    elif not result.valid:
        problems.append(f"rejected a control with {[str(code) for code in result.codes]}")
    return problems


def _shape_problems(result: VerificationResult, document: dict[str, object]) -> list[str]:
    problems = []
    if not isinstance(result, VerificationResult):
        return [f"returned {type(result).__name__}"]
    if type(result.valid) is not bool:
        problems.append("valid is not a bool")
    if result.valid != (result.error is None):
        problems.append("valid disagrees with error")
    if result.error is not None:
        if not isinstance(result.error.code, ErrorCode):
            problems.append(f"error code {result.error.code!r} is no ErrorCode")
        if not result.failures or result.failures[0] != result.error:
            problems.append("error is not the first failure")
    if any(not isinstance(failure.code, ErrorCode) for failure in result.failures):
        problems.append("a failure code is no ErrorCode")
    if set(result.checks) != set(CHECK_NAMES):
        problems.append(f"checks {sorted(result.checks)}")
    if any(
        outcome not in (True, False, None) or type(outcome) not in (bool, type(None))
        for outcome in result.checks.values()
    ):
        problems.append(f"check outcomes {result.checks}")
    if document.get("valid") is not result.valid:
        problems.append("JSON valid differs")
    return problems


@pytest.mark.parametrize("name", sorted(hostile.SUBFAMILIES))
def test_every_hostile_input_gets_a_typed_verdict(name: str, kit: Kit) -> None:
    cases = hostile.generate(name, kit)
    _, _, promised = hostile.SUBFAMILIES[name]
    assert len(cases) >= promised, f"{name} made {len(cases)} inputs, fewer than {promised}"
    measure_memory = name in hostile.MEMORY_BOUND
    if measure_memory:
        tracemalloc.start()
    failures: list[str] = []
    try:
        for case in cases:
            problems = _problems(case, kit, measure_memory=measure_memory)
            failures.extend(f"{name} / {case.label}: {problem}" for problem in problems)
    finally:
        if measure_memory:
            tracemalloc.stop()
    assert not failures, f"{len(failures)} of {len(cases)} inputs misbehaved:\n" + "\n".join(
        failures[:25]
    )


def test_the_sub_families_promise_at_least_fifty_thousand_inputs() -> None:
    # Each sub-family's test checks that it makes at least the inputs it promises here.
    promised = Counter[str]()
    for family, _, count in hostile.SUBFAMILIES.values():
        promised[family] += count
    assert sum(promised.values()) >= MIN_INPUTS, promised
    assert set(promised) >= {"text", "base45", "zlib", "cose", "cwt", "picture", "controls"}


def test_generation_is_deterministic(kit: Kit) -> None:
    for name in ("text/bitflips", "base45/overflow", "zlib/headers"):
        first, second = hostile.generate(name, kit), hostile.generate(name, kit)
        assert first == second


# --- decoders under arbitrary input ---------------------------------------------------------------


def test_a_fifty_megabyte_zlib_bomb_stays_small() -> None:
    bomb = hostile._bomb(50_000_000, b"\x00")
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError) as caught:
            decompress_zlib(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.code is ErrorCode.DECOMPRESSED_TOO_LARGE
    assert peak < MAX_PEAK_BYTES


_DECODERS = {
    "base45": decode_base45,
    "zlib": decompress_zlib,
    "cose": decode_cose,
    "cwt": decode_cwt,
    "picture": read_qr_image,
}
_STAGES = {
    "base45": {Stage.BASE45},
    "zlib": {Stage.ZLIB},
    "cose": {Stage.COSE},
    "cwt": {Stage.CWT},
    "picture": {Stage.PICTURE},
}

_MAGIC = st.sampled_from(
    [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"x\x9c", b"\xd2\x84", b"HC1:"]
)
_ANY_BYTES = st.builds(lambda head, tail: head + tail, _MAGIC, st.binary(max_size=2048))


@pytest.mark.parametrize("decoder", sorted(_DECODERS))
@given(data=_ANY_BYTES)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_decoders_answer_any_bytes_with_a_value_or_a_decode_error(
    decoder: str, data: bytes
) -> None:
    error = _decode_error(_DECODERS[decoder], data)
    if error is not None:
        assert error.stage in _STAGES[decoder]
        assert isinstance(error.code, ErrorCode)


@given(text=st.text(max_size=600))
@settings(max_examples=150, deadline=None)
def test_base45_answers_any_text_with_bytes_or_a_decode_error(text: str) -> None:
    error = _decode_error(decode_base45, text)
    if error is not None:
        assert error.code is ErrorCode.BASE45_INVALID


def _decode_error(decode: Callable[[Any], object], data: bytes | str) -> DecodeError | None:
    """The ``DecodeError`` that ``decode`` raises for ``data`` (``None``: it decoded); any
    other exception propagates and fails the test."""
    try:
        decode(data)
    except DecodeError as error:
        return error
    return None


@given(
    data=st.one_of(
        _ANY_BYTES,
        st.text(max_size=600),
        st.text(alphabet=hostile.ALPHABET, max_size=600).map("HC1:".__add__),
    )
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_verify_qr_answers_anything_with_a_typed_result(kit: Kit, data: bytes | str) -> None:
    result = verify_qr(data, kit.store, at=AT, revocations=kit.revocations)
    assert not result.valid
    assert result.error is not None
    assert isinstance(result.error.code, ErrorCode)
    assert all(outcome in (True, False, None) for outcome in result.checks.values())
    json.dumps(result.to_json())


@given(data=_ANY_BYTES)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_verify_cose_message_answers_anything_with_a_typed_result(kit: Kit, data: bytes) -> None:
    result = verify_cose_message(data, kit.store, at=AT, revocations=kit.revocations)
    assert not result.valid
    assert result.error is not None
    assert isinstance(result.error.code, ErrorCode)
    json.dumps(result.to_json())
