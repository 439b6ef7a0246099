"""Deciles where the staff look, in Chromium against the real server and the demo: the
review queue shows each household's decile as a tag (deciles 1-4 highlighted as the
poorest 40 %), filters by "Desil 1-4", and the visit shows it; progress shows the poorest
40 % first and every region by decile band; the assign screen filters by decile. On a
laptop and on a 412-wide phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Server, screenshot, staff_context, staff_sign_in

pytestmark = pytest.mark.browser


def _queue_filtered_to_poorest(page: Any) -> None:
    page.wait_for_selector(".rv-queue")
    page.wait_for_selector("#queue[data-loaded]", state="attached")
    page.select_option("select[name='decile']", "1-4")
    page.wait_for_selector("#queue[data-loaded*='decile=1-4']", state="attached")


def test_review_queue_shows_and_filters_deciles(browser: Any, server: Server) -> None:
    supervisor = server.token("supervisor")
    status, everything = server.api("GET", "/api/v1/visits?limit=200", supervisor)
    assert status == 200, everything
    poorest = [item for item in everything["items"] if item["decile"] and item["decile"] <= 4]
    assert poorest, "the demo's visits should include households of deciles 1-4"

    with staff_context(browser, server) as laptop:
        page = staff_sign_in(laptop, "supervisor")
        page.wait_for_selector(".rv-queue")
        page.wait_for_selector("tr.rv-row .decile-tag")
        # Every row of a household with a decile carries its tag, the poorest highlighted.
        for item in everything["items"][:10]:
            row = page.locator(f"tr.rv-row[data-visit='{item['visit_id']}']")
            if item["decile"]:
                tag = row.locator(".decile-tag")
                assert tag.inner_text().startswith(f"Desil {item['decile']}")
                assert ("poorest" in (tag.get_attribute("class") or "")) == (item["decile"] <= 4)

        _queue_filtered_to_poorest(page)
        rows = page.locator("tr.rv-row")
        assert rows.count() == len(poorest)
        assert page.locator("tr.rv-row .decile-tag.poorest").count() == len(poorest)
        assert "40 % termiskin" in rows.first.locator(".decile-tag").inner_text()
        total = int(page.locator(".rv-tab[data-state='all'] .rv-count").inner_text())
        assert total == len(poorest)
        screenshot(page, "review-deciles")

        # The visit shows the decile in its header and its facts.
        rows.first.locator("a").first.click()
        page.wait_for_selector("#rv-header .decile-tag.poorest")
        assert "40 % termiskin" in page.locator("#rv-decile").inner_text()

        # Progress: the poorest 40 % tile and every region by decile band; the filter.
        page.goto("/#/progress")
        page.wait_for_selector("#progress-poorest")
        page.wait_for_selector("#progress-deciles tbody tr")
        assert "40 % termiskin" in page.locator("#progress-poorest").inner_text()
        page.locator("#progress-deciles").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -160)")  # the section's heading too
        screenshot(page, "progress-deciles")
        page.select_option("#progress-decile", "1-4")
        page.wait_for_selector("#progress-decile-note")
        page.wait_for_selector("#progress-deciles tbody tr")
        screenshot(page, "progress-deciles-filtered")

    # The same queue on a 412-wide phone.
    with staff_context(
        browser, server, viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True
    ) as phone:
        page = staff_sign_in(phone, "supervisor")
        _queue_filtered_to_poorest(page)
        assert page.locator("tr.rv-row .decile-tag.poorest").count() == len(poorest)
        page.locator("select[name='decile']").scroll_into_view_if_needed()  # filter, then rows
        page.evaluate(
            "window.scrollBy(0, document.querySelector(\"select[name='decile']\")"
            ".getBoundingClientRect().top - 190)"
        )
        screenshot(page, "review-deciles-412")


def test_assign_screen_filters_by_decile(laptop: Any, server: Server) -> None:
    page = staff_sign_in(laptop, "supervisor")
    page.click("nav.staff-menu >> text=Penugasan")
    page.wait_for_selector("#assign-village select")
    page.select_option("#assign-village select[data-level='district']", "17.06.01")
    villages = page.locator("#assign-village select[data-level='village'] option")
    page.select_option(
        "#assign-village select[data-level='village']", villages.nth(1).get_attribute("value")
    )
    page.wait_for_selector("#households tbody tr .decile-tag")
    everything = page.locator("#households tbody tr").count()
    page.select_option("#filter-decile", "1-4")
    shown = page.locator("#households tbody tr")
    assert 0 < shown.count() < everything
    assert shown.count() == page.locator("#households tbody tr .decile-tag.poorest").count()
    screenshot(page, "assign-deciles")
