"""A booking records where its span ends: the end of the last slot it takes.

Bookings so far took one slot, so their end is their slot's end.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def ends_from_slots(apps, schema_editor):
    Booking = apps.get_model("appointments", "Booking")
    Slot = apps.get_model("appointments", "Slot")
    Booking.objects.update(
        ends_at=Subquery(Slot.objects.filter(pk=OuterRef("slot_id")).values("ends_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_booking_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="ends_at",
            field=models.DateTimeField(null=True, verbose_name="ends at"),
        ),
        migrations.RunPython(ends_from_slots, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="ends_at",
            field=models.DateTimeField(
                help_text="The end of the last slot the appointment takes.",
                verbose_name="ends at",
            ),
        ),
        migrations.AlterField(
            model_name="appointmenttype",
            name="duration_minutes",
            field=models.PositiveIntegerField(
                default=15,
                help_text=(
                    "A booking takes as many consecutive slots as this needs (one if it is no "
                    "longer than a slot)."
                ),
                verbose_name="duration (minutes)",
            ),
        ),
    ]
