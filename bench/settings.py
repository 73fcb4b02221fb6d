"""Bench-only settings: the product's, plus the constant view that gives the ceiling."""

from lutetia.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
