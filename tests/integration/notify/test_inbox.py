"""The in-app inbox per account: list, unread count, mark read, mark all, ownership."""

from __future__ import annotations

import pytest

from kyso.errors import InvalidInput, NotFound, Text
from kyso.notify.service import Notifier

ME, OTHER = "acc-me", "acc-other"


@pytest.fixture
def notifier(envelope, clock):
    return Notifier(envelope, clock)


@pytest.fixture
def posted(notifier, uow_factory, clock):
    """Three notifications for ME (one a minute) and one for OTHER; returns their ids."""
    ids = {}
    with uow_factory() as uow:
        for n in range(3):
            ids[n] = notifier.post(uow, ME, Text(f"Hợp đồng số {n} đã được ký",
                                                 f"Contract {n} signed"),
                                   Text(f"Nội dung {n}", f"Content {n}")).id
            clock.advance(60)
        ids["other"] = notifier.post(uow, OTHER, Text("Thông báo", "Notice"), Text("…", "…")).id
        uow.commit()
    return ids


def test_the_inbox_lists_newest_first_with_paging(notifier, uow_factory, posted, clock):
    with uow_factory() as uow:
        page = notifier.inbox(uow, ME, limit=2)
        rest = notifier.inbox(uow, ME, limit=2, offset=2)
    assert [n.id for n in page] == [posted[2], posted[1]]
    assert [n.id for n in rest] == [posted[0]]
    assert page[0].title == "Hợp đồng số 2 đã được ký" and page[0].body == "Nội dung 2"
    assert page[0].read_at is None and page[0].created_at.tzinfo is not None


def test_unread_count_and_mark_read(notifier, uow_factory, posted, clock):
    with uow_factory() as uow:
        assert notifier.unread_count(uow, ME) == 3
        assert notifier.mark_read(uow, ME, posted[1]) == 1
        uow.commit()
    first_read = clock.now()
    clock.advance(30)
    with uow_factory() as uow:
        notifier.mark_read(uow, ME, posted[1])  # again: harmless, keeps the first time
        uow.commit()
    with uow_factory() as uow:
        assert notifier.unread_count(uow, ME) == 2
        read = {n.id: n.read_at for n in notifier.inbox(uow, ME)}
    assert read == {posted[0]: None, posted[1]: first_read, posted[2]: None}


def test_mark_all_read_touches_only_the_account(notifier, uow_factory, posted, clock):
    with uow_factory() as uow:
        notifier.mark_read(uow, ME, posted[0])
        assert notifier.mark_read(uow, ME, None) == 2  # None: every unread one
        assert notifier.mark_all_read(uow, ME) == 0
        uow.commit()
    with uow_factory() as uow:
        assert notifier.unread_count(uow, ME) == 0
        assert notifier.unread_count(uow, OTHER) == 1


def test_another_accounts_or_an_unknown_notification_is_not_found(notifier, uow_factory, posted):
    with uow_factory() as uow:
        with pytest.raises(NotFound):
            notifier.mark_read(uow, ME, posted["other"])
        with pytest.raises(NotFound):
            notifier.mark_read(uow, ME, "00000000-0000-0000-0000-000000000000")
        uow.commit()
    with uow_factory() as uow:
        assert notifier.unread_count(uow, OTHER) == 1
        assert [n.id for n in notifier.inbox(uow, OTHER)] == [posted["other"]]


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (10, -1)])
def test_paging_arguments_are_checked(notifier, uow_factory, limit, offset):
    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.inbox(uow, ME, limit=limit, offset=offset)


@pytest.mark.parametrize("title", [Text("", "Title"), Text("Tiêu đề", "   "),
                                   Text("x" * 201, "Title")])
def test_titles_are_checked(notifier, uow_factory, title):
    """Both languages of a title are checked."""
    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.post(uow, ME, title, Text("nội dung", "body"))


def test_a_notice_is_read_in_the_readers_language(notifier, uow_factory, posted):
    with uow_factory() as uow:
        newest, *_ = notifier.inbox(uow, ME, limit=1)
    assert (newest.title_in("vi"), newest.body_in("vi")) == ("Hợp đồng số 2 đã được ký",
                                                             "Nội dung 2")
    assert (newest.title_in("en"), newest.body_in("en")) == ("Contract 2 signed", "Content 2")
