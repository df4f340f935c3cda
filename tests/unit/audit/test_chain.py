"""The pure hash chain: canonical form, hashes, and what verification catches."""

from __future__ import annotations

import dataclasses
import hashlib
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from kyso.audit.chain import (
    GENESIS,
    LOOKAHEAD,
    canonical,
    dump_details,
    record_hash,
    seal,
    verify_chain,
)
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditEvent, AuditRecord, Outcome
from kyso.errors import Conflict

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 1, 1, tzinfo=UTC)

EVENT = AuditEvent(
    action="account.login",
    outcome=Outcome.FAILURE,
    actor="u-1",
    details={"name": "Nguyễn", "ip": "192.0.2.1", "locked": False, "attempt": 3},
)
AT = datetime(2026, 3, 1, 8, 30, 0, 5, tzinfo=HANOI)
PREV = "ab" * 32
EXPECTED = (
    '{"action":"account.login","actor":"u-1","at":"2026-03-01T01:30:00.000005Z",'
    '"details":{"attempt":3,"ip":"192.0.2.1","locked":false,"name":"Nguyễn"},'
    '"outcome":"failure","prev_hash":"' + PREV + '","seq":7,"subject":null}'
).encode()


def make_chain(n: int) -> list[AuditRecord]:
    records, prev = [], GENESIS
    for seq in range(1, n + 1):
        event = AuditEvent(action="test.event", actor=f"u{seq % 3}", details={"n": seq})
        record = seal(seq, T0 + timedelta(seconds=seq), event, prev)
        records.append(record)
        prev = record.hash
    return records


def head_of(records: list[AuditRecord]) -> tuple[int, str]:
    return (records[-1].seq, records[-1].hash) if records else (0, GENESIS)


def broken(records: list[AuditRecord], head: tuple[int, str]) -> ChainBroken:
    with pytest.raises(ChainBroken) as info:
        verify_chain(records, head)
    return info.value


def renumber(record: AuditRecord, seq: int) -> AuditRecord:
    return dataclasses.replace(record, seq=seq)


# -- canonical form and hash ---------------------------------------------------------------


def test_genesis_is_64_hex_zeros() -> None:
    assert GENESIS == "0" * 64


def test_canonical_form_is_sorted_compact_utf8_json_with_utc_microseconds() -> None:
    assert canonical(7, AT, EVENT, PREV) == EXPECTED


def test_hash_is_sha256_of_the_canonical_form_and_is_pinned() -> None:
    digest = record_hash(7, AT, EVENT, PREV)
    assert digest == hashlib.sha256(EXPECTED).hexdigest()
    assert digest == "59be53f23b4a66f9068665484618997ac4f86c21389f5ffd1a467c004db1b357"


def test_canonical_form_does_not_depend_on_detail_order_or_time_zone() -> None:
    reordered = dataclasses.replace(EVENT, details=dict(reversed(list(EVENT.details.items()))))
    assert canonical(7, AT.astimezone(UTC), reordered, PREV) == EXPECTED


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        canonical(1, datetime(2026, 1, 1), EVENT, GENESIS)


