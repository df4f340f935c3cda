"""The README runs: every ```sh block of README.md, in order, in one bash (a later block uses
what an earlier one made: ``TOKEN``, ``an.pem``), against a live ``kyso serve`` on a free
port with a temporary ``KYSO_HOME`` — the ``server`` fixture of ``tests/e2e``.

The substitutions are the only differences from what a reader types, and they are few:

- ``localhost:8000`` and ``127.0.0.1:8000`` become the test server's ``127.0.0.1:PORT``;
- ``.venv/bin/`` becomes this interpreter's ``bin/`` directory (the checkout's venv);
- a line that starts a server (``.venv/bin/kyso serve &``, ``make run &``) is dropped: the
  fixture serves already (a second server would take the reserved port 8000);
- the shell runs with ``set -eo pipefail`` in an empty directory, with the server's
  ``KYSO_HOME`` and database in its environment (for ``kyso demo`` and ``kyso ca issue``).

Blocks fenced ```console (``make run``, ``make test``) are not run: they install and run
this very suite. Each block must exit 0 and the outputs a reader relies on are checked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.harness import Server

README = Path(__file__).resolve().parents[2] / "README.md"
_SERVER_LINE = re.compile(r"^(\.venv/bin/kyso serve|make run) &.*$", re.M)


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", text, re.M | re.S)


def substituted(block: str, port: int, bin_dir: Path) -> str:
    block = _SERVER_LINE.sub("", block)
    for address in ("localhost:8000", "127.0.0.1:8000"):
        block = block.replace(address, f"127.0.0.1:{port}")
    return block.replace(".venv/bin/", f"{bin_dir}/")


def test_every_shell_block_of_the_readme_runs(server: Server, tmp_path: Path) -> None:
    blocks = sh_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    bin_dir = Path(sys.executable).parent
    script = ["set -eo pipefail"]
    for n, block in enumerate(blocks, 1):
        assert "8000" in block or ".venv/bin/" in block or "$TOKEN" in block
        script += [substituted(block, server.port, bin_dir), f"echo '@@ block {n} ran'"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, env=server.env,
                          capture_output=True, text=True, timeout=600, check=False)
    out = done.stdout + done.stderr
    ran = re.findall(r"@@ block (\d+) ran", done.stdout)
    assert done.returncode == 0 and len(ran) == len(blocks), (ran, out[-4000:])
    # what a reader relies on, block by block
    assert "CMS Verification successful" in out                 # the SP769 demo's signature
    assert '"status":"active"' in out and "Nguyễn Văn An" in out  # signed up with the codes
    assert re.search(r"OTP: \d{6}", out)
    assert "an.pem: OK" in out and "an.pem: good" in out       # openssl verify and OCSP
    assert "Verification: OK" in out                           # the TSA's token
    assert re.search(r"^303$", done.stdout, re.M)              # the sandbox took the payment
    assert '"available_signatures":10' in done.stdout.replace(" ", "")
