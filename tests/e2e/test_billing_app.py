"""``kyso app buy`` against a real ``kyso serve``: the printed link opens the built-in VNPay
sandbox over HTTP, paying there sends the IPN and redirects to the return page, and
``kyso app certs`` shows the signatures bought."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from tests.e2e.harness import CHEAP, KYSO, Customer, Server, new_customer

EC = {"KYSO_PKI_CA_KEY": "ec-p256", "KYSO_PKI_RESPONDER_KEY": "ec-p256",
      "KYSO_PKI_TSA_KEY": "ec-p256", "KYSO_PKI_SUBSCRIBER_KEY": "ec-p256"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_db_url: str) -> Iterator[Server]:
    """The harness's server with EC keys: billing needs a CA, not a slow one."""
    running = Server(tmp_path_factory.mktemp("server") / "home", app_db_url, **EC)
    yield running
    running.stop()
    assert "Traceback" not in running.log_path.read_text(), "the server failed: see its log"

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(scope="module")
def buyer(server: Server, app_db_url: str, tmp_path_factory: pytest.TempPathFactory,
          ) -> tuple[Customer, str]:
    """A logged-in customer with a certificate issued by ``kyso ca``."""
    customer = new_customer(server, tmp_path_factory.mktemp("phone"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")} | CHEAP | {
        "KYSO_HOME": str(server.log_path.parent / "home"),  # the server's home (harness)
        "KYSO_DATABASE_URL": app_db_url, "KYSO_PUBLIC_BASE_URL": server.url} | EC
    issued = subprocess.run([*KYSO, "ca", "issue", "--account", customer.username,
                             "--province", "Hà Nội", "--locality", "Cầu Giấy",
                             "--id", "CCCD:001091000778"], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    found = server.api("GET", "/billing/certificates", customer.session()).json()
    return customer, str(found[0]["credential_id"])


def pay_in_browser(url: str, method: str, choice: str) -> httpx.Response:
    with httpx.Client(timeout=30, follow_redirects=True) as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        form = dict((k, unescape(v)) for k, v in _HIDDEN.findall(page.text))
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action is not None
        return browser.post(httpx.URL(url).join(action.group(1)),
                            data=form | {"method": method, "choice": choice})


def test_buy_and_pay_in_the_sandbox(buyer: tuple[Customer, str]) -> None:
    customer, credential = buyer
    catalog = customer.run("catalog")
    assert catalog.returncode == 0 and "pack-50" in catalog.stdout and "247.500 ₫" in catalog.stdout
    bought = customer.run("buy", "pack-50", "--cert", credential)
    assert bought.returncode == 0, bought.stderr
    url = bought.stdout.strip()
    assert url.startswith(customer.server.url + "/sandbox/vnpay/paymentv2/vpcpay.html?")
    assert "vnp_SecureHash=" in url
    shown = pay_in_browser(url, "credit_card", "succeed")
    assert shown.status_code == 200 and "Thanh toán thành công" in shown.text
    assert "Đã hoàn tất" in shown.text  # the IPN landed before the redirect
    cancelled = customer.run("buy", "pack-10", "--cert", credential, "--json")
    shown = pay_in_browser(json.loads(cancelled.stdout)["payment_url"], "ewallet", "cancel")
    assert "Quý khách đã hủy giao dịch" in shown.text
    assert "Đã hủy" in shown.text  # the order's state (the line above says "đã hủy" too)
    certs = customer.run("certs")
    assert certs.returncode == 0 and "50" in certs.stdout, certs.stdout
    orders = customer.run("orders")
    # the server's words, not its codes (fulfilled, cancelled), and the whole order id
    assert "Đã thanh toán" in orders.stdout and "Đã hủy" in orders.stdout, orders.stdout
    assert "fulfilled" not in orders.stdout and "cancelled" not in orders.stdout
    refused = customer.run("buy", "pack-10")
    assert refused.returncode == 1 and "credential_id" in refused.stderr
