"""The back office's sidebar, kept per staff member instead of rebuilt on every admin page.

Wagtail builds the sidebar on every admin page: each menu item's permission check, our
services' menus, the page explorer's root, the search area, the account menu, then packs it
all as JSON (about a quarter of a light admin page's CPU). What it shows depends only on who
the user is, what they may do and their language, so the packed JSON is cached under a key
made of:

- the user's id, language, superuser/active flags, names and e-mail (the account menu);
- a digest of their Django permissions (roles and groups give them; ``has_perm`` has
  already loaded them for the admin's own access check, so reading them costs nothing):
  a role, group or permission change gives another key at once, in every process;
- a version token in the shared cache, replaced after a change the permissions do not
  reveal commits: a user's groups (their page permissions), page and collection
  permissions (the page explorer's root), the page tree (e.g. the Forms item appears with
  a first form page), locales and the user's Wagtail profile (avatar, dismissed items).

Entries also expire after ``MAX_AGE_S``, for changes made behind Django's back (or seen by
another process when the cache is per process, not shared).
"""

import hashlib

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.admin.templatetags.wagtailadmin_tags import sidebar_props
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Locale, Page
from wagtail.signals import post_page_move
from wagtail.users.models import UserProfile

from lutetia.core import versions

VERSION_KEY = "lutetia:admin-chrome:version"
MAX_AGE_S = 300
# Changes a user's permissions do not reveal but the sidebar depends on.
WATCHED = (GroupPagePermission, GroupCollectionPermission, Locale, UserProfile)


def cached_sidebar_props(context) -> str:
    """Wagtail's ``{% sidebar_props %}``, from the cache when this user's key is there."""
    user = context["request"].user
    if not user.is_authenticated:  # no admin page shows a sidebar to visitors: nothing to keep
        return sidebar_props(context)
    key = sidebar_key(user)
    props = cache.get(key)
    if props is None:
        props = sidebar_props(context)
        cache.set(key, str(props), MAX_AGE_S)
    return mark_safe(props)  # Wagtail's json_script output, escaped for a <script>


def sidebar_key(user) -> str:
    """Everything the sidebar depends on for ``user``, in one cache key."""
    permissions = "*" if user.is_superuser else "\n".join(sorted(user.get_all_permissions()))
    names = [user.first_name, user.last_name, user.get_username(), user.email]  # avatar: e-mail
    who = "\n".join(map(str, [user.pk, user.is_active, *names]))
    digest = hashlib.sha256(f"{who}\n{permissions}".encode()).hexdigest()[:32]
    return f"lutetia:admin-chrome:{versions.current(VERSION_KEY)}:{get_language()}:{digest}"


def forget(**signal_kwargs) -> None:
    """After the current transaction commits, rebuild every sidebar on its next page."""
    versions.renew_on_commit(VERSION_KEY)


def forget_on_page_change(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Page):
        forget()


def connect_signals() -> None:
    for signal in (post_save, post_delete):
        for model in WATCHED:
            signal.connect(forget, sender=model, dispatch_uid=f"admin-chrome-{model.__name__}")
        # Page subclasses each send their own signals: one receiver checks the instance.
        signal.connect(forget_on_page_change, dispatch_uid="admin-chrome-pages")
    groups = get_user_model().groups.through
    m2m_changed.connect(forget, sender=groups, dispatch_uid="admin-chrome-groups")
    post_page_move.connect(forget, dispatch_uid="admin-chrome-page-move")
