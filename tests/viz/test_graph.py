"""The unrolled computational graph: its nodes and edges follow the equations, its layout is
time × kind, its drawing is a real picture, and the command line writes it."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Circle

from frnn import graph
from frnn.viz.figures import save_figure
from helpers import run_cli

MODES = [
    {"many_to_many": m2m, "initial_state": a0, "targets": y}
    for m2m in (True, False)
    for a0 in (True, False)
    for y in (False, True)
]


def expected(T, *, many_to_many, initial_state, targets):
    """Nodes and labelled edges written down from the equations, step by step."""
    nodes, edges = set(), set()
    with_loss = range(1, T + 1) if many_to_many else [T]  # many-to-one: L(z(T), y) only
    if initial_state:
        nodes.add("a(0)")
    for t in range(1, T + 1):
        nodes |= {f"x({t})", f"a({t})"}
        edges.add((f"x({t})", f"a({t})", "W"))  # s(t) = W x(t) + ...
        if t > 1 or initial_state:
            edges.add((f"a({t - 1})", f"a({t})", "R"))  # ... + R a(t−1)
    for t in with_loss:
        nodes |= {f"z({t})", f"L({t})"}
        edges |= {(f"a({t})", f"z({t})", "V"), (f"z({t})", f"L({t})", "BCE")}
        if targets:
            nodes.add(f"y({t})")
            edges.add((f"y({t})", f"L({t})", "BCE"))
    return nodes, edges


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("T", [1, 2, 3, 4, 5])
def test_nodes_and_edges_follow_the_equations(T, mode):
    G = graph.build(T, **mode)
    nodes, edges = expected(T, **mode)
    assert set(G.nodes) == nodes
    assert set(G.edges(data="label")) == edges
    assert nx.is_directed_acyclic_graph(G)


def test_hand_worked_many_to_one():
    G = graph.build(2, many_to_many=False)
    assert set(G.nodes) == {"a(0)", "x(1)", "a(1)", "x(2)", "a(2)", "z(2)", "L(2)"}
    assert dict(((u, v), d) for u, v, d in G.edges(data="label")) == {
        ("a(0)", "a(1)"): "R",
        ("x(1)", "a(1)"): "W",
        ("a(1)", "a(2)"): "R",
        ("x(2)", "a(2)"): "W",
        ("a(2)", "z(2)"): "V",
        ("z(2)", "L(2)"): "BCE",
    }
    # every loss depends on every earlier input: the graph carries the recurrence
    assert nx.ancestors(G, "L(2)") >= {"x(1)", "x(2)", "a(0)"}


def test_mse_labels_the_loss_edges():
    G = graph.build(2, loss="mse")
    assert G.edges["z(1)", "L(1)"]["label"] == "MSE"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("T", [1, 3, 5])
def test_layout_is_time_by_kind(T, mode):
    G = graph.build(T, **mode)
    data = G.nodes(data=True)
    column = {}
    row = {}
    for name, d in data:
        assert name == f"{d['kind']}({d['t']})"
        column.setdefault(d["t"], set()).add(d["pos"][0])
        row.setdefault(d["kind"], set()).add(d["pos"][1])
    assert all(len(xs) == 1 for xs in column.values())  # one column per t ...
    xs = [column[t].pop() for t in sorted(column)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # ... left to right in time
    assert all(len(ys) == 1 for ys in row.values())  # one row per kind ...
    heights = {kind: ys.pop() for kind, ys in row.items()}
    order = [k for k in ("x", "a", "z", "L", "y") if k in heights]
    assert [heights[k] for k in order] == sorted(heights.values())  # ... inputs at the bottom
    assert len(set(heights.values())) == len(heights)
    spots = [d["pos"] for _, d in data]
    assert len(set(spots)) == len(spots)  # no two nodes on one spot


@pytest.mark.parametrize("steps", [0, -1])
def test_steps_below_one_is_a_value_error(steps):
    with pytest.raises(ValueError, match="steps"):
        graph.build(steps)


@pytest.mark.parametrize("steps", [2.5, 3.0, "3", None, True])
def test_steps_not_an_integer_is_a_type_error(steps):
    with pytest.raises(TypeError, match="steps"):
        graph.build(steps)


def test_build_takes_numpy_integers_and_is_reachable_from_frnn():
    import frnn

    assert set(frnn.graph.build(np.int64(2)).nodes) == set(graph.build(2).nodes)


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="loss"):
        graph.build(3, loss="hinge")


def _pixels(ax) -> np.ndarray:
    canvas = ax.figure.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)  # (H, W, 3)


def _near(image: np.ndarray, rgb, tolerance=30) -> int:
    return int((np.abs(image - np.array(rgb)).max(axis=-1) < tolerance).sum())


@pytest.mark.parametrize("T", [1, 3])
def test_drawing_is_a_real_picture(T):
    ax = graph.draw(graph.build(T))
    image = _pixels(ax)
    height, width, _ = image.shape
    assert 300 < width < 3000 and 300 < height < 2000
    ink = (image < 200).any(axis=-1).mean()
    assert 0.01 < ink < 0.5
    texts = {t.get_text() for t in ax.texts}
    assert {f"${k}({T})$" for k in "xazL"} <= texts and {"$W$", "$V$", "BCE"} <= texts
    assert ("$R$" in texts) == (T > 1 or "a(0)" in graph.build(T))


@pytest.mark.slow
def test_backward_overlays_the_gradients_in_red():
    forward_only = _pixels(graph.draw(graph.build(3)))
    with_gradients = graph.draw(graph.build(3), backward=True)
    red = (214, 39, 40)  # tab:red, used only by the overlay
    assert _near(forward_only, red) == 0
    assert _near(_pixels(with_gradients), red) > 500
    texts = {t.get_text() for t in with_gradients.texts}
    # what each arrow carries into a(t): Vᵀ ∂L/∂z(t) from above, Rᵀ δ(t+1) from the right
    # (δ(t+1) = f′(s(t+1)) ⊙ ∂L/∂a(t+1): the gradient passes the activation before R)
    assert {rf"$V^\top\partial L/\partial z({t})$" for t in (1, 2, 3)} <= texts
    assert {rf"$R^\top\delta({t})$" for t in (1, 2, 3)} <= texts
    assert not any(r"\partial a" in text for text in texts)  # no ∂L/∂a(t+1) on an R edge


def test_draw_uses_the_given_axes():
    ax = Figure().add_subplot()
    assert graph.draw(graph.build(2), ax) is ax


def test_draw_rejects_what_build_did_not_make():
    with pytest.raises(TypeError, match="G"):
        graph.draw(nx.Graph())
    with pytest.raises(ValueError, match="pos"):
        graph.draw(nx.DiGraph([("a", "b")]))


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.slow
@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_cli_writes_each_format(tmp_path, extension):
    result = run_cli("graph", "--steps", "2", "--backward", "--out", f"g.{extension}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"g.{extension}").read_bytes().startswith(MAGIC[extension])
    assert [p.name for p in tmp_path.iterdir()] == [f"g.{extension}"]  # no temporary left


@pytest.mark.parametrize(
    "args, message",
    [
        (["--steps", "0"], "--steps"),
        (["--steps", "2.5"], "--steps"),
        (["--steps", "three"], "--steps"),
        (["--steps", "1001"], "--steps"),
        (["--out", "graph.jpg"], "--out"),
        (["--out", "missing/dir/graph.png"], "could not write missing/dir/graph.png: its folder"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    result = run_cli("graph", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


# -- long graphs: bounded pictures, labels inside their nodes ---------------------------------
LONG = [1, 3, 9, 10, 11, 30, 100, 1000]


def _node_labels(ax):
    """(circle, label) pairs: each node's circle and the text drawn at its centre."""
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    texts = {tuple(np.round(t.get_position(), 9)): t for t in ax.texts}
    return [(c, texts[tuple(np.round(c.center, 9))]) for c in circles]


