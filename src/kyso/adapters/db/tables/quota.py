"""Tables of the quota ledger: the append-only entries, the per-credential totals (the row
every change locks) and the open reservations."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["PROVISIONED", "SOURCE_IS_A_KEY", "quota_accounts", "quota_entries", "quota_holds"]

# a source that is a key: not a release's, and not none (an entry without one, as a debit's,
# is never a duplicate: it writes no index page)
SOURCE_IS_A_KEY = text("kind <> 'release' AND source IS NOT NULL")
# what the provisioning report looks up by time: credits and unlimited grants, not the entry
# every signature adds (the report's query names the kinds as literals, as here, so SQLite's
# planner sees that the index holds them)
PROVISIONED = text("kind IN ('credit', 'unlimited')")

quota_entries = Table(
    "quota_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("credential_id", String(80), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("count", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("source", String(120)),
    Column("reservation", String(36), unique=True),  # settled at most once
    Column("until", UtcDateTime),
    Column("relying_party", String(36)),
    Index("ix_quota_entries_credential", "credential_id", "at"),
    # a source names a credit, a grant or a late consume once; releases repeat theirs
    # ("expired"), each already unique by ``reservation``
    Index("ix_quota_entries_source", "credential_id", "kind", "source", unique=True,
          sqlite_where=SOURCE_IS_A_KEY, postgresql_where=SOURCE_IS_A_KEY),
    Index("ix_quota_entries_at", "at", sqlite_where=PROVISIONED,
          postgresql_where=PROVISIONED),
)

quota_accounts = Table(
    "quota_accounts",
    metadata,
    Column("credential_id", String(80), primary_key=True),
    Column("credited", Integer, nullable=False),
    Column("consumed", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("unlimited_until", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)

quota_holds = Table(
    "quota_holds",
    metadata,
    Column("id", String(36), primary_key=True),  # the reserve entry's id
    Column("credential_id", String(80), nullable=False),
    Column("count", Integer, nullable=False),
    Column("basis", String(16), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("relying_party", String(36)),
    Index("ix_quota_holds_expiry", "credential_id", "expires_at"),
    Index("ix_quota_holds_due", "expires_at"),
)
