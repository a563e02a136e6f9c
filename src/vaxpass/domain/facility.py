"""Vaccination facilities, signing authorities and the per-province signing policy.

Option 1: each vaccination facility (its head) confirms its own records.
Option 2: the provincial Department of Health (``doh``) or provincial CDC (``cdc``) confirms
for every facility in the province. The Department of Preventive Medicine (``dpm``) signs the
certificates nationally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from vaxpass.domain.provinces import PROVINCES, Province

_CODE = re.compile(r"[A-Za-z0-9._-]{1,32}")


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    name: str
    province_code: str  # GSO code of the province as it was in 2021–22

    @property
    def province(self) -> Province:
        return PROVINCES[self.province_code]


def facility_code_ok(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


class AuthorityKind(StrEnum):
    FACILITY_HEAD = "facility_head"
    DOH = "doh"
    CDC = "cdc"
    DPM = "dpm"


@dataclass(frozen=True, slots=True)
class SigningAuthority:
    """Who signs: ``scope`` is a facility code, a province GSO code, or "VN" for the DPM."""

    kind: AuthorityKind
    scope: str


class SigningOption(StrEnum):
    FACILITY = "option_1"
    PROVINCE = "option_2"


@dataclass(frozen=True, slots=True)
class SigningPolicy:
    province_code: str
    option: SigningOption
    provincial_confirmer: AuthorityKind = AuthorityKind.DOH  # DOH or CDC under option 2

    def __post_init__(self) -> None:
        if self.provincial_confirmer not in {AuthorityKind.DOH, AuthorityKind.CDC}:
            raise ValueError("option 2 is confirmed by the DOH or the CDC")


NATIONAL_SIGNER = SigningAuthority(AuthorityKind.DPM, "VN")

_CONFIRMERS = {
    SigningOption.FACILITY: lambda p, f: SigningAuthority(AuthorityKind.FACILITY_HEAD, f.code),
    SigningOption.PROVINCE: lambda p, f: SigningAuthority(p.provincial_confirmer, p.province_code),
}


def confirming_authority(policy: SigningPolicy, facility: Facility) -> SigningAuthority:
    """The authority that confirms ``facility``'s records under its province's policy."""
    if facility.province_code != policy.province_code:
        raise ValueError("policy belongs to another province")
    return _CONFIRMERS[policy.option](policy, facility)
