"""On a phone (375 px) a wide table must scroll inside its own box, never the page: every table on
a page of the app sits in a `.table-responsive` wrapper (Bootstrap's; finsam.css keeps visually
hidden texts inside it). PDF templates are laid out for paper and are left out."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# A partial whose includers wrap it (checked below).
WRAPPED_BY_INCLUDER = {"insatser/partials/insats_table.html"}
WRAPPER = re.compile(r'<div class="table-responsive[^"]*"[^>]*>\s*$')


def unwrapped_tables() -> list[str]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if "/pdf/" in f"/{name}" or name in WRAPPED_BY_INCLUDER:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            if not WRAPPER.search(text[: match.start()]):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}")
    return found


def test_every_table_on_a_page_scrolls_in_its_own_box():
    message = 'Lägg tabellen i <div class="table-responsive"> så att sidan inte rullar i sidled i en telefon.'
    assert unwrapped_tables() == [], message


def test_the_insats_table_partial_is_included_only_inside_a_wrapper():
    includes = re.compile(r'(.{0,40})\{% include "insatser/partials/insats_table\.html"')
    for path in TEMPLATES.rglob("*.html"):
        for match in includes.finditer(path.read_text(encoding="utf-8")):
            assert 'class="table-responsive">' in match.group(1), path.name
