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

    def service_department(self, code: str, name: str, *, staffed_by: str):
        """A department a service's demo needs beyond the city's five, with an agent in it:
        the agent of the ``staffed_by`` department, who then works in both (idempotent)."""
        from lutetia.core.actions import add_membership, create_department
        from lutetia.core.models import Department, Role

        department = Department.objects.filter(code=code).first() or create_department(
            code=code, name=name, acting_user=self.administrator
        )
        self.departments[code] = department
        agent = self.staff.get(staffed_by)
        if agent is not None and not department.memberships.filter(user=agent).exists():
            add_membership(
                user=agent, department=department, role=Role.AGENT, acting_user=self.administrator
            )
        return department
