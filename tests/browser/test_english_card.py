"""In English the enterprise page's cards keep their values readable: the labels ("Legal
representative's backup phone") are longer than in Chinese, and a label column sized to its
longest label left the values three characters wide."""

import pytest
from django.urls import reverse

MEASURE = """
() => [...document.querySelectorAll('dl.facts')].flatMap(dl => [...dl.querySelectorAll('dd')]
  .map(dd => ({label: dd.previousElementSibling?.textContent.trim(),
               width: dd.getBoundingClientRect().width,
               list: dl.getBoundingClientRect().width})))
"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_enterprise_cards_keep_values_readable(
    new_context, live_server, login, admin_user, enterprise_a, shot, language, width
):
    context = new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = login(context.new_page(), admin_user.username)
    page.goto(reverse("registry:enterprise", args=[enterprise_a.uscc]))
    cells = page.evaluate(MEASURE)
    shot(page, f"enterprise-card-{language}-{width}")
    assert cells
    # Every value keeps at least half its list's width, however long its label.
    narrow = [c for c in cells if c["width"] < 0.5 * c["list"]]
    assert not narrow, narrow
