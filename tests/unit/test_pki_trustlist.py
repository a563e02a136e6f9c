"""Trust-list export and import: accepted when genuine; every attack rejected, last good kept."""

from __future__ import annotations

import base64
import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pki_support import POLICY, T0, days, dumps, issue, loads, software_manager, store_of
from vaxpass.crypto.keystore import SoftwareKeyStore
from vaxpass.crypto.pki.lifecycle import KeyManager
from vaxpass.crypto.pki.listsign import LIST_SIGNATURE, sign_list, verify_list
from vaxpass.crypto.pki.profiles import (
    KEY_USAGE_OIDS,
    TRUST_LIST_SIGNER_OID,
    is_trust_list_signer,
    key_usage,
)
from vaxpass.crypto.pki.state import KeyState
from vaxpass.crypto.pki.trustlist import (
    TrustListFormat,
    TrustListStore,
    eu_entry,
    export_trust_list,
    signed_entry,
)
from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.errors import ErrorCode, TrustStoreError
from vaxpass.formats.dcc.verify import verify_qr

AT = T0 + days(1)


@pytest.fixture(scope="module")
def vn(tmp_path_factory: pytest.TempPathFactory) -> KeyManager:
    return software_manager(tmp_path_factory.mktemp("vn"))


@pytest.fixture(scope="module")
def de(tmp_path_factory: pytest.TempPathFactory) -> KeyManager:
    return software_manager(tmp_path_factory.mktemp("de"), country="DE")


@pytest.fixture
def store(tmp_path: Path) -> TrustListStore:
    return TrustListStore(tmp_path / "trust")


def csca(manager: KeyManager) -> x509.Certificate:
    return manager.load().csca.certificate


def export(manager: KeyManager, form: TrustListFormat = TrustListFormat.EU_DSC_LIST) -> bytes:
    return export_trust_list(manager, form, at=AT)


def rejected(store: TrustListStore, data: bytes, anchors: list[x509.Certificate]) -> ErrorCode:
    with pytest.raises(TrustStoreError) as raised:
        store.import_list(data, anchors, at=AT)
    return raised.value.code


def test_exported_list_has_the_eu_gateway_fields_and_a_sequence(vn: KeyManager) -> None:
    first, second = loads(export(vn)), loads(export(vn))
    assert second["sequence"] == first["sequence"] + 1
    entry = first["certificates"][0]
    assert set(entry) == {
        "kid",
        "country",
        "certificateType",
        "rawData",
        "thumbprint",
        "timestamp",
        "signature",
    }
    assert entry["country"] == "VN"
    assert entry["certificateType"] == "DSC"


def test_csca_export_is_the_pem_anchor(vn: KeyManager) -> None:
    pem = export(vn, TrustListFormat.CSCA)
    assert x509.load_pem_x509_certificate(pem) == csca(vn)


def test_foreign_list_is_accepted_and_its_certificates_verify(
    de: KeyManager, store: TrustListStore
) -> None:
    imported = store.import_list(export(de), [csca(de)], at=AT)
    assert imported.country == "DE"
    assert len(imported.certificates) == 1
    qr = issue(de, AT, 7, country="DE")
    result = verify_qr(qr, store_of(imported.path.read_bytes()), at=AT)
    assert result.valid, result.codes


def test_jwks_is_accepted_and_carries_only_public_members(
    vn: KeyManager, store: TrustListStore
) -> None:
    jwks = loads(export(vn, TrustListFormat.JWKS))
    assert {"d", "p", "q"}.isdisjoint(jwks["keys"][0])
    imported = store.import_list(dumps(jwks), [csca(vn)], at=AT)
    assert imported.form == "jwks"


def good_then(store: TrustListStore, manager: KeyManager) -> tuple[bytes, bytes]:
    """Import a good list first; return it and the stored file's content."""
    good = export(manager)
    imported = store.import_list(good, [csca(manager)], at=AT)
    return good, imported.path.read_bytes()


