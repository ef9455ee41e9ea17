"""gunicorn settings for production: ``gunicorn -c iop/gunicorn.conf.py iop.wsgi``
(docs/deployment.md). Anything here can still be overridden on the command line."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))

# Access log on stdout, without PHI: the path (ids only), never the query string nor the
# Referer (a search names a client). iop.gunicorn_logging scrubs them even if the format changes.
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
logger_class = "iop.gunicorn_logging.PrivacyLogger"
