"""Booking questions become the form builder's fields (a StreamField), answers keyed by code.

A question's name becomes its code (lower-case letters, digits and _, unique); the answers
already given are renamed with it. Text questions keep their 500-character limit, numbers
their range (0 to 1,000,000).
"""

import uuid

import wagtail.fields
from django.db import migrations
from django.utils.text import slugify

RESERVED = {"appointment_type", "persons"}  # the booking form's own inputs
TYPE_OPTIONS = {
    "text": {"min_length": None, "max_length": 500, "pattern": "", "pattern_message": ""},
    "email": {},
    "phone": {},
    "number": {"min_value": "0", "max_value": "1000000"},
}


def questions_to_fields(apps, schema_editor):
    service_model = apps.get_model("appointments", "AppointmentService")
    booking_model = apps.get_model("appointments", "Booking")
    for service in service_model.objects.exclude(questions=[]):
        fields, codes = [], {}
        for question in service.questions:
            code = _code(question["name"], taken=set(codes.values()))
            codes[question["name"]] = code
            kind = question.get("type", "text") if question.get("type") in TYPE_OPTIONS else "text"
            value = {
                "label": question["label"],
                "code": code,
                "help_text": "",
                "required": bool(question.get("required")),
                **TYPE_OPTIONS[kind],
            }
            fields.append({"type": kind, "value": value, "id": str(uuid.uuid4())})
        service_model.objects.filter(pk=service.pk).update(booking_fields=fields)
        renamed = {name: code for name, code in codes.items() if name != code}
        if renamed:
            for booking in booking_model.objects.filter(service=service).exclude(answers={}):
                answers = {renamed.get(key, key): answer for key, answer in booking.answers.items()}
                booking_model.objects.filter(pk=booking.pk).update(answers=answers)


def _code(name: str, taken: set[str]) -> str:
    """A valid, unused code for a question name (``^[a-z][a-z0-9_]{0,49}$``)."""
    code = slugify(name).replace("-", "_")
    if not code[:1].isalpha():
        code = f"q_{code}".rstrip("_")
    code, number = code[:50], 2
    candidate = code
    while candidate in taken or candidate in RESERVED:
        candidate = f"{code[:46]}_{number}"
        number += 1
    return candidate


def fields_to_questions(apps, schema_editor):
    """Back to the plain list: long text reads as text, other types beyond the four as text."""
    service_model = apps.get_model("appointments", "AppointmentService")
    for service in service_model.objects.all():
        questions = [
            {
                "name": block["value"]["code"],
                "label": block["value"]["label"],
                "type": block["type"] if block["type"] in TYPE_OPTIONS else "text",
                "required": bool(block["value"].get("required")),
            }
            for block in service.booking_fields.raw_data
        ]
        service_model.objects.filter(pk=service.pk).update(questions=questions)


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointmentservice',
            name='booking_fields',
            field=wagtail.fields.StreamField([('text', 8), ('long_text', 9), ('number', 12), ('date', 13), ('email', 14), ('phone', 15), ('single_choice', 18), ('multiple_choice', 19), ('checkbox', 20), ('terms', 22)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'label': 'question', 'max_length': 300}), 1: ('wagtail.blocks.RegexBlock', (), {'error_messages': {'invalid': 'Lower-case letters, digits and _, starting with a letter.'}, 'help_text': 'Lower-case letters, digits and _; unique in the form; used in exports.', 'label': 'code', 'regex': '^[a-z][a-z0-9_]{0,49}$'}), 2: ('wagtail.blocks.CharBlock', (), {'label': 'help text', 'max_length': 500, 'required': False}), 3: ('wagtail.blocks.BooleanBlock', (), {'default': True, 'label': 'required', 'required': False}), 4: ('wagtail.blocks.IntegerBlock', (), {'label': 'minimum length', 'min_value': 0, 'required': False}), 5: ('wagtail.blocks.IntegerBlock', (), {'label': 'maximum length', 'min_value': 1, 'required': False}), 6: ('wagtail.blocks.CharBlock', (), {'label': 'pattern (regular expression)', 'max_length': 300, 'required': False}), 7: ('wagtail.blocks.CharBlock', (), {'label': 'message when the pattern does not match', 'max_length': 300, 'required': False}), 8: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3), ('min_length', 4), ('max_length', 5), ('pattern', 6), ('pattern_message', 7)]], {}), 9: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3), ('min_length', 4), ('max_length', 5)]], {}), 10: ('wagtail.blocks.DecimalBlock', (), {'label': 'minimum value', 'required': False}), 11: ('wagtail.blocks.DecimalBlock', (), {'label': 'maximum value', 'required': False}), 12: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3), ('min_value', 10), ('max_value', 11)]], {}), 13: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3)]], {'icon': 'date', 'label': 'date'}), 14: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3)]], {'icon': 'mail', 'label': 'e-mail'}), 15: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3)]], {'icon': 'mobile-alt', 'label': 'phone'}), 16: ('wagtail.blocks.CharBlock', (), {'max_length': 200}), 17: ('wagtail.blocks.ListBlock', (16,), {'label': 'choices', 'min_num': 1}), 18: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3), ('choices', 17)]], {'label': 'single choice'}), 19: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3), ('choices', 17)]], {'label': 'multiple choice'}), 20: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3)]], {'icon': 'tick', 'label': 'checkbox'}), 21: ('wagtail.blocks.TextBlock', (), {'label': 'terms to accept'}), 22: ('wagtail.blocks.StructBlock', [[('label', 0), ('code', 1), ('help_text', 2), ('required', 3), ('terms', 21)]], {})}, help_text='Answers are kept with each appointment; staff see them on its page.', verbose_name='questions asked at booking'),
        ),
        migrations.RunPython(questions_to_fields, fields_to_questions),
        migrations.RemoveField(
            model_name='appointmentservice',
            name='questions',
        ),
    ]
