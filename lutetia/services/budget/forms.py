"""The ballot form: one field shape per ballot type.

The form only reads what was ticked, typed or chosen; the envelope's rule (number of
projects, cost, points, ranks) is checked by ``actions.clean_choices``, the same code
that records the ballot, so the page and the count never disagree.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from lutetia.services.budget.models import Ballot, Envelope, Project

APPROVAL_TYPES = (Envelope.BallotType.APPROVAL, Envelope.BallotType.KNAPSACK)


@dataclass(frozen=True)
class Totals:
    """The ballot's running totals against the envelope's limits."""

    count: int
    cost: int
    points: int
    envelope: Envelope

    @property
    def money_left(self) -> int:
        return self.envelope.amount - self.cost

    @property
    def points_left(self) -> int:
        return (self.envelope.max_points or 0) - self.points

    @property
    def over_budget(self) -> bool:
        return self.envelope.ballot_type == Envelope.BallotType.KNAPSACK and self.money_left < 0

    @property
    def too_many_points(self) -> bool:
        return self.envelope.ballot_type == Envelope.BallotType.CUMULATIVE and self.points_left < 0

    @property
    def too_many_projects(self) -> bool:
        return self.envelope.max_projects is not None and self.count > self.envelope.max_projects


@dataclass(frozen=True)
class Row:
    """One project on the ballot with its input: ``field`` (points, rank) or ``chosen``."""

    project: Project
    field: forms.BoundField | None
    chosen: bool


class BallotForm(forms.Form):
    """Approval and knapsack: ``projects`` checkboxes; cumulative: ``points_<pk>`` numbers;
    ranked: ``rank_<pk>`` selects. ``ballot`` (the voter's current one) fills it first."""

    def __init__(self, *args, envelope: Envelope, projects: list[Project], ballot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.envelope = envelope
        self.projects = projects
        kind = envelope.ballot_type
        if kind in APPROVAL_TYPES:
            self.fields["projects"] = forms.TypedMultipleChoiceField(
                label=_("Projects"),
                coerce=int,
                required=False,
                choices=[(project.pk, project.title) for project in projects],
            )
        elif kind == Envelope.BallotType.CUMULATIVE:
            for project in projects:
                self.fields[self._name(project)] = forms.IntegerField(
                    label=project.title,
                    required=False,
                    min_value=0,
                    max_value=envelope.max_points,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "data-cost": project.cost}
                    ),
                )
        else:
            last = min(envelope.max_projects or len(projects), len(projects))
            ranks = [("", _("Not ranked"))] + [
                (str(rank), str(rank)) for rank in range(1, last + 1)
            ]
            for project in projects:
                self.fields[self._name(project)] = forms.TypedChoiceField(
                    label=project.title,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=ranks,
                    widget=forms.Select(attrs={"data-cost": project.cost}),
                )
        if ballot is not None and not self.is_bound:
            self.initial = self._initial(ballot)

    def _name(self, project: Project) -> str:
        prefix = "points" if self.envelope.ballot_type == Envelope.BallotType.CUMULATIVE else "rank"
        return f"{prefix}_{project.pk}"

    def _initial(self, ballot: Ballot) -> dict:
        choices = list(ballot.choices.all())
        if self.envelope.ballot_type in APPROVAL_TYPES:
            return {"projects": [choice.project_id for choice in choices]}
        cumulative = self.envelope.ballot_type == Envelope.BallotType.CUMULATIVE
        return {
            self._name(choice.project): choice.points if cumulative else choice.rank
            for choice in choices
        }

    def selection(self) -> dict[int, int | None]:
        """Project pk -> points or rank (None for approval): what the ballot holds now.

        On a submitted form, fields that did not parse are left out (their errors show).
        """
        if self.is_bound:
            self.is_valid()  # cleans once; errors the view added since are kept
            values = self.cleaned_data
        else:
            values = self.initial
        if self.envelope.ballot_type in APPROVAL_TYPES:
            return {int(pk): None for pk in values.get("projects", [])}
        chosen = {project.pk: values.get(self._name(project)) for project in self.projects}
        return {pk: value for pk, value in chosen.items() if value}

    def choices(self):
        """The choices in the shape ``actions.cast_ballot`` takes."""
        selection = self.selection()
        return list(selection) if self.envelope.ballot_type in APPROVAL_TYPES else selection

    def totals(self) -> Totals:
        selection = self.selection()
        chosen = [project for project in self.projects if project.pk in selection]
        cumulative = self.envelope.ballot_type == Envelope.BallotType.CUMULATIVE
        points = sum(selection.values()) if cumulative else 0
        return Totals(
            count=len(chosen),
            cost=sum(project.cost for project in chosen),
            points=points,
            envelope=self.envelope,
        )

    def rows(self) -> list[Row]:
        selection = self.selection()
        approval = self.envelope.ballot_type in APPROVAL_TYPES
        return [
            Row(
                project=project,
                field=None if approval else self[self._name(project)],
                chosen=project.pk in selection,
            )
            for project in self.projects
        ]