def test_unsigned_list_is_rejected_and_the_last_good_one_kept(
    vn: KeyManager, store: TrustListStore
) -> None:
    _good, kept = good_then(store, vn)
    unsigned = loads(export(vn))
    del unsigned[LIST_SIGNATURE]
    assert rejected(store, dumps(unsigned), [csca(vn)]) is ErrorCode.TRUST_LIST_UNSIGNED
    assert (
        rejected(store, dumps(unsigned["certificates"]), [csca(vn)])
        is ErrorCode.TRUST_LIST_UNSIGNED
    )
    assert store.files()[0].read_bytes() == kept


@pytest.mark.parametrize(
    "tamper",
    [
        lambda doc: doc.update(sequence=doc["sequence"] + 100),
        lambda doc: doc["certificates"][0].update(timestamp="2020-01-01T00:00:00+00:00"),
        lambda doc: doc["certificates"].append(copy.deepcopy(doc["certificates"][0])),
        lambda doc: doc["certificates"].clear(),
    ],
    ids=["sequence", "entry-field", "added-entry", "emptied"],
)
def test_tampered_list_is_rejected(vn: KeyManager, store: TrustListStore, tamper: Any) -> None:
    _, kept = good_then(store, vn)
    document = loads(export(vn))
    tamper(document)
    assert rejected(store, dumps(document), [csca(vn)]) is ErrorCode.TRUST_LIST_SIGNATURE_INVALID
    assert store.files()[0].read_bytes() == kept


def test_rolled_back_list_is_rejected(vn: KeyManager, store: TrustListStore) -> None:
    older = export(vn)
    newer = export(vn)
    store.import_list(newer, [csca(vn)], at=AT)
    assert rejected(store, older, [csca(vn)]) is ErrorCode.TRUST_LIST_ROLLBACK
    store.import_list(newer, [csca(vn)], at=AT)  # the same list again is harmless


def test_private_key_material_in_a_jwk_is_rejected(vn: KeyManager, store: TrustListStore) -> None:
    def leaky(state: KeyState, signer: Signer) -> dict[str, Any]:
        jwks = loads(export(vn, TrustListFormat.JWKS))
        key = {**jwks["keys"][0], "d": base64.urlsafe_b64encode(b"\x01" * 32).decode()}
        return {"format": "jwks", "country": state.country, "keys": [key]}

    document = vn.publish("jwks", at=AT, build=leaky)  # correctly signed, but leaking
    assert rejected(store, dumps(document), [csca(vn)]) is ErrorCode.TRUST_LIST_PRIVATE_KEY


def test_dsc_not_chained_to_the_csca_is_rejected(
    vn: KeyManager, de: KeyManager, store: TrustListStore
) -> None:
    intruder = de.load().dscs[0].certificate  # issued by another CSCA

    def smuggled(state: KeyState, signer: Signer) -> dict[str, Any]:
        entries = [signed_entry(eu_entry(intruder, "VN"), signer)]
        return {"format": "eu-dsc-list", "country": state.country, "certificates": entries}

    document = vn.publish("eu-dsc-list", at=AT, build=smuggled)
    assert rejected(store, dumps(document), [csca(vn)]) is ErrorCode.TRUST_LIST_UNTRUSTED


def test_list_signed_under_another_anchor_is_rejected(
    vn: KeyManager, de: KeyManager, store: TrustListStore
) -> None:
    assert rejected(store, export(de), [csca(vn)]) is ErrorCode.TRUST_LIST_UNTRUSTED


