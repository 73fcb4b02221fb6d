import pytest
from django.test import override_settings
from wagtail.models import Site

from lutetia.core import hooks
from lutetia.core.activation import enabled_services, set_service_enabled
from lutetia.core.registry import services


def test_installed_services_are_registered():
    assert "contact" in services
    assert services.get("contact").localized_name


def test_hooks_register_temporarily():
    def panel():
        return "panel"

    with hooks.register_temporarily("account_dashboard_panels", panel):
        assert panel in hooks.get("account_dashboard_panels")
    assert panel not in hooks.get("account_dashboard_panels")


@pytest.mark.django_db
def test_service_can_be_switched_off_per_site(agent, django_capture_on_commit_callbacks):
    site = Site.objects.get(is_default_site=True)
    assert "contact" in enabled_services(site)
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(site=site, slug="contact", enabled=False, acting_user=agent)
    assert "contact" not in enabled_services(site)


@override_settings(LANGUAGE_CODE="en")
def test_manifest_name_follows_language():
    from django.utils import translation

    with translation.override("en"):
        assert services.get("contact").localized_name == "Contact the city"
    with translation.override("fr"):
        assert services.get("contact").localized_name == "Contacter la mairie"


@pytest.mark.django_db
def test_switching_a_service_audits_its_previous_state(agent, django_capture_on_commit_callbacks):
    from wagtail.models import ModelLogEntry

    site = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(site=site, slug="contact", enabled=False, acting_user=agent)
    entry = ModelLogEntry.objects.get(action="lutetia.service_toggled")
    assert entry.data["before"] is True
    assert entry.data["after"] is False
    assert entry.user_id == agent.pk


@pytest.mark.django_db
def test_service_pages_exist_in_both_languages_and_are_gated_in_both(
    client, agent, django_capture_on_commit_callbacks
):
    french = client.get("/contact/")
    english = client.get("/en/contact/")
    assert french.status_code == english.status_code == 200
    assert french["Content-Language"] == "fr"
    assert english["Content-Language"] == "en"
    site = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(site=site, slug="contact", enabled=False, acting_user=agent)
    assert client.get("/contact/").status_code == 404
    assert client.get("/en/contact/").status_code == 404


def test_service_url_follows_the_language():
    from django.utils import translation

    with translation.override("fr"):
        assert services.get("contact").url == "/contact/"
    with translation.override("en"):
        assert services.get("contact").url == "/en/contact/"
