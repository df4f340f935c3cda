"""0013_hash_kept_in_sad: the signatures kept for SADs still live at the upgrade move into
their SAD's row, so a signHash repeated across the upgrade still gets them back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, insert

from kyso.adapters.db.repositories.signing import SqlActivationRepository
from kyso.adapters.db.schema import upgrade
from tests.integration.db.test_id_number_migration import account, before_revision

REVISION = "0013_hash_kept_in_sad"
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
# the tables as they were before this revision (no kept column; a row per kept signature)
_sads = sa.table("signature_activations", *(sa.column(c) for c in (
    "id", "token_hash", "account_id", "credential_id", "hash_algo", "hashes", "signed",
    "created_at", "expires_at")))
_kept = sa.table("signatures_kept", *(sa.column(c) for c in (
    "activation_id", "hash", "scheme", "signature", "expires_at")))


@pytest.fixture
def before(db_url: str) -> Iterator[Engine]:
    engine = before_revision(db_url, REVISION)
    yield engine
    engine.dispose()


def test_kept_signatures_move_into_their_sad(before: Engine) -> None:
    with before.begin() as conn:
        owner = account(conn, 1)
        for n in (1, 2):
            conn.execute(insert(_sads).values(
                id=f"sad-{n}", token_hash=f"{n:064d}", account_id=owner,
                credential_id="kyso-ca-1", hash_algo="sha256",
                hashes='["AA==", "AQ=="]', signed='["AA==", "AQ=="]' if n == 1 else "[]",
                created_at=T0, expires_at=T0 + timedelta(minutes=5)))
        for digest, signature in (("AA==", b"\x00sig-a"), ("AQ==", b"\x01sig-b")):
            conn.execute(insert(_kept).values(
                activation_id="sad-1", hash=digest, scheme="rsa-pkcs1v15-sha256",
                signature=signature, expires_at=T0 + timedelta(minutes=5)))
    upgrade(before)
    with before.connect() as conn:
        repository = SqlActivationRepository(conn)
        assert repository.kept_signatures("sad-1", "rsa-pkcs1v15-sha256",
                                          ["AQ==", "AA=="]) == [b"\x01sig-b", b"\x00sig-a"]
        assert repository.kept_signatures("sad-1", "ecdsa-sha256", ["AA=="]) is None
        assert repository.kept_signatures("sad-2", "rsa-pkcs1v15-sha256", ["AA=="]) is None
        assert "signatures_kept" not in sa.inspect(conn).get_table_names()
