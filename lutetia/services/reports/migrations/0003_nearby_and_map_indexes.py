"""Indexes of the residents' spatial reads: nearby reports of one category, and the map.

The map's covering index lets PostgreSQL answer a viewport from the index alone (no table
row read per report); SQLite has no covering indexes and keeps using report_cell_date.
"""

from django.db import migrations, models

MAP_INDEX = "report_cell_map"


def create_map_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {MAP_INDEX} ON reports_report (cell) INCLUDE "
            "(longitude, latitude, created_at, status, category_id, reference, published_at, "
            "hidden)"
        )


def drop_map_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {MAP_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_alter_categoryattribute_category"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["category", "cell"], name="report_category_cell"),
        ),
        migrations.RunPython(create_map_index, drop_map_index),
    ]
