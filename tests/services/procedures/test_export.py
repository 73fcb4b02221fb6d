"""CSV and XLSX exports of a filtered list, written by a task, downloaded from a notified link."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from lutetia.core.notifications.models import Notification
from lutetia.core.workflow.actions import run_action
from lutetia.core.workflow.models import Action
from lutetia.services.procedures import exports
from tests.factories import create_staff

pytestmark = pytest.mark.django_db


def export(client, procedure_form, file_format, capture, **query) -> bytes:
    """Ask for an export from the list, run the task, follow the notified link."""
    url = reverse("procedure_demands:list", args=[procedure_form.pk])
    with capture(execute=True):
        response = client.post(
            f"{url}?{query_string(query)}", {"form": "export", "format": file_format}
        )
    assert response.status_code == 302
    link = Notification.objects.latest("pk").url
    download = client.get(link)
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def query_string(query: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(query, doseq=True)


def test_csv_export_of_the_filtered_list(
    client, agent, procedure_form, many, django_capture_on_commit_callbacks
):
    first, _second, third = many(3)
    for demand in (first, third):
        run_action(resource=demand, action=Action.objects.get(code="instruire"), acting_user=agent)
    agent.preferred_language = "en"  # the export is written in the staff member's language
    agent.save()
    client.force_login(agent)
    state = procedure_form.workflow.states.get(code="instruction").pk
    content = export(
        client, procedure_form, "csv", django_capture_on_commit_callbacks, state=[state]
    )
    assert content.startswith(b"\xef\xbb\xbf")  # read right by spreadsheet programs
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Sent", "State"]
    assert {row[0] for row in rows[1:]} == {first.reference, third.reference}
    assert rows[1][2] == "Instruction"
    assert rows[1][4] == agent.email
    assert "Parvis Notre-Dame (Hôtel-de-Ville)" in rows[1]
    log = ModelLogEntry.objects.get(action="lutetia.procedures.demands_exported")
    assert log.user_id == agent.pk


def test_xlsx_export(client, agent, procedure_form, many, django_capture_on_commit_callbacks):
    (demand,) = many(1)
    client.force_login(agent)
    content = export(client, procedure_form, "xlsx", django_capture_on_commit_callbacks)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == demand.reference
    assert rows[1][2] == "Recue"


def test_the_link_only_works_for_its_owner(client, agent, department, procedure_form, many):
    many(1)
    name = exports.write_export(procedure_form, agent, "", "csv")
    link = reverse("procedure_demands:export", args=[exports.download_token(agent, name)])
    client.force_login(create_staff(department))
    assert client.get(link).status_code == 302  # refused: back to the dashboard
    client.force_login(agent)
    assert client.get(link).status_code == 200
    tampered = reverse("procedure_demands:export", args=["x" + exports.download_token(agent, name)])
    assert client.get(tampered).status_code == 302


def test_unknown_formats_are_refused(client, agent, procedure_form):
    client.force_login(agent)
    url = reverse("procedure_demands:list", args=[procedure_form.pk])
    response = client.post(url, {"form": "export", "format": "pdf"})
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
