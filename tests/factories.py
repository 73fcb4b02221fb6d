import factory
from django.contrib.auth.models import Group

from lutetia.accounts.models import User, VerificationLevel
from lutetia.core.models import Department, Role, StaffMembership
from lutetia.core.roles import GROUP_NAMES
from lutetia.core.workflow.models import Action, State, Task, Workflow

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"resident{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    verification_level = VerificationLevel.EMAIL
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


def create_staff(department: Department, role: Role = Role.AGENT, **fields) -> User:
    """A staff member with a role in one department, in that role's group."""
    user = UserFactory(is_staff=True, **fields)
    StaffMembership.objects.create(user=user, department=department, role=role)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


def make_workflow(name: str, states) -> Workflow:
    """A workflow whose states ((code, initial, final), in order) are named after their codes."""
    workflow = Workflow.objects.create(name=name)
    for order, (code, initial, final) in enumerate(states):
        State.objects.create(
            workflow=workflow,
            code=code,
            name_fr=code.title(),
            name_en=code.title(),
            is_initial=initial,
            is_final=final,
            sort_order=order,
        )
    return workflow


def add_action(workflow, code, sources, target, *, tasks=(), **fields) -> Action:
    """An action from ``sources`` (state codes) to ``target``, with (kind, config) tasks."""
    action = Action.objects.create(
        workflow=workflow,
        code=code,
        label_fr=code.title(),
        label_en=code.title(),
        to_state=workflow.states.get(code=target),
        **fields,
    )
    action.from_states.set(workflow.states.filter(code__in=sources))
    action.save()
    for order, (kind, config) in enumerate(tasks):
        Task.objects.create(action=action, kind=kind, config=config, sort_order=order)
    return action
