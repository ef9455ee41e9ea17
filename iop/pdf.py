"""PDFs (WeasyPrint: HTML and CSS → PDF). Templates extend ``pdf/base.html``: Letter size, the
client's name and MRN in every page's header, page numbers in the footer. Styles are inline in
the template, so rendering reads no file and fetches no URL."""

from django.http import HttpResponse
from django.template.loader import render_to_string


def pdf_render(template_name, context, request=None) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is only worth it when a PDF is made

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url, *args, **kwargs):
    raise ValueError("PDF templates load no external resource")


def pdf_response(pdf: bytes, filename: str, *, download=True) -> HttpResponse:
    """The PDF as a response that no browser or proxy keeps (it carries PHI)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response
