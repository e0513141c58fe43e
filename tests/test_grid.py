"""The clickable grids (ui/grid.py): every cell's value, label and hover formula against the lecture's own
quantities computed in float64, the pick's outline, and the cell a click reports."""

import json
import math

import pytest
import torch

from bigram import CountModel, lecture
from ui import grid

WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]


def model():
    return CountModel.from_words(WORDS)


def cells(g: grid.Grid) -> dict[tuple[int, int], list]:
    """The grid's data items by (row, column) position; a crossed cell's item is unwrapped."""
    out = {}
    for item in g.spec["series"][0]["data"]:
        value = item["value"] if isinstance(item, dict) else item
        out[(value[1], value[0])] = value
    return out


def test_the_count_grid_is_the_lecture_picture_of_N():
    stoi, itos = lecture.vocabulary(WORDS)
    N = lecture.count_matrix(WORDS, stoi)  # the lecture's N[ix1, ix2] += 1
    m = model()
    g = grid.counts_grid(m.N, m.vocab.itos, view="counts")
    assert g.spec["xAxis"]["data"] == itos and g.spec["yAxis"]["data"] == itos
    assert g.spec["yAxis"]["inverse"] and g.spec["xAxis"]["position"] == "top"  # row 0 on top, as in the lecture
    got = cells(g)
    assert len(got) == len(itos) ** 2
    for (r, c), item in got.items():
        assert item[2] == N[r, c] and item[grid.LABEL] == f"{itos[r]}{itos[c]}\n{int(N[r, c])}"
    assert g.spec["visualMap"]["max"] == N.max() and g.spec["visualMap"]["min"] == 0
    json.dumps(g.spec)  # what Streamlit sends: plain JSON, nothing else


def test_a_cells_hover_fills_the_add_k_formula_with_its_own_numbers():
    """(N + k) / (row sum + V·k) with that cell's count and row sum, and the P they give: the lecture's P."""
    stoi, itos = lecture.vocabulary(WORDS)
    N = lecture.count_matrix(WORDS, stoi)
    k, V = 0.5, len(itos)
    P = lecture.probabilities(N, k=k, dtype=torch.float64)
    m = model()
    g = grid.probability_grid(m.probabilities(k), m.vocab.itos, N=m.N, k=k)
    assert g.spec["tooltip"]["formatter"] == f"{{@[{grid.FORMULA}]}}<br>{grid.CLICK_HINT}"
    got = cells(g)
    for i, j in ((stoi["e"], stoi["m"]), (0, stoi["a"]), (stoi["a"], 0), (0, 0)):
        formula = got[(i, j)][grid.FORMULA]
        count, row_sum = int(N[i, j]), int(N[i].sum())
        assert formula.startswith(f"p({itos[j]} | {itos[i]}) = (N + k) / (row sum + V·k)")
        assert f"= ({count:,} + 0.5) / ({row_sum:,} + {V}·0.5) = {float(P[i, j]):.4f}" in formula
        assert (count + k) / (row_sum + V * k) == pytest.approx(float(P[i, j]), abs=1e-12)


def test_probability_grid_log_colours_and_crossed_zeros():
    m = model()
    P = m.probabilities(0.0)
    g = grid.probability_grid(P, m.vocab.itos, title="k = 0")
    a, v = m.vocab.stoi["a"], m.vocab.stoi["v"]
    got = cells(g)
    assert math.isclose(got[(a, v)][2], math.log10(float(P[a, v])), rel_tol=1e-9)
    assert (g.spec["visualMap"]["min"], g.spec["visualMap"]["max"]) == (grid.LOG10_FLOOR, 0)
    crossed = [d for d in g.spec["series"][0]["data"] if isinstance(d, dict)]
    below = grid.LOG10_FLOOR - 1  # under the scale: drawn white (outOfRange), a cross on it
    assert len(crossed) == int((P == 0).sum()) and all(d["value"][2] == below for d in crossed)
    assert got[(0, 0)][2] == below and crossed[0]["label"]["formatter"] == "×"
    assert g.spec["visualMap"]["outOfRange"]["color"] == "#ffffff"
    after = grid.probability_grid(m.probabilities(1.0), m.vocab.itos, colorbar=False, ylabel=False)
    assert not [d for d in after.spec["series"][0]["data"] if isinstance(d, dict)]  # no zero after smoothing
    assert after.spec["visualMap"]["show"] is False and after.spec["yAxis"]["name"] == ""


