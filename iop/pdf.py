"""PDFs (WeasyPrint: HTML and CSS → PDF). Templates extend ``pdf/base.html``: Letter size, the
client's name and MRN in every page's header, page numbers in the footer. Styles are inline in
the template, so rendering reads no file and fetches no URL (images come as data: URLs)."""

from django.http import HttpResponse
from django.template.loader import render_to_string


def pdf_render(template_name, context, request=None) -> bytes:
    # Imported here: loading Pango is only worth it when a PDF is made.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context, request=request)
    # Only data: URLs (an embedded letterhead logo): a PDF never reaches a file or the network.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def data_uri(file_field) -> str:
    """An uploaded image as a data: URL, so a PDF can show it without fetching anything."""
    import base64
    import mimetypes

    if not file_field:
        return ""
    kind = mimetypes.guess_type(file_field.name)[0] or "application/octet-stream"
    with file_field.open("rb") as handle:
        return f"data:{kind};base64,{base64.b64encode(handle.read()).decode()}"


def pdf_response(pdf: bytes, filename: str, *, download=True) -> HttpResponse:
    """The PDF as a response that no browser or proxy keeps (it carries PHI)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response
