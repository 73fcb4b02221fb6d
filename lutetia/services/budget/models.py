"""Participatory budget: campaigns, their envelopes, projects, ballots and stored results.

One ballot per voter per envelope is a database constraint, not only a check in code:
concurrent submissions for the same voter cannot leave two ballots.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lutetia.accounts.models import VerificationLevel
from lutetia.services.budget import rules


class Campaign(models.Model):
    """One edition of the participatory budget, with its phases and its voting rule.

    Phase dates and the rule lock once voting has started (``settings_locked``): the
    actions refuse to change them, so nobody can move the goalposts during the vote.
    """

    class Rule(models.TextChoices):
        GREEDY = "greedy", _("Greedy (most votes first)")
        MES = "mes", _("Method of Equal Shares")

    class Completion(models.TextChoices):
        NONE = "", _("None")
        ADD1 = "add1", _("Add one unit per voter (add1)")
        ADD1_GREEDY = "add1+greedy", _("add1, then greedy")

    LOCKED_FIELDS = (
        "ideas_start",
        "ideas_end",
        "review_end",
        "voting_start",
        "voting_end",
        "rule",
        "completion",
    )

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    ideas_start = models.DateTimeField(_("ideas open"))
    ideas_end = models.DateTimeField(_("ideas close"))
    review_end = models.DateTimeField(_("feasibility review ends"))
    voting_start = models.DateTimeField(_("voting opens"))
    voting_end = models.DateTimeField(_("voting closes"))
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.GREEDY)
    completion = models.CharField(
        _("completion"), max_length=15, choices=Completion.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-voting_start"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    @property
    def settings_locked(self) -> bool:
        return timezone.now() >= self.voting_start

    @property
    def voting_open(self) -> bool:
        return self.voting_start <= timezone.now() < self.voting_end

    def clean(self):
        dates = [getattr(self, name) for name in self.LOCKED_FIELDS[:5]]
        if None not in dates and dates != sorted(dates):
            raise ValidationError(
                _("The phases must follow each other: ideas, review, then voting."),
                code="phase_order",
            )
        if self.rule == self.Rule.GREEDY and self.completion:
            raise ValidationError(
                _("Completion applies to the Method of Equal Shares only."), code="completion"
            )


class Envelope(models.Model):
    """An amount to share among projects: city-wide (no district) or one district's."""

    class BallotType(models.TextChoices):
        APPROVAL = "approval", _("Approval (choose projects)")
        KNAPSACK = "knapsack", _("Knapsack (chosen projects fit the amount)")
        CUMULATIVE = "cumulative", _("Cumulative (share points)")
        ORDINAL = "ordinal", _("Ranked (order projects)")

    LOCKED_FIELDS = (
        "campaign",
        "district",
        "amount",
        "ballot_type",
        "min_projects",
        "max_projects",
        "max_points",
        "required_level",
    )

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="envelopes", verbose_name=_("campaign")
    )
    district = models.ForeignKey(
        "districts.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Leave empty for a city-wide envelope."),
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (euros)"))
    ballot_type = models.CharField(
        _("ballot type"), max_length=12, choices=BallotType.choices, default=BallotType.APPROVAL
    )
    min_projects = models.PositiveIntegerField(_("minimum number of projects"), default=1)
    max_projects = models.PositiveIntegerField(
        _("maximum number of projects"), null=True, blank=True
    )
    max_points = models.PositiveIntegerField(
        _("points per voter"), null=True, blank=True, help_text=_("Cumulative ballots only.")
    )
    required_level = models.PositiveSmallIntegerField(
        _("required verification level"),
        choices=VerificationLevel.choices,
        default=VerificationLevel.RESIDENT,
    )

    class Meta:
        ordering = ["campaign", "district__code", "name"]
        verbose_name = _("envelope")
        verbose_name_plural = _("envelopes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="budget_envelope_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def vote_type(self) -> str:
        """The pabulib vote type: a knapsack ballot is an approval ballot with a cost limit."""
        return "approval" if self.ballot_type == self.BallotType.KNAPSACK else self.ballot_type

    def clean(self):
        if self.ballot_type == self.BallotType.CUMULATIVE and not self.max_points:
            raise ValidationError(
                _("Cumulative ballots need a number of points per voter."), code="max_points"
            )
        if self.max_projects is not None and self.max_projects < self.min_projects:
            raise ValidationError(
                _("The maximum number of projects is below the minimum."), code="max_projects"
            )
        if self.campaign_id is not None:
            check_rule(self.campaign.rule, self.campaign.completion, self.vote_type)


def check_rule(rule: str, completion: str, vote_type: str) -> None:
    """The campaign's rule must apply to the envelope's ballots (``rules.check_rule``)."""
    try:
        rules.check_rule(vote_type, rule, completion or None)
    except rules.RuleError as error:
        if rule == Campaign.Rule.MES and vote_type == Envelope.BallotType.CUMULATIVE:
            message = _(
                "The Method of Equal Shares needs approval or knapsack ballots, "
                "not cumulative ones."
            )
        elif rule == Campaign.Rule.MES and vote_type == Envelope.BallotType.ORDINAL:
            message = _(
                "The Method of Equal Shares needs approval or knapsack ballots, not ranked ones."
            )
        elif rule == Campaign.Rule.GREEDY:
            message = _("Completion applies to the Method of Equal Shares only.")
        else:
            message = str(error)
        raise ValidationError(message, code="rule") from error


class Project(models.Model):
    """A project put to the vote in one envelope."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        FEASIBLE = "feasible", _("Feasible")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")
        SELECTED = "selected", _("Selected")
        REJECTED = "rejected", _("Not selected")

    class Execution(models.TextChoices):
        STUDY = "study", _("Study")
        PROCUREMENT = "procurement", _("Procurement")
        WORKS = "works", _("Works")
        DELIVERED = "delivered", _("Delivered")

    ON_THE_BALLOT = (Status.FEASIBLE, Status.SELECTED, Status.REJECTED)

    envelope = models.ForeignKey(
        Envelope, on_delete=models.CASCADE, related_name="projects", verbose_name=_("envelope")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveBigIntegerField(_("cost (euros)"))
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    district = models.ForeignKey(
        "districts.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.SUBMITTED
    )
    execution_status = models.CharField(
        _("execution status"), max_length=15, choices=Execution.choices, blank=True
    )
    external_id = models.CharField(
        _("pabulib id"), max_length=100, blank=True, help_text=_("The project's id in a .pb file.")
    )
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("The department that reviews its feasibility and carries it out."),
    )
    feasibility_explanation = models.TextField(
        _("feasibility explanation"), blank=True, help_text=_("Shown to residents.")
    )
    cost_estimate = models.PositiveBigIntegerField(
        _("department's cost estimate (euros)"), null=True, blank=True
    )
    review_notes = models.TextField(
        _("review notes"), blank=True, help_text=_("Internal: never shown to residents.")
    )
    amount_spent = models.PositiveBigIntegerField(_("amount spent (euros)"), null=True, blank=True)

    class Meta:
        ordering = ["envelope_id", "pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        permissions = [("review_project", "Can record feasibility reviews")]
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "external_id"],
                condition=~Q(external_id=""),
                name="budget_project_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def pabulib_id(self) -> str:
        """The id used by the rules and in exports: the imported id, else the primary key."""
        return self.external_id or str(self.pk)


class Ballot(models.Model):
    """A voter's ballot in one envelope; its choices are in ``BallotChoice``.

    ``voter_key`` is a random token that stands for the voter in exports: it cannot be
    traced back to the account. Paper ballots and ballots of erased accounts have no voter.
    """

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    envelope = models.ForeignKey(
        Envelope, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("envelope")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_ballots",
        verbose_name=_("voter"),
    )
    voter_key = models.CharField(_("anonymous voter id"), max_length=100)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    created_at = models.DateTimeField(_("cast at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["envelope_id", "pk"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        permissions = [("add_paper_ballot", "Can record paper ballots")]
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "voter"],
                condition=Q(voter__isnull=False),
                name="budget_one_ballot_per_voter",
            ),
            models.UniqueConstraint(fields=["envelope", "voter_key"], name="budget_voter_key"),
        ]

    def __str__(self) -> str:
        return f"{self.envelope} — {self.voter_key}"


class BallotChoice(models.Model):
    """One project on a ballot, with its points (cumulative) or its rank (ordinal)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="choices")
    points = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["ballot_id", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="budget_choice_once")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.project_id}"


class Result(models.Model):
    """An envelope's outcome as computed by ``rules.tally``, stored so pages read it as is.

    ``selected`` lists project primary keys in selection order; ``explanations`` maps a
    project's primary key (as text) to why it was or was not selected (see
    ``rules.Explanation``; exact fractions are kept as text, "3/7").
    """

    envelope = models.OneToOneField(
        Envelope, on_delete=models.CASCADE, related_name="result", verbose_name=_("envelope")
    )
    computed_at = models.DateTimeField(_("computed at"))
    rule = models.CharField(_("rule"), max_length=10, choices=Campaign.Rule.choices)
    completion = models.CharField(
        _("completion"), max_length=15, choices=Campaign.Completion.choices, blank=True
    )
    ballots = models.PositiveIntegerField(_("ballots counted"))
    selected = models.JSONField(_("selected projects"), default=list)
    cost = models.PositiveBigIntegerField(_("cost of the selected projects"))
    budget = models.PositiveBigIntegerField(_("budget"))
    explanations = models.JSONField(_("explanations"), default=dict)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return str(self.envelope)
