"""A page at a given width and colour scheme, in a context of its own (close the context when done)."""

from __future__ import annotations

from typing import Any


def open_at(live_browser: Any, url: str, width: int, scheme: str = "light", **options: Any) -> tuple[Any, Any]:
    """(context, page) with `url` loaded at `width` × 900 CSS px in the `scheme` colour scheme."""
    context = live_browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page