def test_folder_of_certificates_is_checked_against_the_anchors(
    vn: KeyManager, de: KeyManager, store: TrustListStore, tmp_path: Path
) -> None:
    folder = tmp_path / "certs"
    folder.mkdir()
    dsc = vn.load().dscs[0].certificate
    (folder / "dsc.der").write_bytes(dsc.public_bytes(serialization.Encoding.DER))
    imported = store.import_folder(folder, [csca(vn)], at=AT)
    assert imported.certificates == (dsc,)
    foreign = de.load().dscs[0].certificate
    (folder / "foreign.pem").write_bytes(foreign.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(TrustStoreError) as raised:
        store.import_folder(folder, [csca(vn)], at=AT)
    assert raised.value.code is ErrorCode.TRUST_LIST_UNTRUSTED


def forged_by_dsc(manager: KeyManager, sequence: int) -> bytes:
    """A list signed with a DSC key (e.g. a compromised, revoked one) instead of the list key."""
    dsc = manager.load().dscs[0]
    with manager.backend.open() as session:
        signer = session.signer(dsc.label, dsc.certificate)
        body = {
            "format": "eu-dsc-list",
            "country": manager.load().country,
            "certificates": [signed_entry(eu_entry(dsc.certificate, "VN"), signer)],
            "sequence": sequence,
            "issuedAt": AT.isoformat(),
        }
        return dumps(sign_list(body, signer, dsc.certificate))


def test_list_signed_by_a_dsc_key_is_rejected(tmp_path: Path, store: TrustListStore) -> None:
    manager = software_manager(tmp_path / "keys")
    store.import_list(export(manager), [csca(manager)], at=AT)
    manager.revoke(manager.load().dscs[0].kid, at=AT, reason="key-compromise")
    forged = forged_by_dsc(manager, 999)
    assert rejected(store, forged, [csca(manager)]) is ErrorCode.TRUST_LIST_UNTRUSTED
    # the genuine next list is still accepted: the forgery did not lock it out
    assert store.import_list(export(manager), [csca(manager)], at=AT).certificates == ()


def test_trust_list_signer_carries_its_own_eku_and_no_dcc_eku(vn: KeyManager) -> None:
    state = vn.load()
    usages = state.trust_list_signer.certificate.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage
    ).value
    assert list(usages) == [TRUST_LIST_SIGNER_OID]
    assert not {oid.dotted_string for oid in usages} & {
        oid for oids in KEY_USAGE_OIDS.values() for oid in oids
    }
    assert is_trust_list_signer(state.trust_list_signer.certificate)
    assert not is_trust_list_signer(state.dscs[0].certificate)
    assert not is_trust_list_signer(state.csca.certificate)


def signed_by_list_key(manager: KeyManager, body: dict[str, Any]) -> bytes:
    record = manager.load().trust_list_signer
    with manager.backend.open() as session:
        signer = session.signer(record.label, record.certificate)
        return dumps(sign_list(body, signer, record.certificate))


def test_list_for_another_country_is_rejected_even_when_empty(
    vn: KeyManager, de: KeyManager, store: TrustListStore
) -> None:
    anchors = [csca(vn), csca(de)]
    kept = store.import_list(export(vn), anchors, at=AT).path.read_bytes()
    body = {"format": "eu-dsc-list", "country": "VN", "certificates": [], "sequence": 2**40}
    assert rejected(store, signed_by_list_key(de, body), anchors) is (
        ErrorCode.TRUST_LIST_UNTRUSTED
    )
    assert store.files()[0].read_bytes() == kept
    store.import_list(export(vn), anchors, at=AT)  # VN's next genuine list still goes in


@pytest.mark.parametrize("country", ["/t", "..", "vn", "V1", "VNM", ""])
def test_country_must_be_two_capital_letters(
    de: KeyManager, store: TrustListStore, country: str
) -> None:
    body = {"format": "eu-dsc-list", "country": country, "certificates": [], "sequence": 1}
    with pytest.raises(TrustStoreError):
        store.import_list(signed_by_list_key(de, body), [csca(de)], at=AT)
    assert store.files() == []


@pytest.mark.parametrize("sequence", [2**53, 2**62])
def test_sequence_beyond_json_range_is_rejected(
    de: KeyManager, store: TrustListStore, sequence: int
) -> None:
    body = {"format": "eu-dsc-list", "country": "DE", "certificates": [], "sequence": sequence}
    with pytest.raises(TrustStoreError):
        store.import_list(signed_by_list_key(de, body), [csca(de)], at=AT)


def test_absurd_sequence_jump_is_rejected(de: KeyManager, store: TrustListStore) -> None:
    first = loads(export(de))["sequence"]
    store.import_list(
        signed_by_list_key(de, {**good_body(de), "sequence": first}), [csca(de)], at=AT
    )
    body = {**good_body(de), "sequence": first + 1_000_001}
    assert rejected(store, signed_by_list_key(de, body), [csca(de)]) is (
        ErrorCode.TRUST_LIST_ROLLBACK
    )
    store.import_list(signed_by_list_key(de, {**body, "sequence": first + 5}), [csca(de)], at=AT)


