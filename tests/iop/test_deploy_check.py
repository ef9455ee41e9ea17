"""#17: ``check --deploy`` with the production environment documented in docs/deployment.md
gives no warning; served without the TLS settings, only W004 and W008 are left."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
TLS_SETTINGS = ("DJANGO_SSL_REDIRECT", "DJANGO_HSTS_SECONDS", "DJANGO_HSTS_INCLUDE_SUBDOMAINS", "DJANGO_HSTS_PRELOAD")


def documented_production_env():
    """The ``# production environment`` block of docs/deployment.md, as a dict."""
    doc = (BASE / "docs" / "deployment.md").read_text()
    block = re.search(r"```sh\n# production environment\n(.*?)```", doc, flags=re.S).group(1)
    return dict(line.split("=", 1) for line in block.splitlines() if line.strip())


def check_deploy(tmp_path, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env = {
        **clean,
        **env,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_documented_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = documented_production_env()
    assert env["DJANGO_DEBUG"] == "off" and env["DJANGO_HSTS_SECONDS"] == "31536000"
    result = check_deploy(tmp_path, env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "without, warnings",
    [
        (TLS_SETTINGS, {"W004", "W008"}),
        (("DJANGO_HSTS_INCLUDE_SUBDOMAINS",), {"W005"}),
        (("DJANGO_HSTS_PRELOAD",), {"W021"}),
        (("DJANGO_SSL_REDIRECT",), {"W008"}),
    ],
)
def test_each_documented_setting_clears_its_warning(tmp_path, without, warnings):
    env = {k: v for k, v in documented_production_env().items() if k not in without}
    result = check_deploy(tmp_path, env)
    assert result.returncode != 0
    assert set(re.findall(r"security\.(W\d+)", result.stderr + result.stdout)) == warnings
