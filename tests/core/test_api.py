"""The platform API: one error shape, API keys, rate limits, core endpoints, back office."""

import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import path, reverse
from ninja import Schema
from wagtail.models import ModelLogEntry

from lutetia.core.api.actions import create_api_key, revoke_api_key
from lutetia.core.api.auth import ApiKeyAuth, OptionalApiKey
from lutetia.core.api.keys import authenticate_key
from lutetia.core.api.models import ApiKey
from lutetia.core.api.urls import LutetiaAPI
from lutetia.core.districts.actions import import_districts
from lutetia.core.districts.models import District

PROBLEM = "application/problem+json"

# A test-only API mounted under /api/ by this module's urlpatterns, next to the real one.
test_api = LutetiaAPI(urls_namespace="test-api")


class Thing(Schema):
    name: str
    size: int


@test_api.get("/forbidden")
def forbidden(request):
    raise PermissionDenied


@test_api.get("/boom")
def boom(request):
    raise RuntimeError("secret internals")


@test_api.get("/missing")
def missing(request):
    return District.objects.get(code="nowhere")


@test_api.post("/things")
def create_thing(request, thing: Thing):
    return thing


@test_api.get("/private", auth=ApiKeyAuth())
def private(request):
    return {"key": request.auth.prefix}


@test_api.get("/open", auth=OptionalApiKey())
def open_to_all(request):
    return {"keyed": isinstance(request.auth, ApiKey)}


urlpatterns = [path("api/test/", test_api.urls)]
with_test_api = pytest.mark.urls(__name__)


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


@pytest.fixture
def api_key(db):
    _key, plaintext = create_api_key(name="Open data portal", acting_user=None)
    return plaintext


# --- One error shape --------------------------------------------------------------


@with_test_api
def test_body_validation_answers_400_with_located_errors(client, db):
    response = client.post("/api/test/things", {"name": "x"}, content_type="application/json")
    body = assert_problem(response, 400)
    assert body["errors"] == [{"loc": ["body", "thing", "size"], "msg": "Field required"}]


@with_test_api
def test_missing_key_answers_401(client, db):
    assert_problem(client.get("/api/test/private"), 401)


@with_test_api
def test_permission_denied_answers_403(client, db):
    assert_problem(client.get("/api/test/forbidden"), 403)


@with_test_api
def test_missing_object_answers_404(client, db):
    assert_problem(client.get("/api/test/missing"), 404)


@with_test_api
def test_wrong_method_answers_405_with_allow(client, db):
    response = client.delete("/api/test/things")
    assert_problem(response, 405)
    assert response["Allow"] == "POST"


@with_test_api
def test_unexpected_error_answers_500_without_leaking(client, db, caplog):
    response = client.get("/api/test/boom")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "errors" not in body
    assert "secret internals" in caplog.text


def test_unknown_api_url_answers_404(client, db):
    assert_problem(client.get("/api/no/such/thing"), 404)
    assert_problem(client.post("/api/no/such/thing"), 404)


# --- API keys ---------------------------------------------------------------------


@with_test_api
@pytest.mark.parametrize("header", ["HTTP_X_API_KEY", "HTTP_AUTHORIZATION"])
def test_valid_key_authenticates_by_either_header(client, api_key, header):
    value = api_key if header == "HTTP_X_API_KEY" else f"Bearer {api_key}"
    response = client.get("/api/test/private", **{header: value})
    assert response.status_code == 200
    assert api_key.startswith(f"lut_{response.json()['key']}_")


@with_test_api
def test_wrong_and_revoked_keys_are_refused(client, api_key):
    prefix = api_key.split("_")[1]
    assert_problem(client.get("/api/test/private", HTTP_X_API_KEY=api_key + "x"), 401)
    assert_problem(client.get("/api/test/private", HTTP_X_API_KEY="lut_nope_nope"), 401)
    revoke_api_key(key=ApiKey.objects.get(prefix=prefix), acting_user=None)
    assert_problem(client.get("/api/test/private", HTTP_X_API_KEY=api_key), 401)


