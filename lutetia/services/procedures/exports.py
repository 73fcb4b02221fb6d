"""CSV and XLSX exports of a form's filtered demands, written in the background.

Staff ask for an export from the list; a task (``tasks.export_demands``) re-applies the
list's filters, streams the rows into a file in storage and notifies the staff member
with a download link. The link carries a signed token naming the file and its owner:
nobody else can use it, and it expires after ``LINK_DAYS`` days.
"""

import csv
import io
import tempfile
import uuid
from functools import partial

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from openpyxl import Workbook

from lutetia.core import audit
from lutetia.core.permissions import may_act_on
from lutetia.services.procedures.models import Form
from lutetia.services.procedures.staff_lists import (
    DemandFilterForm,
    demands_for_staff,
    export_rows,
)

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LINK_DAYS = 7
SALT = "lutetia.procedures.export"
VIEW_PERMISSION = "procedures.view_demand"


@transaction.atomic
def start_export(*, form: Form, query: str, file_format: str, acting_user) -> None:
    """Audit the export and run it once committed; ``query`` is the list's query string."""
    from lutetia.services.procedures.tasks import export_demands

    if not may_act_on(acting_user, form, permission=VIEW_PERMISSION):
        raise PermissionDenied
    if file_format not in FORMATS:
        raise ValueError(file_format)
    audit.log(
        form,
        "lutetia.procedures.demands_exported",
        user=acting_user,
        data={"format": file_format, "filters": query},
    )
    transaction.on_commit(
        partial(export_demands.enqueue, form.pk, acting_user.pk, query, file_format)
    )


def write_export(form: Form, user, query: str, file_format: str) -> str:
    """Write the filtered demands to a new file in storage; return its name."""
    filters = DemandFilterForm(QueryDict(query), demand_form=form)
    values = filters.cleaned_data if filters.is_valid() else {}
    rows = export_rows(form, demands_for_staff(form, values, user))
    with tempfile.TemporaryFile() as spool:
        (_write_csv if file_format == "csv" else _write_xlsx)(rows, spool)
        spool.seek(0)
        return default_storage.save(f"exports/{uuid.uuid4().hex}.{file_format}", File(spool))


def _write_csv(rows, spool) -> None:
    # A byte-order mark so that spreadsheet programs read the UTF-8 accents right.
    text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
    csv.writer(text).writerows(rows)
    text.flush()
    text.detach()


def _write_xlsx(rows, spool) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    workbook.save(spool)


def download_token(user, name: str) -> str:
    return signing.dumps({"user": user.pk, "name": name}, salt=SALT)


def file_for(token: str, user) -> str:
    """The export file a token names, if it is ``user``'s and not expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature as error:
        raise PermissionDenied from error
    if data["user"] != user.pk or not default_storage.exists(data["name"]):
        raise PermissionDenied
    return data["name"]
