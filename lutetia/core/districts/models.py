from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """An area of the city (an arrondissement, a quarter) with its real polygon."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    geometry = models.JSONField(
        _("geometry"), help_text=_("A GeoJSON Polygon or MultiPolygon (WGS84).")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name
