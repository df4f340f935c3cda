"""The papers of a registration, as PDFs in Vietnamese: the service contract and the
acceptance record ("Biên bản nghiệm thu"). Drawn with pyHanko and the vendored Noto Sans
(Latin + Vietnamese) on A4 with margins; lines are wrapped to the text box by the font's
metrics and the text runs over as many pages as it needs (numbered "Trang i/n"); the same
data gives the same text."""

from __future__ import annotations

import io
from datetime import datetime

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle
from pyhanko.pdf_utils.writer import PdfFileWriter

from kyso.onboarding.layout import metrics, paginate, wrap
from kyso.onboarding.model import Registration
from kyso.signing.stamp import FONT, local_time

__all__ = ["TEXT_SIZE", "TEXT_WIDTH", "acceptance_pdf", "contract_pdf", "laid_out", "render"]

_A4 = (0, 0, 595, 842)
_SIZE, _LEADING = 10, 14
_LEFT, _TOP, _WIDTH, _HEIGHT = 57, 780, 480, 720  # the text area on the page, in points
_PER_PAGE = _HEIGHT // _LEADING - 2  # two lines kept for the page number
TEXT_WIDTH, TEXT_SIZE = _WIDTH, _SIZE


def render(lines: list[str]) -> bytes:
    """``lines`` wrapped to the text box (measured with the font) and paginated on A4."""
    pages = laid_out(lines)
    writer = PdfFileWriter()  # type: ignore[no-untyped-call]  # pyHanko: untyped
    for n, page in enumerate(pages, 1):
        footer = ["", f"Trang {n}/{len(pages)}"] if len(pages) > 1 else []
        _add_page(writer, [*page, *footer])
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko: untyped
    return out.getvalue()


def laid_out(lines: list[str]) -> list[list[str]]:
    """The pages of ``lines``: each line wrapped to the text box's width."""
    font = metrics(FONT)
    return paginate([out for line in lines for out in wrap(line, _WIDTH, _SIZE, font)],
                    _PER_PAGE)


def _add_page(writer: PdfFileWriter, lines: list[str]) -> None:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    style = TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT), font_size=_SIZE),
                         font_size=_SIZE, leading=_LEADING)
    height = _LEADING * len(lines)  # pyHanko centres a box's text: the box fits the text
    box = TextBox(style, writer=writer, box=layout.BoxConstraints(width=_WIDTH, height=height))
    box.content = "\n".join(lines)
    content = box.render()  # type: ignore[no-untyped-call]  # pyHanko: untyped
    placed = b"q 1 0 0 1 %d %d cm\n" % (_LEFT, _TOP - height) + content + b"\nQ"
    stream = generic.StreamObject(stream_data=placed)
    page = generic.DictionaryObject({  # type: ignore[no-untyped-call]  # pyHanko: untyped
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): generic.ArrayObject(_numbers(_A4)),
        pdf_name("/Resources"): box.resources.as_pdf_object(),
        pdf_name("/Contents"): writer.add_object(stream),
    })
    writer.insert_page(page)  # type: ignore[no-untyped-call]  # pyHanko: untyped


def _numbers(values: tuple[int, ...]) -> list[generic.NumberObject]:
    return [generic.NumberObject(v) for v in values]  # type: ignore[no-untyped-call]  # pyHanko


def _owner_lines(r: Registration) -> list[str]:
    o, c, d = r.owner, r.contact, r.owner.document
    expires = d.expires.strftime("%d/%m/%Y") if d.expires else "không thời hạn"
    return [
        f"Họ và tên: {o.full_name}",
        f"Ngày sinh: {o.birth_date:%d/%m/%Y}    Giới tính: {'Nam' if o.sex.value == 'M' else 'Nữ'}",
        f"Giấy tờ: {d.kind.value} số {d.number}, cấp ngày {d.issued:%d/%m/%Y}, "
        f"có giá trị đến {expires}",
        f"Email: {c.email}    Điện thoại: {c.phone}",
        f"Địa chỉ liên hệ: {c.address}, {c.locality}, {c.province}",
    ]


def contract_pdf(r: Registration, organization: str) -> bytes:
    return render([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "HỢP ĐỒNG CUNG CẤP VÀ SỬ DỤNG DỊCH VỤ CHỨNG THỰC CHỮ KÝ SỐ TỪ XA",
        f"Số: {r.id}",
        "",
        f"Bên cung cấp dịch vụ (Bên A): {organization}",
        "Bên sử dụng dịch vụ (Bên B):",
        *_owner_lines(r),
        f"Gói dịch vụ: {r.package}    Mã đơn hàng: {r.order_id}",
        "",
        "Điều 1. Bên A cấp cho Bên B chứng thư số cá nhân và dịch vụ ký số từ xa;",
        "khóa bí mật của Bên B được tạo và lưu giữ an toàn trên hệ thống của Bên A.",
        "Điều 2. Bên B cam kết thông tin đăng ký là đúng sự thật, giữ bí mật mã PIN",
        "và thiết bị SmartOTP, chỉ xác nhận ký số cho giao dịch do chính mình thực hiện.",
        "Điều 3. Chứng thư số chỉ có hiệu lực sau khi Bên B ký Biên bản nghiệm thu.",
        "",
        f"Lập ngày {local_time(r.created_at):%d/%m/%Y}. Bên B chấp thuận bằng mã OTP.",
    ])


def acceptance_pdf(r: Registration, serial: str, at: datetime) -> bytes:
    return render([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "BIÊN BẢN NGHIỆM THU",
        "Bàn giao chứng thư số và dịch vụ ký số từ xa",
        f"Hồ sơ: {r.id}",
        "",
        *_owner_lines(r),
        f"Chứng thư số: {r.credential_id} (số hiệu {serial})",
        "",
        "Bên B xác nhận đã nhận chứng thư số, đã kiểm tra thông tin trên chứng thư số",
        "là chính xác và đồng ý đưa chứng thư số vào sử dụng.",
        "",
        f"Ngày {local_time(at):%d/%m/%Y}. Bên B ký số bằng chính chứng thư số được cấp.",
    ])
