"""The ballot form (one field shape per ballot type) and the ideas' forms.

The form only reads what was ticked, typed or chosen; the envelope's rule (number of
projects, cost, points, ranks) is checked by ``actions.clean_choices``, the same code
that records the ballot, so the page and the count never disagree.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from lutetia.core.districts.forms import coordinate_fields
from lutetia.core.districts.models import District
from lutetia.core.uploads import ImageUploadField
from lutetia.services.budget.models import Ballot, Comment, Envelope, Idea, Project, Theme

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


# --- ideas -------------------------------------------------------------------------------------


class EnvelopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class IdeaForm(forms.Form):
    """A resident's idea: text, envelope, an optional map point, cost, theme, photos.

    The point's district is checked against the envelope by ``actions.submit_idea``.
    """

    title = forms.CharField(label=_("Title"), max_length=Idea.TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=Idea.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What should the city do, where, and for whom?"),
    )
    envelope = EnvelopeChoiceField(
        label=_("City-wide or district"),
        queryset=Envelope.objects.none(),
        empty_label=_("Choose…"),
        help_text=_("The envelope that would fund the idea: the whole city's or a district's."),
    )
    latitude, longitude = coordinate_fields(
        latitude_help=_("Click the map to fill in the point, or type it, for example 48.8566.")
    )
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost (euros)"), min_value=1, max_value=1_000_000_000
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=[("", _("Choose…")), *Theme.choices])
    photo_1 = ImageUploadField(label=_("Photo 1"), required=False)
    photo_2 = ImageUploadField(label=_("Photo 2"), required=False)
    photo_3 = ImageUploadField(label=_("Photo 3"), required=False)
    anonymous = forms.BooleanField(
        label=_("Publish my idea without my name"),
        required=False,
        help_text=_("The city still knows who proposed it."),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = campaign.envelopes.select_related("district")

    def submission(self) -> dict:
        """Keyword arguments for ``actions.submit_idea``."""
        data = self.cleaned_data
        photos = [data[f"photo_{n}"] for n in range(1, Idea.PHOTOS_MAX + 1)]
        fields = ("title", "description", "envelope", "latitude", "longitude")
        return {
            **{name: data[name] for name in fields},
            "estimated_cost": data["estimated_cost"],
            "theme": data["theme"],
            "anonymous": data["anonymous"],
            "photos": [photo for photo in photos if photo],
        }


class IdeaFilterForm(forms.Form):
    """The ideas list's filters (GET); anything unknown falls back to no filter."""

    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("All districts"),
    )
    theme = forms.ChoiceField(
        label=_("Theme"), choices=[("", _("All themes")), *Theme.choices], required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[("supports", _("Most supported")), ("newest", _("Newest"))],
        required=False,
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "district": data.get("district"),
            "theme": data.get("theme", ""),
            "sort": data.get("sort") or "supports",
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=Comment.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FlagForm(forms.Form):
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why? (optional)"), max_length=500, required=False)