def test_probability_grid_floors_tiny_probabilities_and_keeps_some_symbols():
    P = torch.tensor([[1e-9, 1 - 1e-9], [0.5, 0.5]], dtype=torch.float64)
    got = cells(grid.probability_grid(P, ["x", "y"]))
    assert got[(0, 0)][2] == grid.LOG10_FLOOR and math.isclose(got[(1, 0)][2], math.log10(0.5))
    m = model()
    ids = [0, m.vocab.stoi["a"], m.vocab.stoi["m"]]
    sub = grid.probability_grid(m.probabilities(0.5), m.vocab.itos, ids=ids, N=m.N, k=0.5)
    assert sub.spec["xAxis"]["data"] == [".", "a", "m"] and len(cells(sub)) == 9
    # A cut-down grid's formulas still use the full row sums and V.
    row_sum, V = int(m.N[1].sum()), m.V
    assert f"({row_sum:,} + {V}·0.5)" in cells(sub)[(1, 2)][grid.FORMULA]


def test_log_view_leaves_log_zero_blank_and_says_so():
    m = model()
    g = grid.counts_grid(m.log_probabilities(0), m.vocab.itos, view="log-probabilities")
    assert cells(g)[(0, 0)][2] < g.spec["visualMap"]["min"]  # below the scale: drawn white, with its label
    assert cells(g)[(0, 0)][grid.LABEL].endswith("-inf")
    with pytest.raises(ValueError):
        grid.counts_grid(m.N, m.vocab.itos, view="odds")


def test_difference_grid_is_centred_at_zero():
    D = torch.zeros(5, 5, dtype=torch.float64)
    D[1, 2] = -0.3
    g = grid.difference_grid(D, [".", "a", "b", "c", "d"], ids=[0, 1, 2])
    assert g.spec["xAxis"]["data"] == [".", "a", "b"]
    assert g.spec["visualMap"]["min"] == pytest.approx(-0.3) and g.spec["visualMap"]["max"] == pytest.approx(0.3)
    assert cells(g)[(1, 2)][grid.LABEL] == "ab: -0.30000"


def test_the_pick_is_outlined_and_told_to_a_screen_reader():
    m = model()
    a, n = m.vocab.stoi["a"], m.vocab.stoi["m"]
    g = grid.counts_grid(m.N, m.vocab.itos, pick=(a, n))
    outline = g.spec["series"][1]
    assert outline["data"] == [[n, a, 0]] and outline["itemStyle"]["borderColor"] == grid.ORANGE
    assert outline["silent"]  # a click goes through to the cell below
    assert "The bigram am is picked" in g.alt and "select boxes" in g.alt
    ids = [0, 1, 2]
    assert grid.counts_grid(m.N, m.vocab.itos, ids=ids, pick=(a, n)).spec["series"][1]["data"] == []  # not shown
    still = grid.probability_grid(m.probabilities(0), m.vocab.itos, pickable=False)
    assert still.spec["series"][0]["selectedMode"] is False
    assert grid.CLICK_HINT not in still.spec["tooltip"]["formatter"]
    assert "select boxes" not in still.alt


def test_picked_cell_reads_the_selected_data_index():
    assert grid.picked_cell({"selected": [{"series_index": 0, "data_indices": [30]}]}, 27) == (1, 3)
    assert grid.picked_cell({"selected": [{"series_index": 1, "data_indices": [30]}]}, 27) is None  # the outline
    assert grid.picked_cell({"selected": [{"series_index": 0, "data_indices": []}]}, 27) is None  # a click to clear
    assert grid.picked_cell({"selected": [{"series_index": 0, "data_indices": [729]}]}, 27) is None
    assert grid.picked_cell({}, 27) is None


def test_a_symbol_is_shown_as_plain_visible_text():
    labels = [".", "\u202e", "<b>"]
    g = grid.counts_grid(torch.ones(3, 3), labels)
    assert g.spec["xAxis"]["data"] == [".", "U+202E", "<b>"]  # ECharts draws option strings as text on a canvas
