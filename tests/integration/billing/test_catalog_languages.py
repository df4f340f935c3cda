"""`kyso catalog load` takes a product's English name beside its Vietnamese one; the API
answers with the one of the request's language (the Vietnamese when there is no English)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kyso.bootstrap import Container
from kyso.config import Settings
from kyso.entrypoints.cli.main import app


def _names(client: TestClient, lang: str) -> dict[str, str]:
    answer = client.get("/api/v1/billing/catalog", headers={"Accept-Language": lang})
    return {p["code"]: p["name"] for p in answer.json()}


def test_catalog_load_keeps_both_names(client: TestClient, shop: Container, settings: Settings,
                                       tmp_path: Path) -> None:
    env = {"KYSO_HOME": str(settings.home), "KYSO_DATABASE_URL": settings.sqlalchemy_url}
    data = tmp_path / "catalog.json"
    data.write_text(json.dumps({"products": [
        {"code": "pack-7", "kind": "pack", "name": "Gói 7 lượt ký",
         "name_en": "Pack of 7 signatures", "price": 38500, "signatures": 7},
        {"code": "pack-9", "kind": "pack", "name": "Gói 9 lượt ký", "price": 49500,
         "signatures": 9}]}, ensure_ascii=False), "utf-8")
    loaded = CliRunner().invoke(app, ["catalog", "load", str(data), "--json"], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert {p["code"]: p["name_en"] for p in json.loads(loaded.output)} == {
        "pack-7": "Pack of 7 signatures", "pack-9": None}
    vi, en = _names(client, "vi"), _names(client, "en")
    assert (vi["pack-7"], en["pack-7"]) == ("Gói 7 lượt ký", "Pack of 7 signatures")
    assert vi["pack-9"] == en["pack-9"] == "Gói 9 lượt ký"  # no English: the Vietnamese
    assert en["pack-10"] == "Pack of 10 signatures"  # the default catalogue has both

    data.write_text('{"products": [{"code": "pack-7", "kind": "pack", "name": "Gói 7",'
                    ' "name_en": "  ", "price": 38500, "signatures": 7}]}', "utf-8")
    refused = CliRunner().invoke(app, ["catalog", "load", str(data)], env=env)
    assert refused.exit_code == 1 and "name" in refused.output
    assert _names(client, "en")["pack-7"] == "Pack of 7 signatures"  # nothing half-written
