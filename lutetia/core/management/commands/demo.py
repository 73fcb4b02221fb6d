from django.core.management.base import BaseCommand

from lutetia.core.demo_city import DEMO_PASSWORD, load_demo_city


class Command(BaseCommand):
    help = "Load the demo city, Paris (démo), with every enabled service's demo data. Idempotent."

    def handle(self, *args, **options):
        context, logins = load_demo_city()
        self.stdout.write(self.style.SUCCESS("Demo city loaded: Paris (démo)."))
        self.stdout.write(
            f"  {len(context.districts)} districts, {len(context.departments)} departments"
        )
        for key, site in context.sites.items():
            self.stdout.write(f"  site {key}: http://{site.hostname}:<port>/  ({site.site_name})")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.email:<40} {login.role}")
        self.stdout.write("Back office: /admin/   Mon Compte: /mon-compte/   API docs: /api/docs")
        for note in context.notes:
            self.stdout.write(note)
