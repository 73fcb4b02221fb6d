"""Questions asked at booking: the form builder's fields, edited with its blocks."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from wagtail.blocks import StreamBlockValidationError
from wagtail.test.utils.form_data import nested_form_data, streamfield

from lutetia.services.appointments import actions
from lutetia.services.appointments.models import AppointmentService, Booking
from tests.services.appointments.conftest import question

pytestmark = pytest.mark.django_db

QUESTIONS = [
    question("number", "passports", "Number of passports", min_value=0, max_value=4),
    question("single_choice", "level", "Level", choices=["Beginner", "Advanced"]),
    question(
        "multiple_choice", "gear", "Gear to lend", required=False, choices=["Racket", "Balls"]
    ),
    question("date", "birth", "Date of birth", required=False),
    question("long_text", "notes", "Anything to add", required=False, max_length=50),
    question("checkbox", "first_time", "First visit", required=False),
    question("terms", "rules", "Rules", terms="I bring my own shoes."),
]


@pytest.fixture
def asking(service):
    service.booking_fields = QUESTIONS
    service.save()
    return service


def book_url(service, slot):
    return reverse("appointments:book", args=[service.slug, slot.pk])


def test_the_form_shows_each_question_with_its_help_and_required_mark(
    client, resident, asking, make_slot
):
    client.force_login(resident)
    page = client.get(book_url(asking, make_slot())).text
    assert 'name="passports"' in page and 'type="radio" name="level"' in page
    assert 'type="checkbox" name="gear"' in page and 'type="date"' in page
    assert "I bring my own shoes." in page  # the terms read as the field's help
    assert page.count('class="required"') >= 3  # passports, level, rules (and persons)


def test_answers_are_validated_next_to_each_field_and_nothing_is_booked(
    client, resident, asking, make_slot
):
    client.force_login(resident)
    data = {"persons": "1", "passports": "9", "level": "Expert", "notes": "x" * 51}
    response = client.post(book_url(asking, make_slot()), data)
    assert response.status_code == 200 and not Booking.objects.exists()
    for code in ("passports", "level", "notes", "rules"):
        assert f'id="id_{code}_error"' in response.text


def test_answers_are_stored_as_json_and_read_back_by_staff(
    client, resident, agent, asking, make_slot
):
    client.force_login(resident)
    data = {
        "persons": "1",
        "passports": "2",
        "level": "Advanced",
        "gear": ["Racket", "Balls"],
        "birth": "1990-05-01",
        "notes": "",
        "first_time": "on",
        "rules": "on",
    }
    response = client.post(book_url(asking, make_slot()), data)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.answers == {
        "passports": "2",
        "level": "Advanced",
        "gear": ["Racket", "Balls"],
        "birth": "1990-05-01",
        "first_time": True,
        "rules": True,
    }
    client.force_login(agent)
    page = client.get(reverse("appointments_calendar:booking", args=[booking.pk])).text
    assert "Number of passports" in page and "Racket, Balls" in page
    assert "First visit" in page and "Anything to add" not in page  # unanswered


def test_the_csv_export_has_a_column_per_question(client, resident, agent, asking, make_slot):
    slot = make_slot()
    actions.book(slot=slot, acting_user=resident, answers={"passports": "3", "level": "Beginner"})
    client.force_login(agent)
    day = slot.starts_at.date().isoformat()
    url = f"{reverse('appointments_calendar:export')}?location={slot.location_id}&day={day}"
    header, row = client.get(url).content.decode().splitlines()[:2]
    assert header.endswith(",passports,level,gear,birth,notes,first_time,rules")
    assert row.endswith(",3,Beginner,,,,,")


@pytest.mark.parametrize(
    ("codes", "wrong"),
    [(["phone", "phone"], 1), (["persons"], 0), (["appointment_type", "ok"], 0)],
)
def test_codes_are_unique_and_not_the_forms_own(codes, wrong):
    block = AppointmentService._meta.get_field("booking_fields").stream_block
    value = block.to_python([question("text", code) for code in codes])
    with pytest.raises(StreamBlockValidationError) as raised:
        block.clean(value)
    assert set(raised.value.block_errors) == {wrong}
    assert "code" in raised.value.block_errors[wrong].block_errors


def test_booking_questions_have_no_condition():
    block = AppointmentService._meta.get_field("booking_fields").stream_block
    assert "condition" not in block.child_blocks["text"].child_blocks
    assert {"file", "address"}.isdisjoint(block.child_blocks)


def test_a_manager_edits_the_questions_with_the_block_editor(client, manager, service):
    client.force_login(manager)
    edit = reverse("appointment_services:edit", args=[service.pk])
    assert "booking_fields" in client.get(edit).text
    fields = {
        "name_fr": service.name_fr,
        "name_en": service.name_en,
        "slug": service.slug,
        "department": service.department_id,
        "description_fr": "",
        "description_en": "",
        "min_notice_hours": "2",
        "horizon_days": "60",
        "limit_count": "",
        "limit_period_days": "30",
        "max_persons": "3",
        "required_level": str(service.required_level),
        "is_active": "on",
    }
    number = {"label": "Passports", "code": "passports", "help_text": "", "required": "on"}
    number |= {"min_value": "1", "max_value": ""}
    data = nested_form_data({**fields, "booking_fields": streamfield([("number", number)])})
    response = client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    service.refresh_from_db()
    assert service.booking_specs == [
        {
            "type": "number",
            "code": "passports",
            "label": "Passports",
            "help_text": "",
            "required": True,
            "condition": None,
            "min_value": "1",
        }
    ]
    data = nested_form_data(
        {**fields, "booking_fields": streamfield([("number", number), ("number", number)])}
    )
    response = client.post(edit, data)
    assert response.status_code == 200  # two fields with one code: refused, on the field
    assert AppointmentService.objects.get().booking_specs[0]["label"] == "Passports"


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_questions_into_fields_and_renames_answers(
    department, resident, make_slot
):
    executor = MigrationExecutor(connection)
    before, after = [("appointments", "0001_initial")], [("appointments", "0002_booking_fields")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    old_service = apps.get_model("appointments", "AppointmentService")
    service = old_service.objects.create(
        name_fr="Titres",
        slug="titres-avant",
        department_id=department.pk,
        questions=[
            {"name": "Téléphone", "label": "Téléphone", "type": "phone", "required": True},
            {"name": "persons", "label": "Accompagnants", "type": "number"},
            {"name": "ants", "label": "N° ANTS", "type": "text"},
        ],
    )
    slot = make_slot()
    booking = apps.get_model("appointments", "Booking").objects.create(
        service_id=service.pk,
        department_id=department.pk,
        slot_id=slot.pk,
        user_id=resident.pk,
        answers={"Téléphone": "0102030405", "persons": 2, "ants": "AB12"},
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    old_booking = executor.loader.project_state(after).apps.get_model("appointments", "Booking")
    answers = old_booking.objects.get(pk=booking.pk).answers
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("appointments"))  # 0003: ends_at
    migrated = AppointmentService.objects.get(pk=service.pk)
    specs = migrated.booking_specs
    assert [(spec["type"], spec["code"]) for spec in specs] == [
        ("phone", "telephone"),
        ("number", "persons_2"),
        ("text", "ants"),
    ]
    assert specs[0]["required"] and not specs[1]["required"]
    assert (specs[1]["min_value"], specs[1]["max_value"], specs[2]["max_length"]) == (
        "0",
        "1000000",
        500,
    )
    assert answers == {"telephone": "0102030405", "persons_2": 2, "ants": "AB12"}
    assert Booking.objects.get(pk=booking.pk).ends_at == slot.ends_at  # one slot, its end
