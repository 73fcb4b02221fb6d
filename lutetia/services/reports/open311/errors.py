"""Open311's errors: an HTTP status and a list of ``{code, description}`` for the client.

The spec asks for 404 when a resource does not exist, 403 for a missing or wrong
api_key and 400 for everything else.
"""

from collections.abc import Iterable


class Open311Error(Exception):
    """Raised by the views; rendered as the spec's error list in the requested format."""

    def __init__(self, status: int, descriptions: str | Iterable[str]):
        self.status = status
        self.descriptions = [descriptions] if isinstance(descriptions, str) else list(descriptions)
        super().__init__("; ".join(self.descriptions))

    def as_list(self) -> list[dict]:
        return [{"code": self.status, "description": text} for text in self.descriptions]
