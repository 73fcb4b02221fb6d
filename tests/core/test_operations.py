"""/healthz, security headers, CSRF and the production settings mode."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

STRONG_KEY = "k" * 30 + "Zq9!x" * 6


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "lutetia.settings", **env}
    if "LUTETIA_DATABASE_URL" in env:
        environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # A real server process whose database is a PostgreSQL port nobody listens on.
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    result = run_python(
        code,
        LUTETIA_DATABASE_URL="postgres://postgres@127.0.0.1:9/unreachable",
        LUTETIA_VAR_DIR=str(tmp_path),
        LUTETIA_LOG_LEVEL="CRITICAL",
    )
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["status"] == "unavailable"


@pytest.mark.django_db
def test_public_pages_carry_security_headers(client):
    response = client.get("/healthz")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_forms_refuse_posts_without_a_csrf_token(resident):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": resident.email, "password": "x"})
    assert response.status_code == 403


def test_production_mode_refuses_the_insecure_default_key():
    result = run_python("import django; django.setup()", LUTETIA_MODE="production")
    assert result.returncode != 0
    assert "LUTETIA_SECRET_KEY" in result.stderr


def test_production_mode_refuses_debug():
    result = run_python(
        "import django; django.setup()",
        LUTETIA_MODE="production",
        LUTETIA_SECRET_KEY=STRONG_KEY,
        LUTETIA_DEBUG="1",
    )
    assert result.returncode != 0
    assert "LUTETIA_DEBUG" in result.stderr


def test_production_mode_turns_on_secure_cookies_and_hsts():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]))"
    )
    result = run_python(code, LUTETIA_MODE="production", LUTETIA_SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, hsts, redirect = json.loads(result.stdout)
    assert debug is False
    assert session_secure and csrf_secure and redirect
    assert hsts >= 31536000


def test_console_script_is_django_management():
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "lutetia"), "help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for command in ("demo", "worker", "districts", "apikey", "census", "migrate", "runserver"):
        assert command in result.stdout
