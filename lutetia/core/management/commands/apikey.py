"""``lutetia apikey create NAME [--rate-limit N] | revoke PREFIX | list``.

``create`` prints the key alone on the last line of its output, so scripts can take
it with ``tail -n 1``; it cannot be shown again.
"""

from django.core.management.base import BaseCommand, CommandError

from lutetia.core.api.actions import create_api_key, revoke_api_key
from lutetia.core.api.models import ApiKey


class Command(BaseCommand):
    help = "Create, revoke or list the API keys of machine clients."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a key and print it.")
        create.add_argument("name")
        create.add_argument(
            "--rate-limit", type=int, default=None, help="Requests per minute for this key."
        )
        revoke = actions.add_parser("revoke", help="Refuse a key from now on.")
        revoke.add_argument("prefix")
        actions.add_parser("list", help="List the keys.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, name, rate_limit, **options):
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit must be a positive number of requests per minute.")
        key, plaintext = create_api_key(
            name=name, acting_user=None, rate_limit_per_minute=rate_limit
        )
        self.stdout.write(f"Created API key {key.name!r} (prefix {key.prefix}).")
        self.stdout.write("Store it now: it is shown only once. The key is on the next line.")
        self.stdout.write(plaintext)

    def _revoke(self, *, prefix, **options):
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"No API key with the prefix {prefix!r}.")
        key = revoke_api_key(key=key, acting_user=None)
        self.stdout.write(
            f"Revoked {key.name!r} (prefix {key.prefix}) at {key.revoked_at:%Y-%m-%d %H:%M}."
        )

    def _list(self, **options):
        for key in ApiKey.objects.order_by("name"):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            limit = key.rate_limit_per_minute or "default"
            self.stdout.write(f"{key.prefix}\t{key.name}\t{state}\tlast used {used}\tlimit {limit}")
