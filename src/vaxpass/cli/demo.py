"""``vaxpass demo``: the main job on the embedded default, end to end.

Creates (on first run) a development CSCA and signer certificate, signs a sample Vietnamese
vaccination certificate, prints its HC1 text, writes its QR as PNG and SVG, reads the PNG back,
verifies it offline against the development signer and prints the result.
"""

from __future__ import annotations

import json

import typer

from vaxpass.clock import SystemClock
from vaxpass.cli.main import app
from vaxpass.cli.output import console, print_verification
from vaxpass.config import get_settings
from vaxpass.crypto.pki.development import ensure_development_pki
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.trust import InMemoryTrustStore, TrustedSigner
from vaxpass.formats.dcc.uvci import generate_uvci
from vaxpass.formats.dcc.verify import verify_qr
from vaxpass.formats.qr import render_qr_png, render_qr_svg
from vaxpass.services.sign import sign_certificate


@app.command("demo")
def demo_command() -> None:
    """Sign, render and verify a sample certificate with development keys."""
    settings = get_settings()
    now = SystemClock().now()
    pki = ensure_development_pki(settings.keys_dir, at=now, country=settings.issuer_country)
    console.rule("1. Development PKI")
    console.print(f"CSCA: {pki.csca_certificate.subject.rfc4514_string()}  ({pki.csca_path})")
    console.print(
        f"DSC:  {pki.dsc_certificate.subject.rfc4514_string()}  kid={pki.signer.kid.hex()}"
    )

    payload = sample_vaccination_payload(certificate_id=generate_uvci(settings.issuer_country))
    encoded = sign_certificate(
        payload,
        pki.signer,
        pki.dsc_certificate,
        issuer=settings.issuer_country,
        at=now,
        valid_days=settings.certificate_valid_days,
    )
    console.rule("2. Signed certificate (HC1)")
    console.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False)
    print(encoded.qr_text)

    out_dir = settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    png_path, svg_path = out_dir / "certificate-qr.png", out_dir / "certificate-qr.svg"
    png = render_qr_png(encoded.qr_text)
    png_path.write_bytes(png)
    svg_path.write_text(render_qr_svg(encoded.qr_text), encoding="utf-8")
    console.rule("3. QR code")
    console.print(f"PNG: {png_path}\nSVG: {svg_path}")

    console.rule("4. Offline verification of the PNG")
    trust = InMemoryTrustStore([TrustedSigner.from_certificate(pki.dsc_certificate)])
    result = verify_qr(png, trust, at=SystemClock().now())
    print_verification(result)
    raise typer.Exit(0 if result.valid else 1)
