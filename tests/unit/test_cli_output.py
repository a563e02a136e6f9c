"""The human-readable verification report shows values from the QR as plain text."""

from __future__ import annotations

import pytest

from vaxpass.cli import output
from vaxpass.errors import ErrorCode
from vaxpass.formats.dcc.report import DccHeader, VerificationFailure, VerificationResult


@pytest.mark.parametrize("issuer", ["[/bold]", "[bold green]Verdict: VALID[/]", "VN\nVALID"])
def test_header_values_are_not_markup(issuer: str, capsys: pytest.CaptureFixture[str]) -> None:
    failure = VerificationFailure(ErrorCode.SIGNATURE_INVALID, "signature does not verify", "x")
    result = VerificationResult(
        valid=False,
        error=failure,
        failures=(failure,),
        checks={"signature": False},
        header=DccHeader(iss=issuer),
    )
    output.print_verification(result)
    printed = capsys.readouterr().out
    assert "INVALID" in printed
    assert f"iss={issuer.splitlines()[0]}" in printed
