"""Several sites from one install: theme, menus, services and search are per site."""

from django.urls import reverse
from wagtail.models import Locale

from lutetia.core.activation import set_service_enabled
from lutetia.pages.models import ServiceLandingPage
from tests.pages.conftest import CITY_HOST, PARTICIPATION_HOST, add_standard_page


def test_theme_css_follows_the_site(client, sites):
    city_css = client.get("/theme.css", HTTP_HOST=CITY_HOST).content.decode()
    participation_css = client.get("/theme.css", HTTP_HOST=PARTICIPATION_HOST).content.decode()

    assert "--colour-primary:#1d4e89" in city_css
    assert "--colour-primary:#6a1b4d" in participation_css


def test_menus_and_site_name_follow_the_site(client, sites):
    city = client.get("/", HTTP_HOST=CITY_HOST).content.decode()
    participation = client.get("/", HTTP_HOST=PARTICIPATION_HOST).content.decode()

    assert "Menu city" in city and "Menu participation" not in city
    assert "Menu participation" in participation and "Menu city" not in participation
    assert "Paris participe" in participation


def test_disabled_service_is_gone_from_one_site_only(
    client, sites, essai_service, django_capture_on_commit_callbacks, agent
):
    participation_site, participation_home = sites["participation"]
    _, city_home = sites["city"]
    for home in (city_home, participation_home):
        home.add_child(
            instance=ServiceLandingPage(title="Essayer", slug="essayer", service="essai")
        )
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(site=participation_site, slug="essai", enabled=False, acting_user=agent)

    for path in ("/essayer/", "/essai/"):
        assert client.get(path, HTTP_HOST=PARTICIPATION_HOST).status_code == 404
        assert client.get(path, HTTP_HOST=CITY_HOST).status_code == 200
    city_home_html = client.get("/", HTTP_HOST=CITY_HOST).content.decode()
    participation_home_html = client.get("/", HTTP_HOST=PARTICIPATION_HOST).content.decode()
    assert 'href="/essai/"' in city_home_html
    assert 'href="/essai/"' not in participation_home_html
    assert 'href="/essayer/"' not in participation_home_html


def test_search_finds_pages_of_the_current_site_only(client, sites):
    _, city_home = sites["city"]
    _, participation_home = sites["participation"]
    add_standard_page(city_home, "Piscines municipales", intro="Horaires des piscines")
    add_standard_page(participation_home, "Projets des habitants", intro="Votez pour vos projets")

    city = client.get(reverse("search"), {"q": "piscines"}, HTTP_HOST=CITY_HOST)
    elsewhere = client.get(reverse("search"), {"q": "piscines"}, HTTP_HOST=PARTICIPATION_HOST)

    assert "Piscines municipales" in city.content.decode()
    assert "Piscines municipales" not in elsewhere.content.decode()
    assert "Projets des habitants" not in city.content.decode()


def test_language_switch_leads_to_the_translated_page(client, sites):
    _, city_home = sites["city"]
    page = add_standard_page(city_home, "Horaires", slug="horaires")
    english = Locale.objects.create(language_code="en")
    english_home = city_home.copy_for_translation(english)
    english_home.title = "City of Paris"
    english_home.save_revision().publish()
    translated = page.copy_for_translation(english)
    translated.title, translated.slug = "Opening hours", "opening-hours"
    translated.save_revision().publish()

    french_html = client.get("/horaires/", HTTP_HOST=CITY_HOST).content.decode()
    assert '<a href="/en/opening-hours/" hreflang="en"' in french_html

    html = client.get("/en/opening-hours/", HTTP_HOST=CITY_HOST).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Opening hours</h1>" in html
    assert '<a href="/horaires/" hreflang="fr"' in html


def test_language_switch_falls_back_to_the_home_page_of_that_language(client, sites):
    _, city_home = sites["city"]
    add_standard_page(city_home, "Horaires", slug="horaires")
    english = Locale.objects.create(language_code="en")
    city_home.copy_for_translation(english).save_revision().publish()

    html = client.get("/horaires/", HTTP_HOST=CITY_HOST).content.decode()

    assert '<a href="/en/" hreflang="en"' in html
