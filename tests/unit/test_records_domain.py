"""Provinces and their 2025 successors, signing policy, record state machine, matching."""

from __future__ import annotations

import pytest

from vaxpass.domain.facility import (
    AuthorityKind,
    Facility,
    SigningAuthority,
    SigningOption,
    SigningPolicy,
    confirming_authority,
)
from vaxpass.domain.matching import IdentityQuery, MatchOutcome, match_identity
from vaxpass.domain.provinces import PROVINCES, SUCCESSORS, successor_of
from vaxpass.domain.states import TRANSITIONS, RecordState, can_transition

CITIZEN = IdentityQuery("Trần Thị Hòa", "female", "2001-03-04", "079301000001")


def test_63_provinces_became_34() -> None:
    assert len(PROVINCES) == 63
    assert len(SUCCESSORS) == 34
    assert successor_of("74") == "79"  # Bình Dương → Hồ Chí Minh
    assert successor_of("49") == "48"  # Quảng Nam → Đà Nẵng
    assert all(successor_of(code) in SUCCESSORS for code in PROVINCES)


BM = Facility("HN-BM", "Bệnh viện Bạch Mai", "01")


def test_option_1_facility_confirms_its_own_records() -> None:
    policy = SigningPolicy("01", SigningOption.FACILITY)
    assert confirming_authority(policy, BM) == SigningAuthority(
        AuthorityKind.FACILITY_HEAD, "HN-BM"
    )


@pytest.mark.parametrize("confirmer", [AuthorityKind.DOH, AuthorityKind.CDC])
def test_option_2_province_confirms(confirmer: AuthorityKind) -> None:
    policy = SigningPolicy("01", SigningOption.PROVINCE, confirmer)
    assert confirming_authority(policy, BM) == SigningAuthority(confirmer, "01")


def test_policy_rules() -> None:
    with pytest.raises(ValueError, match="DOH or the CDC"):
        SigningPolicy("01", SigningOption.PROVINCE, AuthorityKind.DPM)
    with pytest.raises(ValueError, match="another province"):
        confirming_authority(SigningPolicy("79", SigningOption.FACILITY), BM)
    assert BM.province.name == "Hà Nội"


def test_state_machine() -> None:
    assert set(TRANSITIONS) == set(RecordState)
    assert can_transition(RecordState.RECORDED, RecordState.IDENTITY_MISMATCH)
    assert can_transition(RecordState.IDENTITY_VERIFIED, RecordState.CONFIRMED)
    assert not can_transition(RecordState.IDENTITY_MISMATCH, RecordState.CONFIRMED)
    assert not can_transition(RecordState.RECORDED, RecordState.CERTIFICATE_ISSUED)


def test_match_tolerates_tone_placement_case_and_spacing() -> None:
    query = IdentityQuery("  TRẦN thị  Hoà ", "Female", "2001-03-04", "079301000001")
    assert match_identity(query, CITIZEN).outcome is MatchOutcome.MATCHED


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"full_name": "Trần Thị Hoa"}, ("full_name",)),
        ({"sex": "male"}, ("sex",)),
        ({"birth_date": "2001-03-05"}, ("birth_date",)),
        ({"birth_date": "2001"}, ("birth_date",)),
        ({"full_name": "Trần Hoà", "birth_date": "x"}, ("full_name", "birth_date")),
    ],
)
def test_mismatch_lists_fields(change: dict[str, str], fields: tuple[str, ...]) -> None:
    query = _with(change)
    result = match_identity(query, CITIZEN)
    assert (result.outcome, result.fields) == (MatchOutcome.MISMATCH, fields)


def _with(change: dict[str, str]) -> IdentityQuery:
    base = {"full_name": CITIZEN.full_name, "sex": CITIZEN.sex,
            "birth_date": CITIZEN.birth_date, "id_number": CITIZEN.id_number}  # fmt: skip
    return IdentityQuery(**{**base, **change})


def test_never_matches_without_an_id_number() -> None:
    assert match_identity(_with({"id_number": ""}), CITIZEN).outcome is MatchOutcome.NOT_FOUND
    assert match_identity(CITIZEN, None).outcome is MatchOutcome.NOT_FOUND
