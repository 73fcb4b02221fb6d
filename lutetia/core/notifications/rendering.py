"""Plain-text rendering of notification templates in a given language."""

from django.template import Context, Engine
from django.utils import translation


def render_text(template_name: str, context: dict, *, language: str) -> str:
    """Render a plain-text template in ``language``, without HTML escaping."""
    template = Engine.get_default().get_template(template_name)
    with translation.override(language):
        return template.render(Context(context, autoescape=False))
