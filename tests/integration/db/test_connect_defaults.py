"""A PostgreSQL connection gets a connect timeout and TCP keepalives unless its URL names
them: a vanished database host (no reset) must not hold a node's connection attempt for
minutes before libpq tries the next host of a multi-host URL (docs/OPERATIONS.md)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from kyso.adapters.db.engine import PG_CONNECT_DEFAULTS, make_engine


class Stop(Exception):
    pass


def _parameters(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        seen.update(params)
        raise Stop  # no server needed: the parameters are what libpq would get

    with pytest.raises(Stop):
        engine.connect()
    engine.dispose()
    return seen


def test_defaults_unless_the_url_names_them() -> None:
    multi = ("postgresql+psycopg://kyso@/kyso?host=10.0.0.21:5432&host=10.0.0.22:5432"
             "&target_session_attrs=read-write")
    params = _parameters(multi)
    assert {k: params[k] for k in PG_CONNECT_DEFAULTS} == PG_CONNECT_DEFAULTS
    assert params["connect_timeout"] == 5 and params["target_session_attrs"] == "read-write"
    assert params["host"] == "10.0.0.21,10.0.0.22" and params["port"] == "5432,5432"
    named = _parameters("postgresql+psycopg://kyso@db/kyso?connect_timeout=2&keepalives=0")
    assert named["connect_timeout"] == "2" and named["keepalives"] == "0"
    assert named["keepalives_idle"] == 10
