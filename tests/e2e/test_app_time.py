"""``kyso app``: Đồng bộ thời gian (sync the device clock) and resync the server's drift."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import (
    SMARTOTP_PIN,
    Server,
    new_customer,
    otp_json,
    register,
)


def test_a_drifted_clock_is_refused_until_synced(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    customer.set_clock_offset(150)  # roaming abroad: the clock is five steps fast
    refused = customer.verify(otp_json(customer)["code"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_otp"

    synced = customer.run("sync")
    assert synced.returncode == 0 and "Đã đồng bộ thời gian" in synced.stdout, synced.stderr
    assert abs(customer.state()["clock_offset"]) < 5
    assert customer.verify(otp_json(customer)["code"]).status_code == 204


def test_resync_teaches_the_server_the_device_clock(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    customer.set_clock_offset(150)  # never synced: codes for steps T+5 and T+6 go out
    done = customer.run("resync", "--pin-stdin", stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 0 and "đồng bộ lại SmartOTP" in done.stdout, done.stderr

    # Two steps later on the device (T+7): outside ±1 of the server's clock, inside ±1 of
    # the learnt drift; T+5 and T+6 are spent.
    customer.set_clock_offset(210)
    assert customer.verify(otp_json(customer)["code"]).status_code == 204

    wrong = customer.run("resync", stdin="975318\n")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
