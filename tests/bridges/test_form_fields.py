"""The plain fields written in Python (bridges.templatetags.form_fields) are crispy's own markup.

Every page of the project (the admin aside: it does not use crispy) is opened as employer B, a
case worker, an admin and the candidate (their own view) on the permission matrix's world; every
field the Python path writes is also rendered by crispy-bootstrap5's template in the same context,
and the two must be the same HTML up to whitespace next to tags. The single checkboxes, written in
Python too, are counted, and so are the fields that fall back to the template (radio buttons, files,
errors, …), so that the walk is seen to reach every kind.
"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client

from bridges.templatetags import form_fields
from tests.bridges.test_permission_matrix import URLS, build_path
from tests.permission_world import build_world

pytestmark = pytest.mark.django_db

ROLES = ("employer_b", "case_worker", "admin", "candidate")


def normalized(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html)).strip()
    return re.sub(r"\s*(<|>)\s*", r"\1", html)


def test_the_python_fields_write_what_crispys_template_writes(monkeypatch, private_media):
    checked, checkboxes, fallen_back, differences = set(), set(), set(), []
    python_path = form_fields.plain_field_html

    def compare(context):
        html = python_path(context)
        field = context.get("field")
        name = f"{type(field.form).__name__}.{field.name}" if field is not None else "?"
        if not html or field.is_hidden:
            (fallen_back if not html else checked).add(name)
            return html
        template = context.template.engine.get_template("bootstrap5/field_full.html")
        expected = template.render(context)
        checked.add(name)
        if isinstance(field.field.widget, forms.CheckboxInput):
            checkboxes.add(name)
        if normalized(html) != normalized(expected):
            differences.append((name, normalized(html), normalized(expected)))
        return html

    monkeypatch.setattr(form_fields, "plain_field_html", compare)
    world = build_world()
    pages = 0
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        for name in sorted(URLS):
            if name.startswith("admin:") or name.startswith("api"):
                continue
            response = client.get(build_path(world, name))
            pages += response.status_code == 200

    for name, got, want in differences[:3]:
        print(name, "\n GOT ", got, "\n WANT", want)
    assert differences == [], differences[:3]
    assert pages > 100
    assert len(checked) > 100, sorted(checked)
    assert len(checkboxes) > 10, sorted(checkboxes)
    assert len(fallen_back) > 5, sorted(fallen_back)
