"""Records: facilities, people, doses.

Revision ID: 0001_records
Revises:
Create Date: 2024-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_records"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
    )
    _create_people()
    _create_doses()


def _create_people() -> None:
    op.create_table(
        "people",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("record_key", sa.String(80), nullable=False),
        sa.Column("id_kind", sa.String(10)),
        sa.Column("id_number", sa.String(32)),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("name_icao", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("id_problems", sa.String(200), nullable=False),
        sa.Column("mismatch_fields", sa.String(100), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("record_key", name="uq_people_record_key"),
    )
    op.create_index("ix_people_state_id", "people", ["state", "id"])
    op.create_index("ix_people_id_number", "people", ["id_number"])


def _create_doses() -> None:
    op.create_table(
        "doses",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("person_id", _ID, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("dose_number", sa.SmallInteger, nullable=False),
        sa.Column("series_doses", sa.SmallInteger, nullable=False),
        sa.Column("vaccinated_on", sa.Date, nullable=False),
        sa.Column("product", sa.String(40), nullable=False),
        sa.Column("manufacturer", sa.String(40), nullable=False),
        sa.Column("prophylaxis", sa.String(20), nullable=False),
        sa.Column("lot_number", sa.String(40), nullable=False),
        sa.Column("facility_code", sa.String(32), sa.ForeignKey("facilities.code"), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.UniqueConstraint("person_id", "vaccinated_on", "product", name="uq_doses_natural"),
    )


def downgrade() -> None:
    op.drop_table("doses")
    op.drop_table("people")
    op.drop_table("facilities")