def good_body(manager: KeyManager) -> dict[str, Any]:
    return {"format": "eu-dsc-list", "country": manager.load().country, "certificates": []}


def test_invalid_text_in_a_list_is_a_typed_error(vn: KeyManager, store: TrustListStore) -> None:
    document = loads(export(vn))
    document["x"] = "\ud800"  # a lone surrogate: no UTF-8 form
    data = json.dumps(document).encode()
    assert rejected(store, data, [csca(vn)]) is ErrorCode.TRUST_STORE_INVALID


def test_jwk_with_an_rsa_certificate_is_a_typed_error(
    tmp_path: Path, store: TrustListStore
) -> None:
    manager = KeyManager(tmp_path, SoftwareKeyStore(tmp_path, b"test passphrase"), POLICY)
    manager.initialise(at=T0, country="VN", algorithm=CoseAlgorithm.PS256)
    der = manager.load().dscs[0].certificate.public_bytes(serialization.Encoding.DER)

    def rsa_jwks(state: KeyState, signer: Signer) -> dict[str, Any]:
        key = {"kty": "EC", "crv": "P-256", "x5c": [base64.b64encode(der).decode()]}
        return {"format": "jwks", "country": state.country, "keys": [key]}

    document = manager.publish("jwks", at=AT, build=rsa_jwks)
    with pytest.raises(TrustStoreError):
        store.import_list(dumps(document), [csca(manager)], at=AT)


def pinned_copy(
    anchor: x509.Certificate,
    *,
    not_after: datetime | None = None,
    constraints: x509.BasicConstraints | None = None,
    usage: x509.KeyUsage | None = None,
) -> x509.Certificate:
    """The anchor's name and key in a certificate with other validity or extensions, as an
    operator might pin by mistake (its own signature is never checked, only the key is used)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(anchor.subject)
        .issuer_name(anchor.subject)
        .public_key(anchor.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(anchor.not_valid_before_utc)
        .not_valid_after(not_after or anchor.not_valid_after_utc)
    )
    if constraints is not None:
        builder = builder.add_extension(constraints, critical=True)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())


CA = x509.BasicConstraints(ca=True, path_length=0)


@pytest.mark.parametrize(
    "options",
    [
        {"not_after": AT - days(0.5), "constraints": CA},  # expired half a day before AT
        {"constraints": x509.BasicConstraints(ca=False, path_length=None)},
        {},  # no BasicConstraints at all
        {"constraints": CA, "usage": key_usage(digital_signature=True)},
    ],
    ids=["expired", "not-a-ca", "no-basic-constraints", "no-key-cert-sign"],
)
def test_anchor_unfit_to_issue_is_refused(
    vn: KeyManager, store: TrustListStore, options: dict[str, Any]
) -> None:
    anchor = pinned_copy(csca(vn), **options)
    data = export(vn)
    assert rejected(store, data, [anchor]) is ErrorCode.TRUST_LIST_UNTRUSTED
    with pytest.raises(TrustStoreError) as raised:  # revocation lists share this check
        verify_list(loads(data), [anchor], at=AT)
    assert raised.value.code is ErrorCode.TRUST_LIST_UNTRUSTED
    assert "anchor" in str(raised.value)
    assert store.files() == []


def test_anchor_fit_to_issue_is_accepted(vn: KeyManager, store: TrustListStore) -> None:
    for anchor in (
        csca(vn),
        pinned_copy(csca(vn), constraints=CA, usage=key_usage(certificate_signing=True)),
        pinned_copy(csca(vn), constraints=x509.BasicConstraints(ca=True, path_length=None)),
    ):
        imported = store.import_list(export(vn), [anchor], at=AT)
        assert imported.country == "VN"
    # a fit anchor next to an unfit copy with the same key still anchors the list
    unfit = pinned_copy(csca(vn), constraints=x509.BasicConstraints(ca=False, path_length=None))
    assert store.import_list(export(vn), [unfit, csca(vn)], at=AT).country == "VN"
