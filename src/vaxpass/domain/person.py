"""A vaccinated person: identity document, name, sex, date of birth and contact details."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaxpass.domain.dates import PartialDate
from vaxpass.domain.identity import IdentityDocument, IdProblem, classify_id, document_problems
from vaxpass.domain.names import normalise_name, transliterate_name
from vaxpass.domain.sex import Sex
from vaxpass.domain.states import RecordState

_PHONE = re.compile(r"\+?\d{9,15}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class Person:
    """``document`` is ``None`` when the number given was missing or malformed."""

    full_name: str
    sex: Sex
    birth_date: PartialDate
    document: IdentityDocument | None
    id_problems: tuple[IdProblem, ...] = ()
    nationality: str = "VN"
    name_icao: str = ""
    phone: str = ""
    email: str = ""

    @property
    def initial_state(self) -> RecordState:
        """A record with an unusable ID number never reaches the registry."""
        return RecordState.ID_INVALID if self.id_problems else RecordState.RECORDED


def identify(
    id_text: str, sex: Sex, birth: PartialDate
) -> tuple[IdentityDocument | None, tuple[IdProblem, ...]]:
    """Classify a document number and list its inconsistencies with sex and birth year."""
    try:
        document = classify_id(id_text)
    except ValueError as exc:
        return None, (IdProblem(exc.args[0]),)
    return document, tuple(document_problems(document, sex, birth.year))


def make_person(
    full_name: str, sex: Sex, birth: PartialDate, id_text: str, **contact: str
) -> Person:
    """Build a person with normalised name, ICAO transliteration and ID-number checks."""
    document, problems = identify(id_text, sex, birth)
    name = normalise_name(full_name)
    return Person(
        full_name=name,
        sex=sex,
        birth_date=birth,
        document=document,
        id_problems=problems,
        name_icao=transliterate_name(name),
        **contact,
    )


def phone_ok(text: str) -> bool:
    return bool(_PHONE.fullmatch(text.replace(" ", "")))


def email_ok(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text))


def country_ok(text: str) -> bool:
    return bool(_COUNTRY.fullmatch(text))
