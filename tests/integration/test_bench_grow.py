"""`bench/grow.py` still runs against the schema as it is now (issue 14's growth row).

Nothing else runs the growth bench, and its seed writes the tables with raw SQL: a column added
by a migration once broke it unseen (`audit_records.pending_id`; "table audit_records has 10
columns but 9 values were supplied"). Tiny sizes and two rounds (the fewest its quartiles
take; the small side holds the 100 SmartOTP users an OTP round draws): this checks that it
works and reports every measure, not what it measures (never a timing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_growth_bench_seeds_measures_and_reports_on_a_tiny_sqlite_pair(
        tmp_path: Path) -> None:
    out = tmp_path / "grow.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "grow.py"), "--small", "120", "--accounts", "300",
         "--audit", "1000", "--rounds", "2", "--out", str(out)],
        cwd=tmp_path, env=env | {"TMPDIR": str(tmp_path)}, capture_output=True, text=True,
        timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = out.read_text()
    for measure in ("signHash (bearer + sign_digests)", "OTP verify (SmartOTP TOTP)",
                    "login (password, new session)"):
        assert f"| {measure} | ms CPU (this thread) |" in report, report
        assert f"| {measure} | SQL statements |" in report, report
    assert "- big: 300 accounts (a session each)" in report
    assert "1000 audit records" in report
