"""``lutetia pb``: participatory budgets and pabulib files (https://pabulib.org/format)."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lutetia.services.budget import actions, pabulib, rules, selectors
from lutetia.services.budget.models import Campaign, Envelope


class Command(BaseCommand):
    help = "Work with participatory-budget files in the pabulib format."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        tally = actions.add_parser(
            "tally",
            help="Compute the outcome of a .pb file from its VOTES section.",
            description=(
                "Compute which projects a rule selects from the ballots of a .pb file "
                "(its votes/score/selected columns are ignored)."
            ),
        )
        tally.add_argument("file", help="a pabulib .pb file")
        tally.add_argument("--rule", choices=rules.RULES, required=True)
        tally.add_argument(
            "--completion",
            choices=[c for c in rules.COMPLETIONS if c],
            help="for --rule mes: raise the voters' budget one unit at a time (add1)",
        )
        tally.add_argument(
            "--json",
            action="store_true",
            help='print {"selected": [...], "cost": N, "budget": N}',
        )
        load = actions.add_parser(
            "import", help="Create a campaign with one envelope from a .pb file."
        )
        load.add_argument("file", help="a pabulib .pb file")
        load.add_argument("--campaign", help="the new campaign's slug (default: the file's name)")
        load.add_argument("--envelope", help="the envelope's name (default: from META)")
        export = actions.add_parser("export", help="Write an envelope as a .pb file.")
        export.add_argument("campaign", help="the campaign's slug")
        export.add_argument("envelope", help="the envelope's name")
        export.add_argument("file", help="the .pb file to write")
        results = actions.add_parser(
            "results", help="Count a campaign's envelopes (or one) and store the results."
        )
        results.add_argument("campaign", help="the campaign's slug")
        results.add_argument("envelope", nargs="?", help="one envelope's name (default: all)")

    def handle(self, *args, **options):
        try:
            handlers = {
                "tally": self.tally,
                "import": self.load,
                "export": self.export,
                "results": self.results,
            }
            handlers[options["action"]](options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def load(self, options):
        try:
            instance = pabulib.read(options["file"])
        except pabulib.PabulibError as error:
            raise CommandError(str(error)) from error
        envelope = actions.import_pabulib(
            instance=instance,
            campaign_slug=options["campaign"] or Path(options["file"]).stem,
            envelope_name=options["envelope"],
            acting_user=None,
        )
        self.stdout.write(
            f"Imported {envelope.campaign.slug} / {envelope.name}: "
            f"{envelope.projects.count()} projects, {envelope.ballots.count()} ballots."
        )

    def export(self, options):
        envelope = self.envelope(options["campaign"], options["envelope"])
        text = selectors.export_pabulib(envelope=envelope)
        try:
            Path(options["file"]).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{options['file']}: cannot write ({error.strerror}).") from error
        self.stdout.write(f"Wrote {options['file']}.")

    def results(self, options):
        campaign = self.campaign(options["campaign"])
        envelopes = (
            [self.envelope(campaign.slug, options["envelope"])]
            if options["envelope"]
            else list(campaign.envelopes.all())
        )
        for envelope in envelopes:
            result = actions.compute_results(envelope=envelope, acting_user=None)
            self.stdout.write(
                f"{envelope.name}: {len(result.selected)} projects selected, "
                f"cost {result.cost} of {result.budget}, {result.ballots} ballots."
            )

    def campaign(self, slug: str) -> Campaign:
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign {slug!r}.")
        return campaign

    def envelope(self, slug: str, name: str) -> Envelope:
        campaign = self.campaign(slug)
        envelope = campaign.envelopes.filter(name=name).first()
        if envelope is None:
            names = ", ".join(repr(n) for n in campaign.envelopes.values_list("name", flat=True))
            raise CommandError(f"No envelope {name!r} in {slug}; its envelopes: {names}.")
        return envelope

    def tally(self, options):
        try:
            instance = pabulib.read(options["file"])
            outcome = rules.tally(
                {project.id: project.cost for project in instance.projects.values()},
                instance.votes,
                instance.budget,
                instance.vote_type,
                options["rule"],
                options["completion"],
                max_length=instance.meta_int("max_length"),
            )
        except (pabulib.PabulibError, rules.RuleError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            result = {"selected": outcome.selected, "cost": outcome.cost, "budget": outcome.budget}
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"Selected projects ({len(outcome.selected)}, in selection order):")
        for project in outcome.selected:
            self.stdout.write(f"  {project}  {instance.projects[project].name}".rstrip())
        self.stdout.write(f"Total cost: {outcome.cost}")
        self.stdout.write(f"Budget: {outcome.budget}")
