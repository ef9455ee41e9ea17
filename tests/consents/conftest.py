import io

import pytest
from pypdf import PdfReader

from tests.factories import ConsentFactory


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, spaces normalised (what a reader of it would see)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


@pytest.fixture
def consent1(episode1, casemanager):
    """An active probation consent for Ana Diaz (site 1): attendance and the screen summary."""
    return ConsentFactory(client=episode1.client, site=episode1.site, created_by=casemanager)
