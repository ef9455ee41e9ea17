import io

from django.core.management import call_command
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import hex_from_base32

SECRET = "JBSWY3DPEHPK3PXP"


def test_seed_demo_gives_admin_and_programadmin_the_documented_authenticator(db, monkeypatch, settings):
    monkeypatch.setenv("DEMO_TOTP_SECRET", SECRET)
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-2026")
    for _ in range(2):  # idempotent
        call_command("seed_demo", "--force", "--clients", "2", "--weeks", "2", stdout=io.StringIO())

    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    assert sorted(d.user.username for d in devices) == ["admin", "programadmin"]
    assert {d.key for d in devices} == {hex_from_base32(SECRET)}
    programadmin = devices.get(user__username="programadmin").user
    assert programadmin.is_staff and not programadmin.is_superuser
    assert [s.code for s in programadmin.sites.all()] == ["RIC"]

    # What the README says: the code of any authenticator app holding the secret signs in.
    http = HttpClient()
    step1 = http.post("/accounts/login/", {"username": "programadmin", "password": "demo-pass-2026", "next": "/admin/"})
    code = f"{totp(bytes.fromhex(hex_from_base32(SECRET))):06d}"
    assert http.post(step1.url, {"otp_token": code, "next": "/admin/"}).url == "/admin/"
    assert http.get("/admin/").status_code == 200
