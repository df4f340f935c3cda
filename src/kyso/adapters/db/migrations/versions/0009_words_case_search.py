"""words: the RA console finds a case on the server by name or ID number

Registrations keep their holder's name as a search key (lower case, no diacritics); the
existing ones get theirs from the name kept in their body. The ID number is found through
``uid`` (indexed since 0005_onboarding).

Revision ID: 0009_words_case_search
Revises: 0006_onboarding_seal
Create Date: 2026-12-02 17:30:00
"""

from __future__ import annotations

import json
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0009_words_case_search"
down_revision = "0006_onboarding_seal"
branch_labels = None
depends_on = None

_registrations = sa.table("onboarding_registrations", sa.column("id", sa.String),
                          sa.column("body", sa.Text), sa.column("name_key", sa.String))


def _name_key(text: str) -> str:
    """kyso.onboarding.search.name_key as of this revision."""
    folded = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    plain = "".join(c if c.isalnum() else " " for c in folded
                    if not unicodedata.combining(c))
    return " ".join(plain.split())[:200]


def upgrade() -> None:
    with op.batch_alter_table("onboarding_registrations") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_registrations.c.id, _registrations.c.body)).all()
    for registration_id, body in rows:
        name = json.loads(body)["owner"]["full_name"]
        conn.execute(sa.update(_registrations).where(_registrations.c.id == registration_id)
                     .values(name_key=_name_key(name)))


def downgrade() -> None:
    with op.batch_alter_table("onboarding_registrations") as batch:
        batch.drop_column("name_key")
