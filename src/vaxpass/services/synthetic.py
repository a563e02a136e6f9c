"""Realistic synthetic people and 2021–22 vaccination histories, with a share of the data errors
seen in the real programme (misspelt names, wrong birth dates, missing or malformed ID numbers,
people unknown to the population registry). Deterministic for a given seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from vaxpass.domain.identity import cccd_prefix
from vaxpass.domain.matching import IdentityQuery
from vaxpass.domain.provinces import PROVINCES
from vaxpass.domain.sex import Sex

FAMILY = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9,
    "Phạm": 7,
    "Hoàng": 5,
    "Huỳnh": 4,
    "Phan": 4,
    "Vũ": 4,
    "Võ": 3,
    "Đặng": 2,
    "Bùi": 2,
    "Đỗ": 2,
    "Hồ": 2,
    "Ngô": 2,
    "Dương": 2,
    "Lý": 1,
}
MIDDLE = {
    Sex.MALE: ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Bá", "Thanh", "Xuân", "Công"),
    Sex.FEMALE: ("Thị", "Ngọc", "Thu", "Kim", "Thanh", "Minh", "Bảo", "Diệu", "Mỹ"),
}
GIVEN = {Sex.MALE: ("Hùng", "Dũng", "Tuấn", "Minh", "Hoàng", "Nam", "Long", "Quang", "Sơn",
                    "Thắng", "Huy", "Khoa", "Phúc", "Bảo Duy", "Hải", "Trung", "Việt", "Cường",
                    "Đạt", "Khải", "Thuỵ", "Hoà"),
         Sex.FEMALE: ("Hoa", "Lan", "Hương", "Mai", "Linh", "Trang", "Thảo", "Hằng", "Nga",
                      "Hoà", "Thuỷ", "Yến", "Vy", "Anh", "Phương", "Hạnh", "Tuyết", "Thuý",
                      "Loan", "Ngọc Ánh")}  # fmt: skip
PRIMARY = {"Vaxzevria": 35, "Comirnaty": 25, "BBIBP-CorV": 25, "Spikevax": 9, "Sputnik-V": 3,
           "Abdala": 2, "Hayat-Vax": 1}  # fmt: skip
BOOSTER = {"Comirnaty": 60, "Spikevax": 30, "Vaxzevria": 10}
FACILITY_KINDS = ("Trạm Y tế", "Trung tâm Y tế", "Bệnh viện Đa khoa", "Điểm tiêm lưu động")
PRIMARY_SERIES = {"Abdala": 3}
CAMPAIGN_START, CAMPAIGN_END = date(2021, 3, 8), date(2022, 10, 31)


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    name: str
    province: str


@dataclass
class SyntheticPerson:
    """``citizen`` is what the registry holds (``None``: unknown to it); ``rows`` what the
    vaccination management platform exported, possibly with an error injected."""

    citizen: IdentityQuery | None
    rows: list[dict[str, str]] = field(default_factory=list)
    error: str = ""


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_facilities(rng: random.Random, count: int) -> list[Facility]:
    codes = sorted(PROVINCES)
    out = []
    for k in range(count):
        province = codes[k % len(codes)] if k < len(codes) else rng.choice(codes)
        kind = FACILITY_KINDS[k % len(FACILITY_KINDS)]
        out.append(Facility(f"F{province}-{k:05d}", f"{kind} số {k + 1}", province))
    return out


def _birth(rng: random.Random) -> date:
    return date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 75))


def _id_number(rng: random.Random, index: int, sex: Sex, born: date, salt: int) -> tuple[str, str]:
    """(ID number, province). Unique per index for up to one million people per prefix."""
    province = rng.choice(sorted(PROVINCES))
    serial = (index * 7919 + salt) % 1_000_000
    if born.year < 1960 and rng.random() < 0.3:
        return f"{(index * 7919 + salt) % 10**9:09d}", province  # old identity card
    return f"{cccd_prefix(province, sex, born.year)}{serial:06d}", province


def _name(rng: random.Random, sex: Sex) -> str:
    return f"{_pick(rng, FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _schedule(rng: random.Random) -> list[tuple[int, int, date, str]]:
    """(dose number, doses in series, date, product) for one person."""
    product = _pick(rng, PRIMARY)
    series = PRIMARY_SERIES.get(product, 2)
    when = CAMPAIGN_START + timedelta(days=rng.randrange(260))
    doses = [(1, series, when, product)]
    for n in range(2, series + 1):
        when += timedelta(days=rng.randrange(28, 85))
        doses.append((n, series, when, product))
    for n in range(series + 1, series + 3):
        when = max(when + timedelta(days=rng.randrange(90, 200)), date(2021, 12, 1))
        if rng.random() > 0.6 or when > CAMPAIGN_END:
            break
        doses.append((n, n, when, _pick(rng, BOOSTER)))
    return doses


def _misspell(rng: random.Random, name: str) -> str:
    swaps = {"ễ": "ê", "ầ": "â", "ạ": "a", "ị": "i", "ũ": "u", "ư": "u", "ơ": "o", "ă": "a",
             "Đ": "D", "đ": "d", "ê": "e", "ô": "o", "á": "a", "à": "a"}  # fmt: skip
    chars = list(name)
    spots = [i for i, c in enumerate(chars) if c in swaps]
    if not spots:
        return name + "h"
    i = rng.choice(spots)
    chars[i] = swaps[chars[i]]
    return "".join(chars)


_NEW_STYLE = {"oà": "òa", "oá": "óa", "uỷ": "ủy", "uý": "úy", "uỵ": "ụy", "oạ": "ọa"}


def _restyle_tones(name: str) -> str:
    """The same name with tone marks placed in the other (new) style: Hoà → Hòa."""
    for old, new in _NEW_STYLE.items():
        name = name.replace(old, new)
    return name


def _shift_day(born: date) -> date:
    return born + timedelta(days=1 if born.day < 28 else -1)


_Mutation = Callable[[random.Random, dict[str, str], IdentityQuery], IdentityQuery | None]

_ERRORS: dict[str, _Mutation] = {
    "misspelt_name": lambda r, p, c: (p.update(full_name=_misspell(r, p["full_name"])), c)[1],
    "wrong_birth_date": lambda r, p, c: (
        p.update(birth_date=_shift_day(date.fromisoformat(p["birth_date"])).isoformat()), c)[1],
    "missing_id": lambda r, p, c: (p.update(id_number=""), c)[1],
    "malformed_id": lambda r, p, c: (p.update(id_number=p["id_number"][:-1] + "X"), c)[1],
    "not_in_registry": lambda r, p, c: None,
}  # fmt: skip
ERROR_KINDS = tuple(_ERRORS)


def _person_fields(rng: random.Random, index: int, salt: int) -> dict[str, str]:
    sex = rng.choice((Sex.MALE, Sex.FEMALE))
    born = _birth(rng)
    number, _province = _id_number(rng, index, sex, born, salt)
    phone = f"09{rng.randrange(10**8):08d}"
    return {"id_number": number, "full_name": _name(rng, sex), "sex": sex.value,
            "birth_date": born.isoformat(), "nationality": "VN", "phone": phone}  # fmt: skip


def _dose_row(
    person: dict[str, str], dose: tuple[int, int, date, str], site: Facility, lot: str
) -> dict[str, str]:
    number, series, when, product = dose
    return {**person, "dose_number": str(number), "series_doses": str(series),
            "vaccinated_on": when.isoformat(), "product": product, "lot_number": lot,
            "facility_code": site.code, "facility_name": site.name,
            "facility_province": site.province, "country": "VN"}  # fmt: skip


def generate_people(
    count: int, *, seed: int = 2022, error_rate: float = 0.1, facilities: int | None = None
) -> Iterator[SyntheticPerson]:
    """Yield ``count`` synthetic people, streaming (memory does not grow with ``count``)."""
    rng = random.Random(seed)
    sites = make_facilities(rng, facilities or max(10, min(5000, count // 200)))
    salt = rng.randrange(1_000_000)
    for index in range(count):
        fields = _person_fields(rng, index, salt)
        truth = IdentityQuery(
            _restyle_tones(fields["full_name"]) if rng.random() < 0.5 else fields["full_name"],
            fields["sex"], fields["birth_date"], fields["id_number"],
        )  # fmt: skip
        kind = rng.choice(ERROR_KINDS) if rng.random() < error_rate else ""
        citizen = _ERRORS[kind](rng, fields, truth) if kind else truth
        site = rng.choice(sites)
        rows = [_dose_row(fields, d, site, f"L{rng.randrange(10**6):06d}") for d in _schedule(rng)]
        yield SyntheticPerson(citizen, rows, kind)
