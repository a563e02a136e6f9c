"""``vaxpass dcc sign PAYLOAD.json [--key KEY.pem --cert DSC.pem] [...]``: without ``--key`` and
``--cert`` the configured signer's active DSC signs (``VAXPASS_SIGNER=software|pkcs11``)."""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from vaxpass.bootstrap import configured_signer
from vaxpass.cli.app import app
from vaxpass.cli.output import errors
from vaxpass.clock import SystemClock
from vaxpass.config import get_settings
from vaxpass.crypto.software import SoftwareSigner, load_certificate, load_private_key
from vaxpass.errors import SigningError, ValidationError
from vaxpass.formats.qr import render_qr_png, render_qr_svg
from vaxpass.services.sign import sign_certificate

dcc_app = typer.Typer(help="EU Digital COVID Certificates.", no_args_is_help=True)
app.add_typer(dcc_app, name="dcc")

_COUNTRY = re.compile(r"[A-Z]{2}")
INVALID = 1
USAGE_ERROR = 2


@dcc_app.command("sign")
def sign_command(
    payload_file: Annotated[Path, typer.Argument(metavar="PAYLOAD.json", exists=True)],
    key: Annotated[Path | None, typer.Option("--key", help="DSC private key (PEM)")] = None,
    cert: Annotated[Path | None, typer.Option("--cert", help="DSC certificate")] = None,
    iss: Annotated[
        str | None, typer.Option("--iss", help="Issuing country (ISO 3166-1 alpha-2)")
    ] = None,
    valid_days: Annotated[
        int | None, typer.Option("--valid-days", min=1, help="Days until the QR expires")
    ] = None,
    qr_png: Annotated[Path | None, typer.Option("--qr-png", help="Write the QR as PNG")] = None,
    qr_svg: Annotated[Path | None, typer.Option("--qr-svg", help="Write the QR as SVG")] = None,
) -> None:
    """Sign a DCC payload and print its HC1 text."""
    settings = get_settings()
    payload = _read_payload(payload_file)
    issuer = iss if iss is not None else settings.issuer_country
    if not _COUNTRY.fullmatch(issuer):
        raise typer.BadParameter("must be two upper-case letters, e.g. VN", param_hint="--iss")
    days = valid_days if valid_days is not None else settings.certificate_valid_days
    at = SystemClock().now()
    try:
        with ExitStack() as batch:
            # Without --key/--cert: the configured signer's active DSC (software or PKCS#11).
            if key is None and cert is None:
                until = at + timedelta(days=days)
                active = batch.enter_context(configured_signer(settings, at=at, covers_until=until))
                signer, certificate = active.signer, active.certificate
            else:
                signer, certificate = _signer(key, cert)
            encoded = sign_certificate(
                payload,
                signer,
                certificate,
                issuer=issuer,
                at=at,
                valid_days=days,
            )
    except ValidationError as error:
        errors.print(f"error: {error.message}")
        for field_error in error.errors:
            errors.print(f"  {field_error.field}: {field_error.reason}")
        raise typer.Exit(INVALID) from error
    except SigningError as error:
        errors.print(f"error: {error.message}")
        raise typer.Exit(INVALID) from error
    if qr_png:
        qr_png.write_bytes(render_qr_png(encoded.qr_text))
    if qr_svg:
        qr_svg.write_text(render_qr_svg(encoded.qr_text), encoding="utf-8")
    print(encoded.qr_text)


def _read_payload(path: Path) -> dict[str, Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        errors.print("error: PAYLOAD.json is not readable JSON")
        raise typer.Exit(USAGE_ERROR) from error
    if not isinstance(payload, dict):
        errors.print("error: PAYLOAD.json must hold a JSON object")
        raise typer.Exit(USAGE_ERROR)
    return payload


def _signer(key: Path | None, cert: Path | None) -> tuple[SoftwareSigner, Any]:
    if key is None or cert is None:
        errors.print("error: give both --key and --cert, or neither to use the configured signer")
        raise typer.Exit(USAGE_ERROR)
    try:
        certificate = load_certificate(cert)
        return SoftwareSigner(load_private_key(key), certificate), certificate
    except (SigningError, OSError) as error:
        errors.print(f"error: {getattr(error, 'message', 'cannot read the key or certificate')}")
        raise typer.Exit(USAGE_ERROR) from error
