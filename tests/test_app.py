"""The app as a person uses it, through Streamlit's AppTest: pages, the list picker, uploads, links."""

import pytest
from apputil import open_page, shown, upload

from ui import state
from ui.sidebar import PAGES

PAGE_FILES = [p.file for p in PAGES if p.file != "app.py"]


def metrics(at):
    return {shown(m.label): m.value for m in at.metric}


@pytest.mark.parametrize("page", [None, *PAGE_FILES])
def test_every_page_renders_on_the_default_list(page):
    at = open_page(page)
    assert not at.exception
    assert not at.error, [shown(e.value) for e in at.error]
    assert at.title, "every page has a title"
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert "29,910" in caption and "27" in caption


def test_home_shows_the_lists_numbers_and_the_chain_rule():
    at = open_page()
    m = metrics(at)
    assert m["Words"] == "29,910" and m["Bigrams"] == "214,764" and m["Symbols"] == "27"
    assert any("p(\\texttt{isabella})" in x.value for x in at.latex)


def test_switching_built_in_list_changes_every_number():
    at = open_page()
    at.sidebar.selectbox(key=state.LIST_CHOICE).set_value("surnames").run()
    assert metrics(at)["Words"] == "88,799"
    at.switch_page("pages/1_Data.py").run()
    assert metrics(at)["Words"] == "88,799"
    assert at.query_params.get("list") == "surnames"


def test_upload_replaces_the_list_and_survives_page_switches():
    at = open_page()
    upload(at, "mine.txt", "Zoë\nzoe\nann\n\nann\n".encode())
    assert not at.exception
    assert metrics(at)["Words"] == "4"
    for page in PAGE_FILES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert "**4** words" in " ".join(c.value for c in at.sidebar.caption), page
    at.switch_page("pages/1_Data.py").run()
    assert metrics(at)["Distinct words"] == "3"


def test_bad_upload_is_one_line_and_keeps_the_previous_list():
    at = open_page()
    upload(at, "good.txt", b"anna\nbob\n")
    upload(at, "bad.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert not at.exception
    errors = [shown(e.value) for e in at.sidebar.error]
    assert errors == ["bad.txt: this file is a PNG image, not a text word list"]
    assert metrics(at)["Words"] == "2"  # the good upload is still in use


def test_csv_upload_takes_the_named_column():
    at = open_page()
    at.sidebar.text_input(key="opt_column").set_value("name")
    upload(at, "people.csv", b"id,name\n1,Ada\n2,Alan\n3,Grace\n", "text/csv")
    assert metrics(at)["Words"] == "3"


def test_link_settings_are_restored_and_bad_ones_reported():
    at = open_page("pages/1_Data.py", query={"list": "surnames", "k": "0.5", "seed": "7"})
    assert at.session_state["k"] == 0.5 and at.session_state["seed"] == 7
    assert "88,799" in " ".join(c.value for c in at.sidebar.caption)
    bad = open_page(query={"k": "-3"})
    assert bad.session_state["k"] == 1.0
    assert any("k=-3" in shown(i.value) for i in bad.info)


def test_link_made_with_an_upload_says_why_it_shows_the_default():
    at = open_page(query={"list": "upload"})
    assert any("cannot travel in a link" in shown(i.value) for i in at.info)
    assert "29,910" in " ".join(c.value for c in at.sidebar.caption)


def test_two_sessions_never_see_each_others_lists_or_models():
    alice, bob = open_page(), open_page()
    upload(alice, "alice.txt", b"anna\nanne\nannie\n")
    upload(bob, "bob.txt", b"bob\nbobby\nrob\nrobert\n")
    alice.switch_page("pages/4_Neural_net.py").run()
    alice.button(key="net_train").click().run()
    assert not alice.exception
    assert alice.session_state["trained"], "Alice's net is stored in her session"
    for at, words in ((alice, "3"), (bob, "4")):
        at.switch_page("pages/1_Data.py").run()
        assert metrics(at)["Words"] == words
    bob.switch_page("pages/4_Neural_net.py").run()
    assert not bob.session_state["trained"], "Bob sees no trained net: Alice's stays hers"
    assert "alice" not in " ".join(c.value for c in bob.sidebar.caption)


def test_home_answers_the_probability_and_linear_algebra_questions():
    at = open_page()
    text = " ".join(m.value for m in at.markdown)
    for phrase in (
        "**joint**",
        "**marginal**",
        "**conditional**",
        "**Bayes' rule**",
        "**independence**",
        "torch.linalg.eig(P.T)",
        "new in Python 3.8",
        "average NLL",
    ):
        assert phrase in text, phrase


def test_the_counts_table_is_drawn_only_while_its_expander_is_open(lecture_counts):
    """A closed expander still draws what it holds: the 27 x 27 table is sent and drawn only when asked for."""
    from ui import state

    at = open_page("pages/2_Counts.py")
    assert not at.dataframe  # closed: nothing drawn
    at.session_state[state.COUNT_TABLE] = True  # the expander's open state
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    _, itos, N = lecture_counts  # the default list counted the lecture's way
    assert list(table.index) == [itos[i] for i in range(27)] and table.values.tolist() == N.tolist()
