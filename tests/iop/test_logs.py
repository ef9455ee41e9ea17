"""#13: no query string (a search names a client) reaches a server log: Django's own loggers
(runserver, django.request) and gunicorn's access and error logs with iop/gunicorn.conf.py."""

import io
import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config

from iop.log_privacy import scrub

CONF = Path(settings.BASE_DIR) / "iop" / "gunicorn.conf.py"
SEARCH = "/clients/?q=Ana+Diaz"


@pytest.mark.parametrize(
    "line, expected",
    [
        ('"GET /clients/?q=Ana+Diaz HTTP/1.1" 200 512', '"GET /clients/?[query removed] HTTP/1.1" 200 512'),
        ("https://iop.example.org/clients/?q=RIC-0001&site=1 x", "https://iop.example.org/clients/?[query removed] x"),
        ("Not Found: /clients/12/", "Not Found: /clients/12/"),
        ("Is the database up? yes", "Is the database up? yes"),
    ],
)
def test_scrub_removes_query_strings_only(line, expected):
    assert scrub(line) == expected


@pytest.fixture
def handler_output():
    """What the configured handlers of a logger write, read from their streams."""
    swapped = []

    def capture(logger_name):
        logger = logging.getLogger(logger_name)
        handlers = logger.handlers if not logger.propagate or not logging.root.handlers else logging.root.handlers
        buffer = io.StringIO()
        for handler in (h for h in handlers if type(h) is logging.StreamHandler):  # not pytest's own
            swapped.append((handler, handler.setStream(buffer)))
        return buffer

    yield capture
    for handler, stream in swapped:
        handler.setStream(stream)


def test_runserver_request_lines_lose_the_query_string(handler_output):
    written = handler_output("django.server")
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET {SEARCH} HTTP/1.1", "200", "512", extra={"status_code": 200, "server_time": "now"}
    )
    assert "GET /clients/?[query removed] HTTP/1.1" in written.getvalue()
    assert "Diaz" not in written.getvalue()


def test_django_request_warnings_lose_the_query_string(handler_output):
    written = handler_output("django.request")
    logging.getLogger("django.request").warning("Not Found: %s", SEARCH)
    assert "Not Found: /clients/" in written.getvalue() and "Diaz" not in written.getvalue()


def _gunicorn_logger(tmp_path, **overrides):
    """gunicorn's own logger class, configured from iop/gunicorn.conf.py (files instead of stdout)."""
    cfg = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    for name, value in overrides.items():
        cfg.set(name, value)
    return cfg.logger_class(cfg)


def _request(path_and_query):
    path, _, query = path_and_query.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path_and_query,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://iop.example.org{path_and_query}",
        "HTTP_USER_AGENT": "Firefox",
    }
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])], uri=path_and_query, method="GET")
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[])
    return resp, req, environ


@pytest.mark.parametrize(
    "access_log_format",
    [None, '%(h)s "%(r)s" %(q)s "%(f)s" %({referer}i)s %({query_string}e)s %({raw_uri}e)s'],
    ids=["configured format", "a format asking for every URL atom"],
)
def test_gunicorn_access_log_has_the_path_but_no_query_string(tmp_path, access_log_format):
    overrides = {"access_log_format": access_log_format} if access_log_format else {}
    logger = _gunicorn_logger(tmp_path, **overrides)
    logger.access(*_request(SEARCH), timedelta(milliseconds=42))
    line = (tmp_path / "access.log").read_text()
    if not access_log_format:
        assert "10.0.0.7 - - [" in line and '] "GET /clients/ HTTP/1.1" 200 512 "Firefox" 42ms' in line, line
    assert "Ana" not in line and "Diaz" not in line, line


def test_gunicorn_error_log_names_the_failed_request_without_its_query_string(tmp_path):
    logger = _gunicorn_logger(tmp_path)
    try:
        raise RuntimeError("worker crashed")
    except RuntimeError:
        logger.exception("Error handling request %s", SEARCH)
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request /clients/?[query removed]" in text and "Diaz" not in text


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_gunicorn_with_the_config_logs_no_query_string(tmp_path):
    port = _free_port()
    env = {**os.environ, "DJANGO_SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    command = [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [*command, "iop.wsgi"], cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=Ana+Diaz&mrn=RIC-0001", timeout=2)  # noqa: S310
                break
            except OSError as exc:
                if getattr(exc, "code", None):  # an HTTP answer (503: no database here) is logged too
                    break
                time.sleep(0.1)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert 'GET /healthz HTTP/1.1"' in output, output
    assert "Ana" not in output and "Diaz" not in output and "RIC-0001" not in output, output
