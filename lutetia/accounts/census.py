"""The census digest: how an identifier becomes the only thing the city stores.

The key is ``LUTETIA_CENSUS_KEY`` when set, else derived from SECRET_KEY; set the
dedicated key in production so rotating SECRET_KEY does not invalidate the census.
"""

import datetime
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class InvalidBirthDate(ValueError):
    pass


def parse_birth_date(value: datetime.date | str) -> datetime.date:
    """Accept a date or the usual written forms (ISO and French day-first)."""
    if isinstance(value, datetime.date):
        return value
    text = value.strip()
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise InvalidBirthDate(f"Unrecognised birth date {value!r}.")


def normalise_identifier(identifier: str) -> str:
    """Upper case without any whitespace: "ab 12 34" and "AB1234" are the same document."""
    return re.sub(r"\s+", "", identifier).upper()


def census_digest(identifier: str, birth_date: datetime.date | str) -> str:
    """HMAC-SHA256 of the normalised identifier and birth date, as 64 hex characters."""
    value = f"{normalise_identifier(identifier)}|{parse_birth_date(birth_date).isoformat()}"
    secret = settings.LUTETIA_CENSUS_KEY or settings.SECRET_KEY
    return salted_hmac("lutetia.census", value, secret=secret, algorithm="sha256").hexdigest()
