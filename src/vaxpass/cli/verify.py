"""``vaxpass verify INPUT [--trust FILE]... [--revocations FILE]... [--anchor CSCA.pem]...
[--at ISO-8601] [--revocations-max-age DAYS] [--json]``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography import x509

from vaxpass.cli.app import app
from vaxpass.cli.output import errors, print_json, print_verification
from vaxpass.clock import SystemClock, parse_instant
from vaxpass.crypto.pki.listsign import LIST_SIGNATURE, verify_list
from vaxpass.crypto.pki.revocation import MAX_AGE, load_revocation_list
from vaxpass.crypto.pki.trustlist import load_anchors
from vaxpass.errors import TrustStoreError
from vaxpass.services.verify import load_trust_store, verify_input

USAGE_ERROR = 2
MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024 + 1


@app.command("verify")
def verify_command(
    source: Annotated[
        str, typer.Argument(metavar="INPUT", help="HC1 text, a file holding it, or a QR image")
    ],
    trust: Annotated[
        list[Path] | None,
        typer.Option("--trust", help="Signer certificate (PEM/DER/base64) or trust list JSON"),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Validation time, ISO-8601 (no offset = UTC)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    revocations: Annotated[
        list[Path] | None,
        typer.Option("--revocations", help="Signed revocation list (vaxpass revocations export)"),
    ] = None,
    anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor",
            exists=True,
            help="Pinned CSCA certificate: revocation and signed trust lists must chain to it",
        ),
    ] = None,
    revocations_max_age: Annotated[
        int,
        typer.Option(
            "--revocations-max-age",
            min=0,
            help="Refuse a revocation list issued more than this many days before --at",
        ),
    ] = MAX_AGE.days,
) -> None:
    """Verify an EU DCC offline. Exit 0 valid, 1 invalid, 2 usage error."""
    moment = _validation_time(at)
    try:
        anchors = load_anchors(anchor) if anchor else None
        store = load_trust_store(trust or [])
        if anchors is not None:
            _require_anchored(trust or [], anchors, at=moment, signed_only=True)
            _require_anchored(revocations or [], anchors, at=moment, signed_only=False)
        checker = (
            load_revocation_list(
                revocations,
                at=moment,
                anchors=anchors,
                max_age=timedelta(days=revocations_max_age),
            )
            if revocations
            else None
        )
    except TrustStoreError as error:
        errors.print(f"error: {error.message} ({error.code})")
        raise typer.Exit(USAGE_ERROR) from error
    result = verify_input(_read_source(source), store, at=moment, revocations=checker)
    if as_json:
        print_json(result.to_json())
    else:
        print_verification(result)
    raise typer.Exit(0 if result.valid else 1)


def _require_anchored(
    paths: list[Path], anchors: list[x509.Certificate], *, at: datetime, signed_only: bool
) -> None:
    """Every list in ``paths`` (with ``signed_only``: every signed one) must be signed by a
    certificate that one of ``anchors`` issued."""
    for path in paths:
        document = _json_document(path)
        if signed_only and not (isinstance(document, dict) and LIST_SIGNATURE in document):
            continue
        try:
            verify_list(document, anchors, at=at)
        except TrustStoreError as error:
            raise TrustStoreError(f"{path.name}: {error.message}", code=error.code) from error


def _json_document(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _validation_time(text: str | None) -> datetime:
    if text is None:
        return SystemClock().now()
    try:
        return parse_instant(text)
    except ValueError as error:
        raise typer.BadParameter("not an ISO-8601 time", param_hint="--at") from error


def _read_source(source: str) -> bytes | str:
    if source == "-":
        return typer.get_binary_stream("stdin").read(MAX_INPUT_FILE_BYTES)
    if source.lstrip().startswith("HC1:"):
        return source
    path = Path(source)
    if path.is_file():
        with path.open("rb") as handle:
            return handle.read(MAX_INPUT_FILE_BYTES)
    if _names_a_file(source):
        errors.print("error: INPUT is neither HC1 text nor a readable file")
        raise typer.Exit(USAGE_ERROR)
    return source  # text with another prefix: the verifier reports it as invalid


def _names_a_file(source: str) -> bool:
    """Whether INPUT reads as a path rather than QR text: QR text (Base45 and its prefix) is
    upper case, while a path usually has lower-case letters or starts like one."""
    return source.startswith(("/", "./", "../", "~")) or any(char.islower() for char in source)
