"""A procedure form's steps: each a list of the form builder's typed fields.

Staff edit them in the back office (a StreamField on ``Form``); publishing turns them into
the plain JSON snapshot of a ``FormVersion`` (see ``definition.py``).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from lutetia.core.formbuilder.blocks import ConditionBlock, field_blocks


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("step title"), max_length=200)
    description = blocks.TextBlock(label=_("introduction"), required=False)
    condition = ConditionBlock(required=False)
    fields = blocks.StreamBlock(field_blocks(), label=_("fields"), min_num=1)

    class Meta:
        label = _("step")
        icon = "form"
