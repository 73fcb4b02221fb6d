"""``lutetia pb``: participatory budgets and pabulib files (https://pabulib.org/format)."""

import json

from django.core.management.base import BaseCommand, CommandError

from lutetia.services.budget import pabulib, rules


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

    def handle(self, *args, **options):
        if options["action"] == "tally":
            self.tally(options)

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
