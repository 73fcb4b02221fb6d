"""A small registry of extension points that are not part of a service manifest.

    @hooks.register("account_dashboard_panels")
    def my_panel(request): ...

    for fn in hooks.get("account_dashboard_panels"): fn(request)

Modelled on ``wagtail.hooks``; ``register_temporarily`` is for tests.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_hooks: dict[str, list[tuple[int, Callable[..., Any]]]] = defaultdict(list)


def register(name: str, fn: Callable[..., Any] | None = None, *, order: int = 0):
    """Register ``fn`` under ``name``; usable as ``@register("name")`` too."""
    if fn is None:

        def decorator(inner: Callable[..., Any]) -> Callable[..., Any]:
            register(name, inner, order=order)
            return inner

        return decorator
    _hooks[name].append((order, fn))
    return fn


def get(name: str) -> list[Callable[..., Any]]:
    return [fn for _, fn in sorted(_hooks[name], key=lambda item: item[0])]


def unregister(name: str, fn: Callable[..., Any]) -> None:
    _hooks[name] = [(order, f) for order, f in _hooks[name] if f is not fn]


@contextmanager
def register_temporarily(name: str, fn: Callable[..., Any], *, order: int = 0) -> Iterator[None]:
    register(name, fn, order=order)
    try:
        yield
    finally:
        unregister(name, fn)
