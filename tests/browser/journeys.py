"""The moves a person makes, written once for the journey tests: pick, type, press, switch pages.

Each helper acts through what a person sees (a label, a button's name, an option's text) and waits
until the app has answered, so that a journey reads as the steps it takes.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from browserutil import assert_no_exception, page_title, sidebar_caption, wait_charts, wait_idle, wait_text


def settle(page, timeout: float = 120_000) -> None:
    """Wait for the rerun an action started, then for its charts, and fail on any exception shown."""
    page.wait_for_timeout(150)  # the rerun starts a moment after the browser sends the new value
    wait_idle(page, timeout)
    wait_charts(page, timeout=timeout)
    assert_no_exception(page)


def main(page):
    return page.get_by_test_id("stMain")


def shown(page) -> str:
    """What the main area says, to the eye or a screen reader: its text, and each grid's description (a grid draws
    its title on a canvas, and ECharts gives it the chart's ``alt`` as its aria-label)."""
    labels = page.eval_on_selector_all(
        '[data-testid="stMain"] [data-testid="stEChartsChart"][aria-label]', "els => els.map(e => e.ariaLabel)"
    )
    return "\n".join([main(page).inner_text(), *labels])


def upload(page, path) -> None:
    """Open the sidebar's uploader and choose a file, as a person does."""
    sidebar = page.get_by_test_id("stSidebar")
    expander = sidebar.get_by_text("Upload your own list")
    dropzone = sidebar.get_by_test_id("stFileUploaderDropzoneInput")
    if not (dropzone.count() and sidebar.get_by_test_id("stFileUploaderDropzone").first.is_visible()):
        expander.click()  # open it, as a person does; its messages show inside
    dropzone.set_input_files(path if isinstance(path, dict) else str(path))


def select(page, label: str, option: str, *, where=None) -> None:
    """Open the select box labelled ``label`` and click the option whose text is ``option``."""
    (where or main(page)).get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page)


def number(page, label: str, value) -> None:
    """Type a value into a number box and press Enter."""
    box = main(page).get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def text(page, label: str, value: str) -> None:
    box = main(page).get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    settle(page)


def press(page, name: str, timeout: float = 120_000) -> None:
    main(page).get_by_role("button", name=name, exact=True).first.click()
    settle(page, timeout)


def slide(page, label: str, key: str = "ArrowRight") -> None:
    """Move a slider one stop with the keyboard."""
    main(page).get_by_role("slider", name=label).focus()
    page.keyboard.press(key)
    settle(page)


def choose(page, option: str) -> None:
    """Click an option of a radio group or a segmented control by its text."""
    m = main(page)
    radio = m.get_by_test_id("stRadio").get_by_text(option, exact=True)
    if radio.count():
        radio.first.click()
    else:
        m.get_by_test_id("stButtonGroup").get_by_text(option, exact=True).first.click()
    settle(page)


def go(page, label: str, file: str) -> None:
    """Switch pages with the sidebar's menu and wait for the page's title."""
    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=label).first.click()
    page.locator("h1").filter(has_text=page_title(file)).first.wait_for(timeout=60_000)
    settle(page)


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_caption(page, start: str) -> str:
    return wait_text(
        page, lambda: sidebar_caption(page), lambda t: t.startswith(start), f"the sidebar to say {start!r}"
    )


def words_in_caption(page) -> int:
    m = re.match(r"([\d,]+) words", sidebar_caption(page))
    assert m, sidebar_caption(page)
    return int(m.group(1).replace(",", ""))


def option_after(page, box):
    """Open the select box ``box`` and return its option after the current one (the first after the last).

    A click alone can leave the box closed (it only takes the focus), and an arrow key on a closed box opens it on
    its first option, so Enter could take the current one again: open it, wait for its list, choose by the text."""
    current = box.input_value()
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    listbox = page.get_by_role("listbox").first
    listbox.wait_for()
    options = listbox.get_by_role("option")
    names = [t.strip() for t in options.all_inner_texts()]
    at = next((i for i, n in enumerate(names) if n == current or n.startswith(current + " ")), -1)
    return options.nth((at + 1) % len(names))


def select_next(page, label: str, *, where=None) -> None:
    """Open a select box and take the option after the current one."""
    option_after(page, (where or main(page)).get_by_role("combobox", name=label, exact=True)).click()
    settle(page)
