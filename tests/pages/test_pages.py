"""Every page type renders on its own site with the landmarks of the base template."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from lutetia.pages.models import (
    NewsIndexPage,
    NewsPage,
    ServiceLandingPage,
    SiteTheme,
    contrast_ratio,
)
from tests.pages.conftest import CITY_HOST, add_standard_page

LANDMARKS = ('<header class="site-header">', "<nav ", '<main id="main"', "<footer ")


def get(client, url, host=CITY_HOST):
    return client.get(url, HTTP_HOST=host)


def assert_public_page(response):
    assert response.status_code == 200
    html = response.content.decode()
    for landmark in LANDMARKS:
        assert landmark in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<html lang="fr">' in html
    assert "htmx-config" in html
    return html


def test_home_page_shows_intro_news_and_service_cards(client, city, essai_service):
    _, home = city
    news_index = home.add_child(instance=NewsIndexPage(title="Actualités", slug="actualites"))
    news_index.add_child(
        instance=NewsPage(title="Nouveau marché", date=datetime.date(2025, 5, 1), summary="Résumé")
    )
    home.add_child(instance=ServiceLandingPage(title="Essayer", slug="essayer", service="essai"))

    html = assert_public_page(get(client, "/"))

    assert "<h1>Ville de Paris</h1>" in html
    assert "Nouveau marché" in html
    assert 'href="/essayer/"' in html
    assert "<title>Ville de Paris</title>" in html


def test_standard_page_renders_stream_blocks_with_alternative_text(client, city):
    _, home = city
    image = Image.objects.create(title="Seine", file=get_test_image_file())
    add_standard_page(
        home,
        "Horaires",
        intro="Les horaires de la mairie.",
        body=[
            ("heading", "Lundi"),
            ("paragraph", RichText("<p>De 9 h à 17 h.</p>")),
            ("image", {"image": image, "alt": "La Seine au pont Neuf", "caption": "Photo"}),
            ("link", {"title": "Plan d'accès", "url": "https://example.org/plan"}),
        ],
    )

    html = assert_public_page(get(client, "/horaires/"))

    assert "<h2>Lundi</h2>" in html
    assert "De 9 h à 17 h." in html
    assert 'alt="La Seine au pont Neuf"' in html
    assert '<a href="https://example.org/plan">Plan d&#x27;accès</a>' in html


def test_news_index_is_paginated_and_news_item_renders(client, city):
    _, home = city
    index = home.add_child(instance=NewsIndexPage(title="Actualités", slug="actualites"))
    for day in range(1, 13):
        index.add_child(
            instance=NewsPage(
                title=f"Nouvelle {day}", date=datetime.date(2025, 1, day), summary="Résumé"
            )
        )

    first = assert_public_page(get(client, "/actualites/"))
    second = assert_public_page(get(client, "/actualites/?page=2"))
    item = assert_public_page(get(client, "/actualites/nouvelle-3/"))

    assert "Nouvelle 12" in first and "Nouvelle 1<" not in first
    assert 'rel="next"' in first
    assert "Nouvelle 1<" in second and 'rel="prev"' in second
    assert '<time datetime="2025-01-03">' in item


def test_service_landing_shows_the_service_and_links_to_it(client, city, essai_service):
    _, home = city
    home.add_child(instance=ServiceLandingPage(title="Essayer", slug="essayer", service="essai"))

    html = assert_public_page(get(client, "/essayer/"))

    assert "A service for the tests." in html or "Un service pour les tests." in html
    assert 'class="button" href="/essai/"' in html


def test_service_landing_accepts_only_registered_services(city, essai_service):
    _, home = city
    landing = ServiceLandingPage(title="Inconnu", slug="inconnu", service="nope")
    with pytest.raises(ValidationError) as error:
        home.add_child(instance=landing)
    assert "service" in error.value.message_dict


def test_service_landing_admin_form_offers_the_registered_services(city, essai_service):
    form_class = ServiceLandingPage.get_edit_handler().get_form_class()
    choices = dict(form_class().fields["service"].widget.choices)
    assert "essai" in choices and "contact" in choices


def test_search_page_renders_without_query(client, city):
    assert_public_page(get(client, "/recherche/"))


def test_unknown_page_answers_the_404_template(client, city):
    response = get(client, "/nulle-part/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<main id="main"' in html
    assert 'id="not-found-q"' in html


def test_500_template_renders_without_request_or_database():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "<main" in html and "lutetia.css" in html


def test_site_theme_refuses_unreadable_colours(city):
    site, _ = city
    theme = SiteTheme.for_site(site)
    theme.primary_colour, theme.primary_text_colour = "#ffdd00", "#ffffff"
    with pytest.raises(ValidationError) as error:
        theme.full_clean()
    assert {"primary_colour", "primary_text_colour"} <= set(error.value.message_dict)

    theme.primary_colour = "#1d4e89"
    theme.full_clean()
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
