"""``lutetia worker``: the production process that runs background tasks (e-mails first).

It is django_tasks_db's ``db_worker`` under the platform's name, with all its options
(``--queue-name``, ``--batch``, ``--max-tasks``, ``--interval``…).
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the background task worker (sends notification e-mails)."
