"""Department scoping: the one answer to "may this staff member act on this object?".

An object belongs to a department through a ``department`` foreign key (or a
``department_id`` attribute). Administrators act everywhere; agents and managers act
on the departments they are members of. Every service uses these two functions, so
the scoping rule lives in one place.
"""

from django.db.models import QuerySet

from lutetia.core.models import Role


def is_city_administrator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(m.role == Role.ADMINISTRATOR for m in _memberships(user))


def department_ids(user) -> set[int]:
    """Departments a staff member may act in (empty for residents)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return {m.department_id for m in _memberships(user)}


def may_act_on(user, obj, *, permission: str | None = None) -> bool:
    """True when ``user`` holds ``permission`` (if given) and obj's department is theirs."""
    if not user.is_authenticated or not user.is_active:
        return False
    if permission and not user.has_perm(permission):
        return False
    if is_city_administrator(user):
        return True
    department_id = getattr(obj, "department_id", None)
    return department_id is not None and department_id in department_ids(user)


def may_manage(user, obj) -> bool:
    """Managers (and administrators) of obj's department may change its routing and rules."""
    if is_city_administrator(user):
        return True
    department_id = getattr(obj, "department_id", None)
    return any(
        m.department_id == department_id and m.role == Role.MANAGER for m in _memberships(user)
    )


def scope_to_departments(user, queryset: QuerySet, field: str = "department") -> QuerySet:
    """Restrict a queryset to the objects whose department the user may act in."""
    if is_city_administrator(user):
        return queryset
    return queryset.filter(**{f"{field}__in": department_ids(user)})


def _memberships(user):
    # Cached on the user object for the request: one query however often we ask.
    cached = getattr(user, "_lutetia_memberships", None)
    if cached is None:
        cached = list(user.memberships.all())
        user._lutetia_memberships = cached
    return cached
