"""``vaxpass demo``: the main job on the embedded default, end to end.

Uses the configured signer (software keys generated on first run in the data directory),
signs a sample Vietnamese vaccination certificate, prints its HC1 text, writes its QR as PNG
and SVG, publishes the signed DSC trust list, then reads the PNG back and verifies it offline
against that list.
"""

from __future__ import annotations

import json
from datetime import timedelta

import typer

from vaxpass.bootstrap import configured_signer, ensure_keys
from vaxpass.cli.app import app
from vaxpass.cli.output import console, print_verification
from vaxpass.clock import SystemClock
from vaxpass.config import get_settings
from vaxpass.crypto.pki.trustlist import TrustListFormat, export_trust_list
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.trust import InMemoryTrustStore
from vaxpass.formats.dcc.uvci import generate_uvci
from vaxpass.formats.qr import render_qr_png, render_qr_svg
from vaxpass.services.sign import sign_certificate
from vaxpass.services.verify import parse_trust_data, verify_input


@app.command("demo")
def demo_command() -> None:
    """Sign, render, publish and verify a sample certificate on the embedded default."""
    settings = get_settings()
    now = SystemClock().now()
    manager = ensure_keys(settings, at=now)
    payload = sample_vaccination_payload(certificate_id=generate_uvci(settings.issuer_country))
    valid_until = now + timedelta(days=settings.certificate_valid_days)
    with configured_signer(settings, at=now, covers_until=valid_until) as active:
        console.rule(f"1. Signer ({settings.signer} backend)")
        console.print(f"DSC {active.certificate.subject.rfc4514_string()}")
        not_after = active.certificate.not_valid_after_utc
        console.print(f"kid {active.record.kid_text}, valid to {not_after:%Y-%m-%d}")
        encoded = sign_certificate(
            payload,
            active.signer,
            active.certificate,
            issuer=settings.issuer_country,
            at=now,
            valid_days=settings.certificate_valid_days,
        )
    console.rule("2. Signed certificate (payload and HC1 text)")
    console.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False)
    print(encoded.qr_text)

    out_dir = settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    png = render_qr_png(encoded.qr_text)
    (out_dir / "certificate-qr.png").write_bytes(png)
    (out_dir / "certificate-qr.svg").write_text(render_qr_svg(encoded.qr_text), encoding="utf-8")
    trust_list = export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=now)
    (out_dir / "dsc-list.json").write_bytes(trust_list)
    console.rule("3. Files")
    for name in ("certificate-qr.png", "certificate-qr.svg", "dsc-list.json"):
        console.print(str(out_dir / name))

    console.rule("4. Offline verification of the PNG against the published DSC list")
    store = InMemoryTrustStore(parse_trust_data(trust_list, source="dsc-list.json"))
    result = verify_input(png, store, at=SystemClock().now())
    print_verification(result)
    raise typer.Exit(0 if result.valid else 1)
