"""Templates render whatever a nullable relation holds."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
# A filter argument such as default:item.occupation.label: unlike the value before the "|",
# Django resolves filter arguments strictly, so a None halfway along is a server error.
DEEP_FILTER_ARGUMENT = re.compile(r"\|\s*\w+\s*:\s*([A-Za-z_]\w*(?:\.\w+){2,})")


def test_no_filter_argument_reaches_through_a_relation():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(1)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for tag in TAG.findall(path.read_text(encoding="utf-8"))
        for match in DEEP_FILTER_ARGUMENT.finditer(tag)
    ]

    assert not found, f"use {{% firstof a b.c.d %}} or an {{% if %}} instead: {found}"
