"""Table definitions (SQLAlchemy Core). The domain stays free of the ORM: rows map to domain
objects in the repositories. Natural keys stop duplicates at the database."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

Id = BigInteger().with_variant(Integer(), "sqlite")

facilities = Table(
    "facilities",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("province_code", String(2), nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_key", String(80), nullable=False),
    Column("id_kind", String(10)),
    Column("id_number", String(32)),
    Column("full_name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False),
    Column("name_icao", String(200), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("birth_date", String(10), nullable=False),
    Column("nationality", String(2), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("email", String(254), nullable=False),
    Column("state", String(24), nullable=False),
    Column("id_problems", String(200), nullable=False),
    Column("mismatch_fields", String(100), nullable=False),
    Column("checked_at", DateTime(timezone=True)),
    UniqueConstraint("record_key", name="uq_people_record_key"),
    Index("ix_people_state_id", "state", "id"),
    Index("ix_people_id_number", "id_number"),
)

doses = Table(
    "doses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", Id, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("dose_number", SmallInteger, nullable=False),
    Column("series_doses", SmallInteger, nullable=False),
    Column("vaccinated_on", Date, nullable=False),
    Column("product", String(40), nullable=False),
    Column("manufacturer", String(40), nullable=False),
    Column("prophylaxis", String(20), nullable=False),
    Column("lot_number", String(40), nullable=False),
    Column("facility_code", String(32), ForeignKey("facilities.code"), nullable=False),
    Column("country", String(2), nullable=False),
    UniqueConstraint("person_id", "vaccinated_on", "product", name="uq_doses_natural"),
)
