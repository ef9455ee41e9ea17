"""No PHI in server logs (#13): a search's query string (``/clients/?q=Ana+Diaz``) names a client,
so every URL a log line carries loses its query string. Paths keep only ids, which is what the
logs may hold."""

import logging
import re

SCRUBBED = "?[query removed]"
# A "?" right after a path or host character, up to the next blank or quote: the query string
# (and the fragment) of any URL or request line in a message.
_QUERY = re.compile(r"(?<=[\w/.\-~%])\?[^\s\"'<>]+")


def scrub(text):
    """``text`` with every URL's query string replaced by a marker."""
    return _QUERY.sub(SCRUBBED, text) if "?" in text else text


class QueryStringFilter(logging.Filter):
    """On a handler: the record it writes has its message scrubbed (args merged in first, so a
    URL passed as an argument is scrubbed too)."""

    def filter(self, record):
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True
