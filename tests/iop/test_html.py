"""iop.html writes exactly what Django's format_html and format_html_join write."""

import pytest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from iop.html import html_row, html_rows

CELLS = '<td class="{}">{}</td><td>{}</td>'


@pytest.mark.parametrize(
    "args",
    [
        ("text-end", 9, 3.5),
        ("a\"b'c", "<script>alert(1)</script>", "O'Brien & Sons"),
        ("x", mark_safe("<b>kept</b>"), None),  # noqa: S308  # nosec B308 B703 (a test constant)
        ("x", gettext_lazy("Present"), "—"),
        ("", "", 0),
    ],
)
def test_html_row_is_format_html(args):
    written = html_row(CELLS, *args)
    assert written == format_html(CELLS, *args)
    assert isinstance(written, SafeString)


def test_html_rows_is_format_html_join():
    rows = [("a", "<i>", 1), ("b", mark_safe("&amp;"), None)]  # noqa: S308  # nosec B308 B703
    for sep in ("", "\n"):
        written = html_rows(sep, CELLS, iter(rows))
        assert written == format_html_join(sep, CELLS, iter(rows))
        assert isinstance(written, SafeString)
    assert "&lt;i&gt;" in written and "<i>" not in written
