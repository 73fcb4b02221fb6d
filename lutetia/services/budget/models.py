"""Participatory budget: campaigns, their envelopes, residents' ideas, projects, ballots and
stored results.

One ballot per voter per envelope is a database constraint, not only a check in code:
concurrent submissions for the same voter cannot leave two ballots. Likewise one support
per resident per idea.
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
        "coconstruction_end",
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
    coconstruction_end = models.DateTimeField(
        _("co-construction ends"),
        null=True,
        blank=True,
        help_text=_(
            "Co-construction runs from the close of ideas to this date: residents comment, "
            "staff merge similar ideas. Leave empty to skip it."
        ),
    )
    review_end = models.DateTimeField(_("feasibility review ends"))
    voting_start = models.DateTimeField(_("voting opens"))
    voting_end = models.DateTimeField(_("voting closes"))
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.GREEDY)
    completion = models.CharField(
        _("completion"), max_length=15, choices=Completion.choices, blank=True, default=""
    )
    ideas_required_level = models.PositiveSmallIntegerField(
        _("verification level to propose ideas"),
        choices=VerificationLevel.choices,
        default=VerificationLevel.EMAIL,
        help_text=_("Also needed to support and comment ideas."),
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

    @property
    def ideas_open(self) -> bool:
        """Residents propose ideas."""
        return self.ideas_start <= timezone.now() < self.ideas_end

    @property
    def discussion_end(self):
        """Supports and comments close with co-construction (or with ideas, without it)."""
        return self.coconstruction_end or self.ideas_end

    @property
    def discussion_open(self) -> bool:
        """Residents support and comment ideas: the ideas phase and co-construction."""
        return self.ideas_start <= timezone.now() < self.discussion_end

    def clean(self):
        names = [name for name in self.LOCKED_FIELDS[:6] if getattr(self, name) is not None]
        dates = [getattr(self, name) for name in names]
        if len(names) >= 5 and dates != sorted(dates):
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


# --- ideas ------------------------------------------------------------------------------------


class Theme(models.TextChoices):
    """The themes of ideas and projects; the stored values are those of ``Project.theme``."""

    ENVIRONMENT = "Environnement", _("Environment")
    MOBILITY = "Mobilités", _("Mobility")
    EDUCATION = "Éducation", _("Education")
    CULTURE = "Culture", _("Culture")
    SPORT = "Sport", _("Sport")
    LIVING = "Cadre de vie", _("Living environment")
    SOLIDARITY = "Solidarité", _("Solidarity")


class Moderated(models.Model):
    """Content staff can hide with a reason: it disappears publicly, its author sees why."""

    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)

    class Meta:
        abstract = True

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class Idea(Moderated):
    """A resident's proposal during a campaign's ideas phase, for one envelope.

    Staff merge similar ideas into one ``Project`` (``project``): the ideas stay public
    and their authors are credited on the project's page.
    """

    TITLE_MAX = 150
    DESCRIPTION_MAX = 5000
    PHOTOS_MAX = 3

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="ideas", verbose_name=_("campaign")
    )
    envelope = models.ForeignKey(
        Envelope,
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("envelope"),
        help_text=_("City-wide or a district's: where the idea would be funded."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_ideas",
        verbose_name=_("author"),
    )
    anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("Publish without the author's name.")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost (euros)"))
    theme = models.CharField(_("theme"), max_length=100, choices=Theme.choices)
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
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        permissions = [
            ("moderate_idea", "Can hide and restore ideas and comments"),
            ("merge_idea", "Can merge ideas into projects"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def author_name(self) -> str:
        """What residents see: the author's public name, unless they chose anonymity."""
        if self.anonymous or self.author is None:
            return str(_("Anonymous resident"))
        return self.author.public_name


class IdeaPhoto(models.Model):
    """A photo of an idea, re-encoded without metadata, with a thumbnail for lists."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="budget/ideas/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="budget/ideas/thumbnails/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["idea_id", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name


class Support(models.Model):
    """A resident supports an idea, once."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="budget_support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}"


class Comment(Moderated):
    """A resident's comment on an idea (ideas phase and co-construction)."""

    BODY_MAX = 2000

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=BODY_MAX)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["idea_id", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.body[:40]}"

    @property
    def author_name(self) -> str:
        return self.author.public_name if self.author else str(_("Former resident"))


class Flag(models.Model):
    """A resident reports an idea or a comment to the moderators; once per resident.

    Open flags (``resolved_at`` empty) put the idea first in the moderation queue;
    a moderator's decision on the flagged content resolves them.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="flags")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_flags"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "user"],
                condition=Q(comment__isnull=True),
                name="budget_flag_idea_once",
            ),
            models.UniqueConstraint(
                fields=["comment", "user"],
                condition=Q(comment__isnull=False),
                name="budget_flag_comment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}/{self.comment_id}"
