"""``lutetia appointments slots``: recompute every location's slots (run it daily, e.g. cron)."""

from django.core.management.base import BaseCommand

from lutetia.services.appointments import actions


class Command(BaseCommand):
    help = "Appointments: recompute slots from the opening rules up to each service's horizon."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser(
            "slots", help="Materialise the slots of every active location (run daily)."
        )

    def handle(self, *, action, **options):
        count = actions.extend_all()
        self.stdout.write(f"Slots recomputed for {count} locations.")
