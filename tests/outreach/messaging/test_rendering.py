"""Placeholders in admin-written templates: plain substitutions, nothing executable."""

import pytest
from django.core.exceptions import ValidationError

from outreach.messaging import rendering


def test_placeholders_are_filled_whatever_the_spacing():
    text = "{{enterprise}}的{{  liaison }}您好"
    assert rendering.render(text, {"enterprise": "甲公司", "liaison": "张伟"}) == "甲公司的张伟您好"


def test_template_tags_from_admins_are_not_run():
    text = "{% load static %}{{ enterprise.delete }}{{ settings.SECRET_KEY }}"
    with pytest.raises(ValidationError):
        rendering.validate(text)
    # Even unvalidated, nothing but a plain known name is substituted.
    assert rendering.render(text, {"enterprise": "甲"}) == text


def test_an_unknown_placeholder_is_refused_with_its_name():
    with pytest.raises(ValidationError) as error:
        rendering.validate("您好 {{ boss }}")
    assert "{{ boss }}" in error.value.messages[0]


def test_canonical_form_is_what_the_sql_renderer_replaces():
    sql, params = rendering.sql_render(
        "{{liaison}}：{{ enterprise }}", {"enterprise": "e.name", "liaison": "l.name"}
    )
    assert params[0] == "{{ liaison }}：{{ enterprise }}"
    assert sql.count("replace(") == 2
