"""The appointments service's part of "Mon Compte": bookings and personal data."""

from django.utils import timezone

from lutetia.core.registry import AccountItem
from lutetia.services.appointments import actions, links, selectors


def account_items(user) -> list[AccountItem]:
    """Upcoming appointments first, each linking to the page to cancel or move it."""
    now = timezone.now()
    bookings = sorted(
        selectors.bookings_of(user),
        key=lambda b: (b.slot.starts_at < now, abs((b.slot.starts_at - now).total_seconds())),
    )
    return [
        AccountItem(
            title=f"{booking.reference} — {booking.service.name}, {booking.slot.location.name}",
            url=links.manage_path(booking),
            status=booking.get_status_display(),
            date=booking.slot.starts_at,
        )
        for booking in bookings
    ]


def export(user) -> dict:
    return {
        "appointments": [
            {
                "reference": booking.reference,
                "service": booking.service.name_fr,
                "type": booking.appointment_type.name_fr if booking.appointment_type else "",
                "location": booking.slot.location.name,
                "starts_at": booking.slot.starts_at.isoformat(),
                "ends_at": booking.ends_at.isoformat(),
                "persons": booking.persons,
                "answers": [
                    {"question": question, "answer": answer}
                    for question, answer in booking.answer_rows()
                ],
                "status": booking.status,
                "booked_at": booking.created_at.isoformat(),
            }
            for booking in selectors.bookings_of(user)
        ]
    }


def erase(user) -> None:
    actions.erase_resident(user=user, acting_user=user)