def test_dump_details_is_canonical() -> None:
    assert dump_details({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


CHANGES = {
    "seq": dict(seq=8),
    "at, one microsecond": dict(at=AT + timedelta(microseconds=1)),
    "prev_hash": dict(prev_hash="ab" * 31 + "ac"),
    "action": dict(event=dataclasses.replace(EVENT, action="account.logout")),
    "outcome": dict(event=dataclasses.replace(EVENT, outcome=Outcome.SUCCESS)),
    "actor": dict(event=dataclasses.replace(EVENT, actor="u-2")),
    "actor none": dict(event=dataclasses.replace(EVENT, actor=None)),
    "subject": dict(event=dataclasses.replace(EVENT, subject="")),
    "detail value": dict(event=dataclasses.replace(EVENT, details={**EVENT.details, "attempt": 4})),
    "detail type": dict(
        event=dataclasses.replace(EVENT, details={**EVENT.details, "attempt": "3"})
    ),
    "bool vs int": dict(event=dataclasses.replace(EVENT, details={**EVENT.details, "locked": 0})),
    "detail key": dict(event=dataclasses.replace(EVENT, details={"nAme": "Nguyễn"})),
    "detail added": dict(event=dataclasses.replace(EVENT, details={**EVENT.details, "x": None})),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_hash_changes_with_any_field(change: dict[str, Any]) -> None:
    fields: dict[str, Any] = dict(seq=7, at=AT, event=EVENT, prev_hash=PREV)
    assert record_hash(**fields) != record_hash(**{**fields, **change})


def test_seal_chains_after_prev_and_stores_utc() -> None:
    record = seal(7, AT, EVENT, PREV)
    assert record.hash == hashlib.sha256(EXPECTED).hexdigest()
    assert record.prev_hash == PREV and record.at.tzinfo is UTC and record.at == AT


# -- verification --------------------------------------------------------------------------


def test_an_intact_chain_verifies() -> None:
    records = make_chain(50)
    verify_chain(records, head_of(records))
    verify_chain(iter(records), head_of(records))


def test_an_empty_trail_verifies_against_the_genesis_head() -> None:
    verify_chain([], (0, GENESIS))


def test_chain_broken_is_a_conflict_with_both_languages() -> None:
    records = make_chain(5)
    error = broken(records[:4], head_of(records))
    assert isinstance(error, Conflict) and error.code == "audit_chain_broken"
    assert "record 5" in error.describe("en") and "bản ghi số 5" in error.describe("vi")


def test_an_edited_record_is_named_as_altered() -> None:
    records = make_chain(10)
    edited = dataclasses.replace(records[3].event, details={"n": 999})
    records[3] = dataclasses.replace(records[3], event=edited)
    error = broken(records, head_of(make_chain(10)))
    assert (error.seq, error.reason) == (4, Breach.ALTERED)


@pytest.mark.parametrize("index", [0, 4, 8])
def test_a_removed_record_is_named(index: int) -> None:
    records = make_chain(10)
    head = head_of(records)
    del records[index]
    error = broken(records, head)
    assert (error.seq, error.reason) == (index + 1, Breach.REMOVED)


def test_several_removed_records_name_the_first() -> None:
    records = make_chain(10)
    error = broken(records[:3] + records[6:], head_of(records))
    assert (error.seq, error.reason) == (4, Breach.REMOVED)
    assert "4–6" in str(error)


def test_records_out_of_order_in_the_stream_are_reordered() -> None:
    records = make_chain(10)
    head = head_of(records)
    records[3], records[6] = records[6], records[3]
    error = broken(records, head)
    assert (error.seq, error.reason) == (4, Breach.REORDERED)


def test_a_missing_record_far_beyond_the_lookahead_counts_as_removed() -> None:
    records = make_chain(LOOKAHEAD + 10)
    moved = records.pop(2)
    error = broken([*records, moved], head_of(records))
    assert (error.seq, error.reason) == (3, Breach.REMOVED)


def test_a_repeated_record_is_reordered() -> None:
    records = make_chain(6)
    error = broken(records[:4] + records[3:], head_of(records))
    assert (error.seq, error.reason) == (4, Breach.REORDERED)


def test_swapped_contents_keeping_the_numbers_are_reordered_at_the_first_place() -> None:
    records = make_chain(10)
    head = head_of(records)
    records[3], records[4] = renumber(records[4], 4), renumber(records[3], 5)
    error = broken(records, head)
    assert (error.seq, error.reason) == (4, Breach.REORDERED)


def test_a_removal_hidden_by_renumbering_is_caught_where_the_gap_was() -> None:
    records = make_chain(10)
    head = head_of(records)
    closed = records[:4] + [renumber(r, r.seq - 1) for r in records[5:]]
    error = broken(closed, head)
    assert (error.seq, error.reason) == (5, Breach.REORDERED)


def test_a_truncated_tail_is_named() -> None:
    records = make_chain(10)
    error = broken(records[:7], head_of(records))
    assert (error.seq, error.reason) == (8, Breach.TRUNCATED)


def test_a_record_past_the_head_is_named() -> None:
    records = make_chain(10)
    error = broken(records, head_of(records[:9]))
    assert (error.seq, error.reason) == (10, Breach.BEYOND_HEAD)


def test_a_rewritten_and_rehashed_last_record_fails_against_the_head() -> None:
    records = make_chain(10)
    head = head_of(records)
    last = records[-1]
    records[-1] = seal(10, last.at, dataclasses.replace(last.event, actor="evil"), last.prev_hash)
    error = broken(records, head)
    assert (error.seq, error.reason) == (10, Breach.HEAD_MISMATCH)


def test_a_rewritten_and_rehashed_record_breaks_the_next_link() -> None:
    records = make_chain(10)
    target = records[4]
    records[4] = seal(
        5, target.at, dataclasses.replace(target.event, actor="evil"), target.prev_hash
    )
    error = broken(records, head_of(make_chain(10)))
    assert (error.seq, error.reason) == (6, Breach.UNLINKED)


def test_a_forged_record_hashed_without_the_right_prev_is_altered() -> None:
    records = make_chain(10)
    target = records[4]
    forged_event = dataclasses.replace(target.event, details={"n": 0})
    forged = record_hash(5, target.at, forged_event, GENESIS)
    records[4] = dataclasses.replace(target, event=forged_event, hash=forged)
    error = broken(records, head_of(make_chain(10)))
    assert (error.seq, error.reason) == (5, Breach.ALTERED)


def test_a_forged_record_chained_to_another_hash_is_unlinked() -> None:
    records = make_chain(10)
    records[4] = seal(5, records[4].at, records[4].event, GENESIS)
    error = broken(records, head_of(make_chain(10)))
    assert (error.seq, error.reason) == (5, Breach.UNLINKED)


def test_an_inserted_record_is_caught_at_the_record_it_displaced() -> None:
    records = make_chain(10)
    forged = seal(4, records[3].at, AuditEvent(action="forged"), records[2].hash)
    shifted = [renumber(r, r.seq + 1) for r in records[3:]]
    error = broken([*records[:3], forged, *shifted], (11, shifted[-1].hash))
    assert (error.seq, error.reason) == (5, Breach.REORDERED)


def test_an_inserted_duplicate_number_is_reordered() -> None:
    records = make_chain(10)
    forged = seal(4, records[3].at, AuditEvent(action="forged"), records[2].hash)
    error = broken([*records[:4], forged, *records[4:]], head_of(records))
    assert (error.seq, error.reason) == (4, Breach.REORDERED)


def _generated(n: int) -> Iterator[AuditRecord]:
    prev = GENESIS
    for seq in range(1, n + 1):
        record = seal(seq, T0, AuditEvent(action="bulk", details={"pad": "x" * 200}), prev)
        prev = record.hash
        yield record


def test_verification_streams_in_constant_memory() -> None:
    *_, last = _generated(5_000)
    tracemalloc.start()
    try:
        verify_chain(_generated(5_000), (5_000, last.hash))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000  # holding the 5,000 records would take about 3 MB