@pytest.mark.slow
@pytest.mark.parametrize("T", LONG)
@pytest.mark.parametrize("mode", [{}, {"targets": True}, {"many_to_many": False}])
def test_long_graphs_keep_a_bounded_picture_with_labels_inside_their_nodes(T, mode, tmp_path):
    """Before: --steps 10 labels overflowed their circles, --steps 30 was 6,406 px wide."""
    ax = graph.draw(graph.build(T, **mode), backward=True)
    path = save_figure(ax.figure, tmp_path / "g.png")
    height, width = imread(path).shape[:2]
    assert width <= 2500 and height <= 1000, (width, height)
    ax.figure.canvas.draw()
    pairs = _node_labels(ax)
    assert len(pairs) >= 2 * min(T, 10)  # x(t) and a(t) for each step drawn
    for circle, text in pairs:
        centre = ax.transData.transform(circle.center)  # pixels
        radius = (
            ax.transData.transform((circle.center[0] + circle.radius, 0))[0]
            - (ax.transData.transform((circle.center[0], 0))[0])
        )
        box = text.get_window_extent()
        corners = np.array([(x, y) for x in (box.x0, box.x1) for y in (box.y0, box.y1)])
        assert np.hypot(*(corners - centre).T).max() <= radius, text.get_text()
        assert text.get_fontsize() >= 9  # shrunk, if at all, no further than legible


def test_a_long_graph_shows_its_first_and_last_steps_with_ellipses_between():
    ax = graph.draw(graph.build(30), backward=True)
    texts = [t.get_text() for t in ax.texts]
    for t in (1, 4, 27, 30):
        assert f"$a({t})$" in texts and f"$x({t})$" in texts and f"$L({t})$" in texts
    assert not {f"$a({t})$" for t in range(5, 27)} & set(texts)
    assert texts.count(r"$\cdots$") == 4  # one per row: x, a, z, L
    assert texts.count("$R$") == 9  # 4 arrows a(0) → … → a(4), 2 via ⋯, 3 a(27) → … → a(30)
    # the gradients into and out of the ellipsis name the hidden states they carry
    assert {r"$R^\top\delta(5)$", r"$R^\top\delta(27)$"} <= set(texts)


def test_max_steps_none_draws_every_step_and_small_limits_are_refused():
    texts = {t.get_text() for t in graph.draw(graph.build(12), max_steps=None).texts}
    assert {f"$a({t})$" for t in range(13)} <= texts and r"$\cdots$" not in texts
    with pytest.raises(ValueError, match="max_steps must be an integer in"):
        graph.draw(graph.build(12), max_steps=2)


@pytest.mark.slow
def test_cli_draws_a_hundred_steps(tmp_path):
    result = run_cli("graph", "--steps", "100", "--backward", "--out", "g.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert imread(tmp_path / "g.png").shape[1] <= 2500