@with_test_api
def test_optional_key_is_open_to_anonymous_but_refuses_a_wrong_key(client, api_key):
    assert client.get("/api/test/open").json() == {"keyed": False}
    assert client.get("/api/test/open", HTTP_X_API_KEY=api_key).json() == {"keyed": True}
    assert_problem(client.get("/api/test/open", HTTP_X_API_KEY="lut_bad_key"), 401)


def test_only_the_hash_is_stored_and_use_is_recorded_once_a_minute(api_key):
    key = ApiKey.objects.get()
    assert api_key not in (key.key_hash, key.prefix)
    assert key.last_used_at is None
    first = authenticate_key(api_key).last_used_at
    assert first is not None
    assert authenticate_key(api_key).last_used_at == first


def test_create_and_revoke_are_audited(api_key):
    key = ApiKey.objects.get()
    revoke_api_key(key=key, acting_user=None)
    revoke_api_key(key=key, acting_user=None)
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(key.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["lutetia.apikey_created", "lutetia.apikey_revoked"]


# --- Rate limits ------------------------------------------------------------------


def assert_rate_limited(response):
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_per_ip_limit_answers_429_with_retry_after(client, db, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 2
    assert client.get("/api/core/services").status_code == 200
    assert client.get("/api/core/services").status_code == 200
    assert_rate_limited(client.get("/api/core/services"))
    other = client.get("/api/core/services", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_key_with_its_own_limit_uses_it_instead_of_the_ip_limit(client, db, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 1
    _key, plaintext = create_api_key(name="Busy", acting_user=None, rate_limit_per_minute=3)
    for _ in range(3):
        assert client.get("/api/core/services", HTTP_X_API_KEY=plaintext).status_code == 200
    assert_rate_limited(client.get("/api/core/services", HTTP_X_API_KEY=plaintext))
    assert client.get("/api/core/services").status_code == 200


def test_keys_default_to_the_per_key_limit(client, api_key, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_KEY = 1
    assert client.get("/api/core/services", HTTP_X_API_KEY=api_key).status_code == 200
    assert_rate_limited(client.get("/api/core/services", HTTP_X_API_KEY=api_key))


def test_forwarded_for_is_believed_only_from_trusted_proxies(client, db, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 1
    settings.LUTETIA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 10.0.0.3"}
    assert client.get("/api/core/services", **proxied).status_code == 200
    assert_rate_limited(client.get("/api/core/services", **proxied))
    proxied["HTTP_X_FORWARDED_FOR"] = "198.51.100.2"
    assert client.get("/api/core/services", **proxied).status_code == 200
    # A client that is not a trusted proxy cannot pick its own address.
    spoofed = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.3"}
    assert client.get("/api/core/services", **spoofed).status_code == 200
    spoofed["HTTP_X_FORWARDED_FOR"] = "198.51.100.4"
    assert_rate_limited(client.get("/api/core/services", **spoofed))


def test_pages_outside_the_api_are_not_counted(client, db, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 1
    client.get("/healthz")
    client.get("/healthz")
    assert client.get("/api/core/services").status_code == 200


# --- The command ------------------------------------------------------------------


@with_test_api
def test_command_prints_the_key_alone_on_the_last_line(client, db):
    out = StringIO()
    call_command("apikey", "create", "Open311 partner", "--rate-limit", "30", stdout=out)
    plaintext = out.getvalue().splitlines()[-1]
    key = authenticate_key(plaintext)
    assert key.name == "Open311 partner"
    assert key.rate_limit_per_minute == 30
    assert client.get("/api/test/private", HTTP_X_API_KEY=plaintext).status_code == 200

    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert key.prefix in listing.getvalue()
    assert plaintext not in listing.getvalue()

    call_command("apikey", "revoke", key.prefix, stdout=StringIO())
    assert authenticate_key(plaintext) is None


# --- Core endpoints and documentation -------------------------------------------


def test_services_lists_the_enabled_services(client, switch_off):
    response = client.get("/api/core/services", HTTP_ACCEPT_LANGUAGE="en")
    contact = next(service for service in response.json() if service["slug"] == "contact")
    assert contact["name"] == "Contact the city"
    assert set(contact) == {"slug", "name", "description"}
    switch_off("contact")
    assert "contact" not in [service["slug"] for service in client.get("/api/core/services").json()]


@pytest.fixture
def district(db, django_capture_on_commit_callbacks):
    square = [[[2.32, 48.85], [2.35, 48.85], [2.35, 48.87], [2.32, 48.87], [2.32, 48.85]]]
    feature = {
        "type": "Feature",
        "properties": {"code": "75101", "name": "Paris 1er"},
        "geometry": {"type": "Polygon", "coordinates": square},
    }
    with django_capture_on_commit_callbacks(execute=True):
        import_districts(features=[feature], name_field="name", code_field="code", acting_user=None)
    return District.objects.get(code="75101")


def test_districts_are_a_feature_collection(client, district):
    response = client.get("/api/core/districts")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["features"][0]["properties"] == {"code": "75101", "name": "Paris 1er"}


def test_district_lookup(client, district):
    inside = client.get("/api/core/districts/lookup", {"lat": "48.86", "lon": "2.33"})
    assert inside.json() == {"code": "75101", "name": "Paris 1er"}
    outside = client.get("/api/core/districts/lookup", {"lat": "45.76", "lon": "4.83"})
    assert_problem(outside, 404)
    bad = client.get("/api/core/districts/lookup", {"lat": "91", "lon": "east"})
    locations = [error["loc"] for error in assert_problem(bad, 400)["errors"]]
    assert locations == [["query", "lat"], ["query", "lon"]]


def test_me_requires_a_session(client, resident):
    assert_problem(client.get("/api/core/me"), 401)
    client.force_login(resident)
    body = client.get("/api/core/me").json()
    assert body["email"] == resident.email
    assert body["district"] is None


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/core/districts/lookup" in response.json()["paths"]


def test_docs_page_loads_its_scripts_from_static_files(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "script-src 'self';" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    assert scripts
    for attributes in scripts:
        # Executable scripts come from /static/; the settings block is inert JSON data.
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes
    assert "style=" not in response.content.decode()


# --- Back office ------------------------------------------------------------------


def test_administrator_creates_a_key_shown_once(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("lutetia_apikeys_add")).status_code == 200
    response = client.post(
        reverse("lutetia_apikeys_add"), {"name": "Partner", "rate_limit_per_minute": ""}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = re.search(r'value="(lut_[^"]+)"', response.content.decode()).group(1)
    key = authenticate_key(plaintext)
    assert key.name == "Partner"
    assert key.created_by == administrator
    listing = client.get(reverse("lutetia_apikeys")).content.decode()
    assert key.prefix in listing
    assert plaintext not in listing


def test_invalid_create_form_is_shown_again(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("lutetia_apikeys_add"), {"name": "", "rate_limit_per_minute": "0"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "rate_limit_per_minute"}
    assert not ApiKey.objects.exists()


def test_administrator_revokes_after_confirmation(client, administrator, api_key):
    key = ApiKey.objects.get()
    client.force_login(administrator)
    url = reverse("lutetia_apikeys_revoke", args=[key.pk])
    assert client.get(url).status_code == 200
    assert authenticate_key(api_key) is not None
    assert client.post(url).url == reverse("lutetia_apikeys")
    assert authenticate_key(api_key) is None
    assert client.get(url).status_code == 404


def test_agents_and_residents_are_refused(client, agent, resident, api_key):
    key = ApiKey.objects.get()
    urls = [
        reverse("lutetia_apikeys"),
        reverse("lutetia_apikeys_add"),
        reverse("lutetia_apikeys_revoke", args=[key.pk]),
    ]
    for user in (agent, resident):
        client.force_login(user)
        for url in urls:
            # Wagtail sends them away: residents to log in, agents to the dashboard.
            for response in (client.get(url), client.post(url, {"name": "Sneaky"})):
                assert response.status_code == 302
                assert not response.url.startswith(url)
    assert ApiKey.objects.get().is_active
    assert ApiKey.objects.count() == 1
