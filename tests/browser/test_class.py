"""A class on one link: the teacher's locked presentation link, opened by a student, and the guided path."""

from __future__ import annotations

import pytest
from browserutil import open_view, page_title, screenshot, sidebar_caption
from journeys import main, query, settle

pytestmark = pytest.mark.browser

SLIDER = "Smoothing k: fake counts added to every cell of N"


def test_a_locked_link_holds_for_the_student_until_they_unlock_it(server, new_page):
    student = new_page()
    link = "/Smoothing?list=surnames&k=2&seed=42&teach=1&lock=1"
    open_view(student, server.url, link, page_title("pages/3_Smoothing.py"))
    assert sidebar_caption(student).startswith("88,799 words")
    note = main(student).get_by_text("Your teacher's link fixes these settings")
    assert note.count() == 1
    slider = main(student).get_by_role("slider", name=SLIDER)
    slider.focus()
    student.keyboard.press("ArrowRight")  # a student tries to move it
    settle(student)
    assert slider.get_attribute("aria-valuetext") == "2"  # locked: it does not move
    assert student.get_by_test_id("stSidebar").get_by_role("combobox", name="Word list").is_disabled()
    screenshot(student, "class-locked-presentation")

    # Switch pages: still locked, still presenting (the page links carry both).
    student.get_by_test_id("stExpandSidebarButton").click()  # presenting folds the sidebar away: open it
    student.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Sample").first.click()
    student.locator("h1").filter(has_text=page_title("pages/5_Sample.py")).first.wait_for(timeout=60_000)
    settle(student)
    assert main(student).get_by_label("Seed", exact=True).is_disabled()
    assert query(student).get("lock") == "1" and query(student).get("teach") == "1"

    main(student).get_by_role("button", name="Unlock for myself").click()
    settle(student)
    assert not main(student).get_by_label("Seed", exact=True).is_disabled()
    assert "lock" not in query(student)  # their own link no longer locks anyone


def test_the_guided_path_leads_from_step_to_step(server, page):
    open_view(page, server.url, "/", "Bigram Lab")
    main(page).get_by_role("link", name="1. Counting bigrams — How the counting is done").click()
    page.locator("h1").filter(has_text=page_title("pages/2_Counts.py")).first.wait_for(timeout=60_000)
    settle(page)
    assert "Lecture step 1 of 13: Counting bigrams" in main(page).inner_text()
    main(page).get_by_role("link", name="Next: 3. Sampling from the counts").click()
    page.locator("h1").filter(has_text=page_title("pages/5_Sample.py")).first.wait_for(timeout=60_000)
    settle(page)
    assert "Lecture step 3 of 13" in main(page).inner_text()
