"""Page types and per-site settings of the public sites."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page, Site
from wagtail.search import index

from lutetia.core.activation import enabled_services, is_enabled
from lutetia.core.registry import services

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour such as #1d4e89."))
WHITE = "#ffffff"


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


class ContentBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(label=_("Paragraph"))
    image = blocks.StructBlock(
        [
            ("image", ImageChooserBlock()),
            ("alt", blocks.CharBlock(label=_("Alternative text"), required=False)),
            ("caption", blocks.CharBlock(required=False)),
        ],
        label=_("Image"),
    )
    link = blocks.StructBlock(
        [("title", blocks.CharBlock()), ("url", blocks.URLBlock())], label=_("Link")
    )


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(ContentBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types = ["pages.StandardPage", "pages.NewsIndexPage", "pages.ServiceLandingPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = (
            NewsPage.objects.live().public().descendant_of(self).order_by("-date")[:3]
        )
        site = Site.find_for_request(request)
        context["service_landings"] = (
            ServiceLandingPage.objects.live()
            .public()
            .child_of(self)
            .filter(service__in=enabled_services(site))
        )
        return context


class StandardPage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(ContentBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["pages.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().public().child_of(self).order_by("-date", "-pk")
        context["news_page"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.TextField(_("summary"), max_length=400)
    body = StreamField(ContentBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["pages.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")


def service_choices() -> list[tuple[str, str]]:
    return [(manifest.slug, manifest.localized_name) for manifest in services.all()]


class ServiceLandingPageForm(WagtailAdminPageForm):
    """Offers the registered services as a list instead of a free slug."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].widget = forms.Select(
            choices=[("", "---------"), *service_choices()]
        )


class ServiceLandingPage(Page):
    """Presents one registered service; answers 404 where the service is switched off."""

    service = models.SlugField(_("service"), max_length=50)
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(ContentBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("service"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    base_form_class = ServiceLandingPageForm

    class Meta:
        verbose_name = _("service landing")

    def clean(self):
        super().clean()
        if self.service not in services:
            raise ValidationError({"service": _("Choose one of the installed services.")})

    @property
    def manifest(self):
        return services.get(self.service) if self.service in services else None

    def serve(self, request, *args, **kwargs):
        if not is_enabled(Site.find_for_request(request), self.service):
            raise Http404(f"The service {self.service} is not available on this site.")
        return super().serve(request, *args, **kwargs)


@register_setting(icon="image")
class SiteTheme(BaseSiteSetting):
    """A site's identity: its name, logo and colours (CSS custom properties)."""

    site_name = models.CharField(_("site name"), max_length=100, default="Lutetia")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    primary_text_colour = models.CharField(
        _("text on primary colour"), max_length=7, default="#ffffff", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#b5123a", validators=[hex_colour]
    )

    panels = [
        FieldPanel("site_name"),
        FieldPanel("tagline"),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("primary_text_colour"),
        FieldPanel("accent_colour"),
    ]

    class Meta:
        verbose_name = _("site theme")

    def clean(self):
        """Keep text readable (WCAG AA): 4.5:1 for text on the primary colour and links."""
        super().clean()
        colours = [self.primary_colour, self.primary_text_colour, self.accent_colour]
        if not all(hex_colour.regex.match(colour or "") for colour in colours):
            return  # the field validators report the malformed colour
        errors = {}
        if contrast_ratio(self.primary_colour, self.primary_text_colour) < 4.5:
            errors["primary_text_colour"] = _(
                "Text on the primary colour needs a contrast of at least 4.5:1."
            )
        if contrast_ratio(self.primary_colour, WHITE) < 4.5:
            errors["primary_colour"] = _(
                "Links use the primary colour on white: it needs a contrast of at least 4.5:1."
            )
        if contrast_ratio(self.accent_colour, WHITE) < 3:
            errors["accent_colour"] = _("The accent colour needs a contrast of at least 3:1.")
        if errors:
            raise ValidationError(errors)


@register_setting(icon="list-ul")
class SiteNavigation(BaseSiteSetting, ClusterableModel):
    """A site's main menu and footer links."""

    footer_text = models.TextField(_("footer text"), blank=True)

    panels = [
        InlinePanel("menu_items", label=_("Main menu")),
        InlinePanel("footer_links", label=_("Footer links")),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("site navigation")


class NavigationLink(Orderable):
    title = models.CharField(_("title"), max_length=100)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    url = models.CharField(_("URL"), max_length=500, blank=True)

    panels = [FieldPanel("title"), FieldPanel("page"), FieldPanel("url")]

    class Meta:
        abstract = True

    @property
    def href(self) -> str:
        return self.page.url if self.page else self.url


class MenuItem(NavigationLink):
    navigation = ParentalKey(SiteNavigation, on_delete=models.CASCADE, related_name="menu_items")


class FooterLink(NavigationLink):
    navigation = ParentalKey(SiteNavigation, on_delete=models.CASCADE, related_name="footer_links")
