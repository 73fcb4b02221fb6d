"""The French catalogue is complete and shipped compiled; pages speak the language of their URL."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES"


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: keyword -> text, plus the flags (a parser just big enough)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, keyword = {"flags": set()}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[keyword] += ast.literal_eval(line)
            else:
                keyword, literal = line.split(" ", 1)
                entry[keyword] = ast.literal_eval(literal)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def translations(entry: dict) -> list[str]:
    return [text for keyword, text in entry.items() if keyword.startswith("msgstr")]


def test_every_french_string_is_translated_and_checked():
    entries = read_po(CATALOGUE / "django.po")
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(translations(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals and all({"msgstr[0]", "msgstr[1]"} <= e.keys() for e in plurals)


def test_the_shipped_mo_matches_the_po():
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in read_po(CATALOGUE / "django.po"):
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            found = compiled._catalog.get((key, 0))
            expected = entry["msgstr[0]"]
        else:
            found, expected = compiled._catalog.get(key), entry["msgstr"]
        if found != expected:
            stale.append(entry["msgid"])
    assert stale == [], "run `make messages` to recompile the catalogue"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "expected", "absent"),
    [
        (
            "",
            ["Se connecter", "Créer un compte", "Aller au contenu"],
            ["Log in", "Skip to content"],
        ),
        ("/en", ["Log in", "Create an account", "Skip to content"], ["Se connecter"]),
    ],
)
def test_public_pages_speak_the_language_of_their_url(client, prefix, expected, absent):
    page = client.get(f"{prefix}/accounts/login/").content.decode()
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", ["Vue d’ensemble", "Mes données", "Vous n’avez aucune notification."]),
        ("/en", ["Overview", "My data", "You have no notifications."]),
    ],
)
def test_mon_compte_is_translated(client, prefix, expected):
    client.force_login(UserFactory())
    page = client.get(f"{prefix}/mon-compte/").content.decode()
    for text in expected:
        assert text in page
