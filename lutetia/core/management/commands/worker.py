"""``lutetia worker``: the production process that runs background tasks (e-mails first).

It is django_tasks_db's ``db_worker`` under the platform's name, with all its options
(``--queue-name``, ``--batch``, ``--max-tasks``, ``--interval``…). It also runs each
service's ``worker_check`` (manifest) when it starts and every ``--checks-interval``
seconds: a check enqueues work that is due but whose task never ran (lost with a
restored database, failed, or enqueued on a backend that could not defer it).
"""

import logging
import threading
import time

from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from lutetia.core.registry import services

logger = logging.getLogger(__name__)
CHECKS_INTERVAL_S = 300


def run_checks() -> None:
    """Run every service's check; one that fails is logged and does not stop the others."""
    for manifest, check in services.callables("worker_check"):
        try:
            check()
        except Exception:
            logger.exception("The worker check of %s failed.", manifest.slug)


def _run_checks_every(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        run_checks()
        connection.close()  # this thread's own connection


class Command(DbWorkerCommand):
    help = "Run the background task worker (notification e-mails, the services' scheduled work)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--checks-interval",
            type=float,
            default=CHECKS_INTERVAL_S,
            help="seconds between the services' checks (default: %(default)s; 0: at start only)",
        )

    def handle(self, *args, checks_interval: float, **options):
        run_checks()
        if checks_interval > 0 and not options["batch"]:
            threading.Thread(
                target=_run_checks_every, args=(checks_interval,), name="checks", daemon=True
            ).start()
        super().handle(*args, **options)
