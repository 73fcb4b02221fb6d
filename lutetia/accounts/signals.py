"""allauth's signals turned into account actions (no logic here)."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from lutetia.accounts import actions


@receiver(email_confirmed)
def level_up_on_email_confirmed(sender, request, email_address, **kwargs):
    user = email_address.user
    actions.mark_email_verified(user=user, acting_user=user)


@receiver(user_signed_up)
def level_up_on_signup(sender, request, user, **kwargs):
    actions.mark_email_verified(user=user, acting_user=user)
