"""Writes to the city's organisation: departments and staff memberships.

A membership is what makes a user staff: adding or removing one also keeps the
user's role groups (and so their back-office permissions) in step.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from lutetia.core import audit
from lutetia.core.models import Department, Role, StaffMembership
from lutetia.core.roles import GROUP_NAMES

DEPARTMENT_FIELDS = ["code", "name", "email", "is_active"]


@transaction.atomic
def create_department(
    *, code: str, name: str, email: str = "", is_active: bool = True, acting_user
) -> Department:
    department = Department(code=code, name=name, email=email, is_active=is_active)
    department.full_clean()
    department.save()
    audit.log(
        department,
        "lutetia.department_created",
        user=acting_user,
        data=audit.snapshot(department, DEPARTMENT_FIELDS),
    )
    return department


@transaction.atomic
def update_department(department: Department, *, acting_user, **fields) -> Department:
    """Change some of ``DEPARTMENT_FIELDS``; the audit entry records before and after."""
    unknown = set(fields) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise TypeError(f"Department has no editable field {', '.join(sorted(unknown))}.")
    stored = Department.objects.select_for_update().get(pk=department.pk)
    before = audit.snapshot(stored, DEPARTMENT_FIELDS)
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    department.save()
    audit.log(
        department,
        "lutetia.department_updated",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(department, DEPARTMENT_FIELDS)),
    )
    return department


@transaction.atomic
def add_membership(*, user, department: Department, role: str, acting_user) -> StaffMembership:
    """Give ``user`` a role in ``department`` (or change the role they already hold there)."""
    role = Role(role)
    membership, created = StaffMembership.objects.select_for_update().get_or_create(
        user=user, department=department, defaults={"role": role}
    )
    previous_role = None if created else membership.role
    if not created:
        membership.role = role
        membership.save(update_fields=["role"])
    _sync_role_groups(user)
    audit.log(
        membership,
        "lutetia.membership_added",
        user=acting_user,
        data={
            "user": user.pk,
            "department": department.pk,
            "role": role.value,
            "previous_role": previous_role,
        },
    )
    return membership


@transaction.atomic
def remove_membership(membership: StaffMembership, *, acting_user) -> None:
    audit.log(
        membership,
        "lutetia.membership_removed",
        user=acting_user,
        data={
            "user": membership.user_id,
            "department": membership.department_id,
            "role": membership.role,
        },
    )
    user = membership.user
    membership.delete()
    _sync_role_groups(user)


def _sync_role_groups(user) -> None:
    """Put the user in exactly the role groups of the roles their memberships give."""
    held = {GROUP_NAMES[Role(role)] for role in user.memberships.values_list("role", flat=True)}
    role_groups = list(Group.objects.filter(name__in=GROUP_NAMES.values()))
    user.groups.remove(*[group for group in role_groups if group.name not in held])
    user.groups.add(*[group for group in role_groups if group.name in held])
    user.__dict__.pop("_lutetia_memberships", None)
