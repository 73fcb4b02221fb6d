"""What the demo loader hands to each service's ``demo_loader``."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    """The demo city as built by ``lutetia demo``: services add their data on top of it.

    Loaders must be idempotent (``lutetia demo`` may run twice): use get_or_create.
    """

    administrator: Any
    departments: dict[str, Any]  # code -> Department
    staff: dict[str, Any]  # department code -> agent User
    residents: list[Any]  # residents at each verification level
    districts: list[Any] = field(default_factory=list)
    sites: dict[str, Any] = field(default_factory=dict)  # "city", "participation" -> Site
    home_pages: dict[str, Any] = field(default_factory=dict)  # same keys -> HomePage
    notes: list[str] = field(default_factory=list)  # lines `lutetia demo` prints at the end
