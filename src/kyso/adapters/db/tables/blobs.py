"""Documents, signed outputs, signature images, eKYC images and contracts, shared by every
node (``adapters/blobs.py``: DatabaseBlobStore).

``blobs`` names each blob (its SHA-256) with its size and number of chunks; ``blob_chunks``
holds the bytes in chunks, each envelope-sealed under the master key with the purpose
``blob:<sha256>:<seq>`` — the one sealed column to rewrap when the master key rotates.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["blob_chunks", "blobs"]

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("chunks", Integer, nullable=False),
    # the last put of these bytes: the clean-up leaves younger blobs alone, so a blob put just
    # before the transaction that names it commits is never taken for an orphan
    Column("stored_at", UtcDateTime, nullable=False),
    Index("ix_blobs_stored_at", "stored_at"),
)

blob_chunks = Table(
    "blob_chunks",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("sealed", LargeBinary, nullable=False),
)
