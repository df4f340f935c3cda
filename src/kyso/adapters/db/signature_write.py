"""A short signing's writes as one statement (PostgreSQL, the audit chain batched; issue 14).

A signHash's transaction spends the SAD's hashes (keeping the signatures in its row), takes
the quota with the debit's ledger entry, appends the audit event to ``audit_pending``
and queues the receipt's job. Statement by statement that is BEGIN, four writes and COMMIT;
here it is one statement, which in autocommit is its own transaction. Its CTEs, each chained
to the one before by what it returned:

- ``sad``: the SAD's row, locked, if it is still as the signer read it (not revoked);
- ``account``: then the credential's quota row, locked, if the debit's common case may take
  from it (``takeable``: no hold, no unlimited term, enough left, and — the acceptance
  gate — no registration awaiting the credential's acceptance record);
- ``spent``, ``taken``, ``entries``, ``pending``, ``receipt``: then the writes, only if both
  rows were; the quota's UPDATE has no condition left to fail, its row being locked since it
  was checked (READ COMMITTED re-checks a locked row's conditions on its newest version).

So it writes all or nothing, and needs no rollback: either way it commits. Nothing written
(the SAD changed, or the debit is not the common case) sends the caller down the general
path, statement by statement, which finds out which and answers as before. The rows are
locked in the general path's order, the SAD's then the quota's: the two never deadlock.

The receipt job's claims get the audit event's id in place of ``PENDING_TO_FILL`` by
``replace`` on the canonical JSON, where the text ``"pending":0`` can only be that key (a
string value's quotes are escaped).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    Text,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
)

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.repositories.audit import pending_values
from kyso.adapters.db.repositories.quota import (
    debit_entries,
    debit_values,
    takeable,
    taken_from,
)
from kyso.adapters.db.repositories.signing import SPEND_QUERY, spend_values
from kyso.adapters.db.tables.audit import audit_pending
from kyso.adapters.db.tables.signing import signature_activations
from kyso.adapters.db.tables.verify import signing_receipts
from kyso.signing.ports import SignatureWrite
from kyso.signing.receipt_jobs import PENDING_TO_FILL

__all__ = ["record_signature"]

_t = signature_activations.c
_AUDIT = ("at", "action", "outcome", "actor", "subject", "details")
_RECEIPT = tuple(c.name for c in signing_receipts.c)
_TO_FILL = f'"pending":{PENDING_TO_FILL}'


def _bound(table: Table, prefix: str, names: tuple[str, ...]) -> list[Any]:
    return [bindparam(f"{prefix}{n}", type_=table.c[n].type).label(n) for n in names]


def _statement(*, gated: bool, receipt: bool) -> Prepared:
    sad = (select(_t.id)
           .where(_t.id == bindparam("activation_id"), _t.signed == bindparam("b_read"),
                  _t.revoked_at.is_(None))
           .with_for_update().cte("sad"))
    account = takeable(unless_awaiting=gated).where(exists(select(sad))).cte("account")
    spent = SPEND_QUERY.where(exists(select(account))).returning(_t.id).cte("spent")
    taken = taken_from(spent).returning(literal(1).label("one")).cte("taken")
    pending = (insert(audit_pending)
               .from_select(_AUDIT, select(*_bound(audit_pending, "a_", _AUDIT))
                            .select_from(taken))
               .returning(audit_pending.c.id).cte("pending"))
    writes = [debit_entries(taken).cte("entries"), pending]
    if receipt:
        filled = func.replace(bindparam("r_claims", type_=Text), literal(_TO_FILL),
                              literal('"pending":') + cast(pending.c.id, Text))
        columns = [filled.label(n) if n == "claims"
                   else bindparam(f"r_{n}", type_=signing_receipts.c[n].type).label(n)
                   for n in _RECEIPT]
        writes.append(insert(signing_receipts)
                      .from_select(_RECEIPT, select(*columns).select_from(pending))
                      .cte("receipt"))
    written = select(func.count()).select_from(taken).scalar_subquery()
    return Prepared(select(written.label("written")).add_cte(*writes))


# (the acceptance gate's question asked, a receipt queued) → the statement
_STATEMENTS = {(gated, receipt): _statement(gated=gated, receipt=receipt)
               for gated in (False, True) for receipt in (False, True)}


def record_signature(conn: Connection, write: SignatureWrite) -> bool:
    """Run ``write`` on ``conn`` (PostgreSQL) as one statement: True if it wrote it all,
    False if it wrote nothing."""
    values = (spend_values(write.read, write.spent, write.scheme, write.signatures)
              | debit_values(write.debit)
              | {f"a_{k}": v for k, v in pending_values(write.event, write.at).items()})
    job = write.receipt
    if job is not None:
        if job.claims.count(_TO_FILL) != 1:
            raise ValueError("the receipt's claims must name the pending event to fill")
        values |= {f"r_{k}": v for k, v in job.__dict__.items()} | {"r_leased_until": None}
    statement = _STATEMENTS[write.debit.unless_awaiting_acceptance, job is not None]
    return bool(statement.execute(conn, values).scalar())
