"""Where reports go and what Open311 clients may report: the routing rules, the categories'
departments and the Open311 services, read once per version rather than on every submission.

Every submission (web form, Open311, staff) needs them, yet they change only through the
routing actions (``save_routing_item``, ``delete_routing_item``, ``load_taxonomy``), which
call ``changed()``. The answers are kept in the shared cache under a version token that
``changed()`` renews once the change commits, so every app server reads them again; they
also expire after ``MAX_AGE_S``, for changes made behind the actions' back.
"""

from collections.abc import Callable

from django.core.cache import cache

from lutetia.core import versions
from lutetia.services.reports.models import Category, RoutingRule

VERSION_KEY = "lutetia:reports:routing:version"
MAX_AGE_S = 300
_MISSING = object()


class Routing:
    """The department of a (category, district): its routing rule, else the category's
    department, else its family's."""

    def __init__(self):
        rules = RoutingRule.objects.values_list("category_id", "district_id", "department_id")
        self.rules = {(category, district): department for category, district, department in rules}
        self.defaults = {
            pk: own or family
            for pk, own, family in Category.objects.values_list(
                "pk", "department_id", "parent__department_id"
            )
        }

    def department(self, category_id: int, district_id: int | None) -> int | None:
        return self.rules.get((category_id, district_id), self.defaults.get(category_id))


def current_routing() -> Routing:
    return cached("routing", Routing)


def responsible_department_id(category: Category, district_id: int | None) -> int | None:
    return current_routing().department(category.pk, district_id)


def cached(name: str, compute: Callable):
    """``compute()``'s answer for the current version (None answers are kept too)."""
    key = f"lutetia:reports:routing:{versions.current(VERSION_KEY)}:{name}"
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, MAX_AGE_S)
    return found


def changed() -> None:
    """The taxonomy or routing changes in this transaction: read them again once it commits."""
    versions.renew_on_commit(VERSION_KEY)
