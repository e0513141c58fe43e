"""Teacher mode through AppTest: a locked link fixes its settings for whoever opens it, until they unlock them."""

from urllib.parse import parse_qsl

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


def test_link_for_my_class_locks_the_settings_at_their_defaults_too():
    """Issue 24 item 6: a locked class link carries every setting as shown, so its defaults are locked as well."""
    at = open_page(PAGE)
    link = next(c.value for c in at.sidebar.code if "lock=1" in c.value)
    assert "k=" in link and "seed=" in link and "steps=" in link
    student = open_page(PAGE, query=dict(parse_qsl(link.split("?", 1)[1])))
    assert {"k", "seed", "steps"} <= set(student.session_state[state.LOCKED])
    assert student.select_slider(key="k").disabled


def test_link_for_my_class_says_an_upload_does_not_travel():
    at = open_page(PAGE)
    at.file_uploader(key="uploader").set_value(("mine.txt", b"emma\nava\n", "text/plain"))
    at.run()
    caption = next(shown(c.value) for c in at.sidebar.caption if c.value.startswith("Students who open it"))
    assert "cannot travel in a link" in caption and "your list" not in caption


def test_link_for_my_class_locks_the_default_list_by_its_key():
    """Issue 24 item 6: the list at its default is locked too, so a student's upload cannot replace it."""
    at = open_page(PAGE)
    link = next(c.value for c in at.sidebar.code if "lock=1" in c.value)
    query = dict(parse_qsl(link.split("?", 1)[1]))
    assert query["list"] == "names"
    student = open_page(PAGE, query=query)
    assert student.session_state[state.LOCKED]["list"] == "names"
    assert student.sidebar.selectbox(key=state.LIST_CHOICE).disabled


def test_link_for_my_class_with_an_upload_leaves_the_list_free():
    """Students must upload the teacher's list themselves: a locked link made with an upload does not lock the list."""
    at = open_page(PAGE)
    at.file_uploader(key="uploader").set_value(("mine.txt", b"emma\nava\n", "text/plain"))
    at.run()
    link = next(c.value for c in at.sidebar.code if "lock=1" in c.value)
    assert "list" not in dict(parse_qsl(link.split("?", 1)[1]))


def test_a_locked_link_keeps_a_pick_that_fits_its_list():
    at = open_page(PAGE, query={"pick": "1,14", "lock": "1"})
    assert at.session_state["pick"] == "1,14" and at.session_state[state.LOCKED] == {"pick": "1,14"}
    assert not any("Ignored" in shown(i.value) for i in at.info)
