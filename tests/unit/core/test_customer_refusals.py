"""A refusal a customer or an officer reads is Vietnamese from end to end: in the modules
behind the web app's screens, an error's detail (the words in parentheses after its
sentence) is a :class:`~kyso.errors.Text`, never an English string glued to a Vietnamese
sentence ("Yêu cầu không hợp lệ. (the file is empty)"). Read from the source, so that a new
refusal written the old way fails here before a customer sees it.

Out of scope: the CSC and OAuth2 protocol errors (they carry both languages in their own
way, and RFC 6749 wants ASCII), operators' key-store and rotation errors (English, for the
command line), and details marked ``detail_shown = False`` (log only)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from kyso.errors import InvalidInput, KysoError, Text

SRC = Path(__file__).resolve().parents[3] / "src"

# the services and routes behind the customer's and the officer's screens
CUSTOMER_FACING = [
    "kyso/signing/documents.py", "kyso/signing/multisign.py", "kyso/signing/service.py",
    "kyso/signing/receipts.py", "kyso/signing/document.py", "kyso/history/service.py",
    "kyso/onboarding", "kyso/otp", "kyso/accounts", "kyso/billing", "kyso/pki/model.py",
    "kyso/notify/service.py", "kyso/entrypoints/api/routes",
]
# models whose ValueError becomes a refusal's detail (through kyso.errors.said)
VALUE_ERRORS_SHOWN = {"kyso/signing/document.py", "kyso/history/service.py"}


def _files() -> list[Path]:
    found: list[Path] = []
    for entry in CUSTOMER_FACING:
        path = SRC / entry
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _english(arg: ast.expr) -> bool:
    """A string literal, an f-string or ``str(...)``: words in one language only."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return True
    if isinstance(arg, ast.JoinedStr):
        return True
    return isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "str"


def _refusals(path: Path) -> list[str]:
    module = importlib.import_module(
        str(path.relative_to(SRC).with_suffix("")).replace("/", ".").removesuffix(".__init__"))
    return _refusals_in(path.read_text(encoding="utf-8"), vars(module),
                        str(path.relative_to(SRC)))


def _refusals_in(source: str, names: dict[str, object], rel: str) -> list[str]:
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        kind = names.get(node.func.id)
        shown = (isinstance(kind, type) and issubclass(kind, KysoError) and kind.detail_shown) \
            or (kind is ValueError and rel in VALUE_ERRORS_SHOWN)
        if shown and _english(node.args[0]):
            bad.append(f"{rel}:{node.lineno} {ast.unparse(node)[:80]}")
    return bad


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SRC)))
def test_every_refusal_detail_is_worded_in_both_languages(path: Path) -> None:
    assert _refusals(path) == []


def test_the_check_finds_a_refusal_written_the_old_way() -> None:
    names = {"InvalidInput": InvalidInput, "Text": Text, "ValueError": ValueError}
    old = ('raise InvalidInput("the file is empty")\n'
           'raise InvalidInput(f"{n} is named twice")\n'
           'raise InvalidInput(str(exc))\n'
           'raise ValueError("pages are numbered from 1")\n')
    assert len(_refusals_in(old, names, "kyso/signing/document.py")) == 4
    assert len(_refusals_in(old, names, "kyso/other.py")) == 3  # a ValueError stays inside
    new = ('raise InvalidInput(Text("tệp không có nội dung", "the file is empty"))\n'
           'raise InvalidInput(said(exc))\n'
           'raise ValueError(Text("số trang bắt đầu từ 1", "pages are numbered from 1"))\n'
           'raise InvalidInput(retry_after=3)\n')
    assert _refusals_in(new, names, "kyso/signing/document.py") == []
