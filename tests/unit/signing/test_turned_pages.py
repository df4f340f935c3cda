"""Boxes on turned pages: the page as shown ↔ user space, and a page's inherited /Rotate."""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from kyso.signing.pages import PageBox
from kyso.signing.stamp import page_rotation


@pytest.mark.parametrize(("rotation", "user"), [
    (0, (40, 60, 290, 130)),  # the origin (10, 20) added
    (90, (495, 50, 565, 300)),  # shown bottom-left is user space's bottom-right
    (180, (325, 752, 575, 822)),
    (270, (50, 582, 120, 832)),
])
def test_a_shown_box_in_user_space_and_back(rotation: int,
                                            user: tuple[float, ...]) -> None:
    size = (842, 595) if rotation in (90, 270) else (595, 842)
    page = PageBox(size[0], size[1], (10.0, 20.0), rotation)
    assert page.to_user((30, 40, 280, 110)) == user
    assert page.shown(page.to_user((30, 40, 280, 110))) == (30, 40, 280, 110)


def test_rotate_is_inherited_and_a_looping_tree_is_survived() -> None:
    parent = generic.DictionaryObject({pdf_name("/Rotate"): generic.NumberObject(-90)})
    page = generic.DictionaryObject({pdf_name("/Parent"): parent})
    assert page_rotation(page) == 270
    parent[pdf_name("/Rotate")] = generic.NumberObject(45)
    assert page_rotation(page) == 0  # as PDFium reads it: whole quarter turns
    parent[pdf_name("/Rotate")] = generic.NumberObject(-135)
    assert page_rotation(page) == 270
    parent[pdf_name("/Rotate")] = generic.NameObject("/Ninety")
    assert page_rotation(page) == 0
    looping = generic.DictionaryObject()
    looping[pdf_name("/Parent")] = looping
    assert page_rotation(looping) == 0
