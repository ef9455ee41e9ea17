"""gunicorn's logger without query strings (#13), set by ``logger_class`` in iop/gunicorn.conf.py.

gunicorn's access log writes the request line (``%(r)s``), the query string (``%(q)s``) and the
Referer (``%(f)s``, the previous page's URL, search included); its error log names the URI of a
request that failed. Every one of them is scrubbed here, whatever ``access_log_format`` says."""

from gunicorn import glogging

from iop.log_privacy import QueryStringFilter, scrub


class PrivacyLogger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(QueryStringFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms = {key: scrub(value) if isinstance(value, str) else value for key, value in atoms.items()}
        atoms["q"] = "-"
        atoms["{query_string}e"] = "-"
        return atoms
