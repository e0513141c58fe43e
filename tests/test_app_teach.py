"""Teacher mode through AppTest: a locked link fixes its settings for whoever opens it, until they unlock them."""

from apputil import open_page, shown

from ui import state

PAGE = "pages/3_Smoothing.py"


def test_a_locked_link_fixes_its_settings_says_so_and_can_be_unlocked():
    at = open_page(PAGE, query={"list": "surnames", "k": "2", "seed": "42", "lock": "1", "teach": "1"})
    assert not at.exception
    assert at.session_state[state.LOCKED] == {"list": "surnames", "k": 2.0, "seed": 42}
    assert at.select_slider(key="k").disabled and at.sidebar.selectbox(key=state.LIST_CHOICE).disabled
    note = next(shown(i.value) for i in at.info if "teacher's link" in shown(i.value))
    assert "k = 2" in note and "list = surnames" in note
    at.session_state["k"] = 5.0  # whatever a student's browser sends, the lock holds
    at.run()
    assert at.session_state["k"] == 2.0
    at.button(key=state.UNLOCK).click().run()
    assert not at.select_slider(key="k").disabled
    assert "lock" not in at.query_params and at.query_params["teach"] == "1"  # their own link is theirs
    at.session_state["k"] = 5.0
    at.run()
    assert at.session_state["k"] == 5.0


def test_link_for_my_class_builds_a_locked_presentation_link():
    at = open_page(PAGE, query={"k": "3"})
    link = next(c.value for c in at.sidebar.code if "teach=1" in c.value)
    assert "k=3" in link and "lock=1" in link and link.split("?")[0].endswith("/Smoothing")
