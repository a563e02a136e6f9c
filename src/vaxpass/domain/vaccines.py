"""The COVID-19 vaccines used in Viet Nam, with their EU DCC value-set codes.

``mp`` is the medicinal product, ``ma`` the manufacturer or marketing-authorisation holder,
``vp`` the prophylaxis codes the EU encoding instructions allow for that product (the first is
the preferred one). ``primary_doses`` is the length of the primary series.
"""

from __future__ import annotations

from dataclasses import dataclass

DISEASE_COVID19 = "840539006"
_MRNA = "1119349007"
_ANTIGEN = "28531000087107"
_VECTOR = "29061000087103"
_INACTIVATED = "1157024006"


@dataclass(frozen=True, slots=True)
class Vaccine:
    name: str
    mp: str
    ma: str
    vp: tuple[str, ...]
    primary_doses: int
    aliases: tuple[str, ...] = ()


VACCINES: tuple[Vaccine, ...] = (
    Vaccine(
        "Vaxzevria",
        "EU/1/21/1529",
        "ORG-100001699",
        (_VECTOR, _ANTIGEN),
        2,
        ("astrazeneca", "az", "covishield"),
    ),
    Vaccine(
        "Comirnaty",
        "EU/1/20/1528",
        "ORG-100030215",
        (_MRNA, _ANTIGEN),
        2,
        ("pfizer", "pfizer-biontech"),
    ),
    Vaccine("Spikevax", "EU/1/20/1507", "ORG-100031184", (_MRNA, _ANTIGEN), 2, ("moderna",)),
    Vaccine(
        "BBIBP-CorV",
        "BBIBP-CorV",
        "ORG-100020693",
        (_INACTIVATED, _ANTIGEN),
        2,
        ("sinopharm", "vero cell", "verocell"),
    ),
    Vaccine(
        "Sputnik V",
        "Sputnik-V",
        "Gamaleya-Research-Institute",
        (_VECTOR, _ANTIGEN),
        2,
        ("sputnik", "gam-covid-vac"),
    ),
    Vaccine("Abdala", "Abdala", "CIGB", (_ANTIGEN,), 3, ("cigb-66",)),
    Vaccine("Hayat-Vax", "Hayat-Vax", "ORG-100023050", (_INACTIVATED, _ANTIGEN), 2, ("hayat",)),
    Vaccine(
        "Jcovden",
        "EU/1/20/1525",
        "ORG-100001417",
        (_VECTOR, _ANTIGEN),
        1,
        ("janssen", "johnson & johnson"),
    ),
    Vaccine("Covaxin", "Covaxin", "Bharat-Biotech", (_INACTIVATED, _ANTIGEN), 2, ("bbv152",)),
)

_BY_NAME: dict[str, Vaccine] = {
    key.casefold(): v for v in VACCINES for key in (v.mp, v.name, *v.aliases)
}


def find_vaccine(product: str) -> Vaccine:
    """Look a vaccine up by product code, name or common alias; raise ``KeyError``."""
    return _BY_NAME[" ".join(product.split()).casefold()]
