"""``kyso serve --workers 2``: /metrics adds up every worker's counts (prometheus-client's
multi-process files in KYSO_HOME/metrics), and the JSON log lines carry the request id the
answer names; a request's path and query never reach the log (uvicorn's own access line)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.harness import _free_port
from tests.reliability.serving import DEADLINE, healthy, serve, until

REQUESTS = 60
# what a query may carry (a document's name, a support desk's search), never logged
PRIVATE = "Hop-dong-vay-Tran-Thi-Mai"


def served(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples
               if s.name == "kyso_http_requests_total" and s.labels.get("route") == "/api/v1/time")


def test_two_workers_count_as_one_node(tmp_path: Path, db_url: str) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    process = serve(tmp_path / "home", db_url, port, log)
    try:
        assert until(lambda: healthy(port), DEADLINE), log.read_text()

        def one(_: int) -> str:
            with httpx.Client() as client:  # a new connection each: both workers accept
                r = client.get(f"{url}/api/v1/time", params={"name": PRIVATE})
                assert r.status_code == 200
                return r.headers["X-Request-ID"]

        with ThreadPoolExecutor(6) as pool:
            ids = list(pool.map(one, range(REQUESTS)))
        files = list((tmp_path / "home" / "metrics").glob("counter_*.db"))
        pids = {re.sub(r"\D", "", f.name) for f in files}
        assert len(pids) >= 2, files  # each worker writes its own values there
        assert {served(url) for _ in range(6)} == {REQUESTS}  # whichever worker answers
    finally:
        process.terminate()
        process.wait(30)
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{")]
    access = {line["request_id"]: line for line in lines if line.get("logger") == "kyso.access"}
    assert set(ids) <= access.keys()
    assert access[ids[0]]["route"] == "/api/v1/time" and access[ids[0]]["status"] == 200
    # one access line a request, the app's (the route's template), in every worker
    assert [line for line in lines if line.get("logger") == "uvicorn.access"] == []
    assert PRIVATE not in log.read_text()
