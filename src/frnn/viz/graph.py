"""The fully recurrent network unfolded in time, as a networkx graph, and its drawing.

    s(t) = W x(t) + R a(t−1),  a(t) = f(s(t)),  z(t) = V a(t),  L(t) = L(z(t), y(t))

Each node is one vector of the recurrence at one time step; each edge is one functional
dependency, labelled with the weight (or loss) that carries it.  Drawing uses matplotlib's
object interface on an Agg canvas, so it works headless and never touches pyplot's state.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch

from .._validate import check_choice, check_positive_int
from .figures import new_figure

__all__ = ["build", "draw", "KINDS"]

# Rows from the bottom: inputs first, the losses above what they measure, and the targets
# (outside data, like the inputs) on top.
KINDS = ("x", "a", "z", "L", "y")
_ROW = {kind: row for row, kind in enumerate(KINDS)}
_LOSS_LABELS = {"bce": "BCE", "mse": "MSE"}
_COLUMN_GAP, _ROW_GAP, _RADIUS = 2.4, 1.7, 0.36  # data units; the axes keep aspect 1
_STYLE = {  # edge colour and curvature (arc3 rad) by label; loss labels use "loss"
    "W": ("0.25", 0.0),
    "V": ("0.25", 0.0),
    "R": ("tab:blue", -0.28),
    "loss": ("tab:orange", 0.0),
}
_GRADIENT = "tab:red"


def build(
    steps: int = 3,
    *,
    many_to_many: bool = True,
    initial_state: bool = True,
    targets: bool = False,
    loss: str = "bce",
) -> nx.DiGraph:
    """The computational graph of the network unfolded over ``steps`` time steps.

    Nodes x(t), a(t) for t = 1..T; z(t), L(t) for every t (many-to-many) or for t = T only
    (many-to-one: nothing else reaches the loss); a(0) and y(t) when asked.  Edges:
    x(t) → a(t) "W", a(t−1) → a(t) "R", a(t) → z(t) "V", z(t) → L(t) and y(t) → L(t) the loss.

    Parameters
    ----------
    steps : int
        T ≥ 1, the number of time steps.
    many_to_many : bool
        A loss at every step (True) or at the last step only (False).
    initial_state : bool
        Include a(0), the initial state, with its edge a(0) → a(1).
    targets : bool
        Include the targets y(t) beside each loss node.
    loss : {"bce", "mse"}
        Which loss labels the edges into L(t).

    Returns
    -------
    networkx.DiGraph
        Nodes named "x(1)", "a(2)", "L(3)", … with attributes ``kind`` (one of KINDS),
        ``t`` (int) and ``pos`` ((column, row) in data units: t grows to the right, kinds
        stack upwards in the order of KINDS); edges with a ``label`` attribute.

    Examples
    --------
    >>> import frnn.graph
    >>> G = frnn.graph.build(steps=2, many_to_many=False)
    >>> sorted(G.nodes)
    ['L(2)', 'a(0)', 'a(1)', 'a(2)', 'x(1)', 'x(2)', 'z(2)']
    >>> G.edges["a(1)", "a(2)"]["label"]
    'R'
    """
    T = check_positive_int(steps, "steps")
    loss_label = _LOSS_LABELS[check_choice(loss, "loss", _LOSS_LABELS)]
    G = nx.DiGraph(steps=T, many_to_many=bool(many_to_many), loss=loss_label)
    if initial_state:
        _add_node(G, "a", 0)
    for t in range(1, T + 1):
        _add_node(G, "x", t)
        _add_node(G, "a", t)
        G.add_edge(f"x({t})", f"a({t})", label="W")
        if t > 1 or initial_state:
            G.add_edge(f"a({t - 1})", f"a({t})", label="R")
        if many_to_many or t == T:
            for kind in ("z", "L") + (("y",) if targets else ()):
                _add_node(G, kind, t)
            G.add_edge(f"a({t})", f"z({t})", label="V")
            G.add_edge(f"z({t})", f"L({t})", label=loss_label)
            if targets:
                G.add_edge(f"y({t})", f"L({t})", label=loss_label)
    return G


def _add_node(G: nx.DiGraph, kind: str, t: int) -> None:
    G.add_node(f"{kind}({t})", kind=kind, t=t, pos=(t * _COLUMN_GAP, _ROW[kind] * _ROW_GAP))


def draw(G: nx.DiGraph, ax: Axes | None = None, *, backward: bool = False) -> Axes:
    """Draw a graph from :func:`build`: labelled nodes, labelled arrows, recurrence in blue.

    With ``backward=True`` the gradient flow of BPTT is drawn over it: each edge u → v out of
    a state or a logit gets a dashed red edge v → u labelled ∂L/∂v, the gradient it carries
    back (so ∂L/∂a(t) = Vᵀ ∂L/∂z(t) + Rᵀ(f′(s(t+1)) ⊙ ∂L/∂a(t+1)) sums what arrives).

    Parameters
    ----------
    G : networkx.DiGraph
        Nodes with ``kind``, ``t`` and ``pos``; edges with ``label`` (as :func:`build` makes).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure on an Agg canvas, sized to the graph.
    backward : bool
        Overlay the backward pass.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_graph(G)
    if ax is None:
        columns = {G.nodes[n]["t"] for n in G}
        rows = {G.nodes[n]["kind"] for n in G}
        ax = new_figure((1.75 * len(columns) + 0.6, 1.25 * len(rows) + 1.0)).add_subplot()
    circles = {n: _draw_node(ax, n, G.nodes[n]) for n in G}
    for u, v, label in G.edges(data="label"):
        color, rad = _STYLE.get(label, _STYLE["loss"])
        _arrow(
            ax,
            circles[u],
            circles[v],
            color=color,
            rad=rad,
            text=_math(label) if label in ("W", "R", "V") else label,
        )
    if backward:
        for u, v in G.edges:
            if G.nodes[u]["kind"] in ("a", "z"):  # inputs and targets need no gradient
                rad = _STYLE["R"][1] if G.nodes[u]["kind"] == G.nodes[v]["kind"] else 0.3
                text = None if G.nodes[v]["kind"] == "L" else rf"$\partial L/\partial {v}$"
                _arrow(ax, circles[v], circles[u], color=_GRADIENT, rad=rad, text=text, dashed=True)
    _frame(ax, G, backward)
    return ax


def _check_graph(G) -> None:
    if not isinstance(G, nx.DiGraph):
        raise TypeError(f"G must be a networkx.DiGraph from frnn.graph.build; got {type(G)}")
    for node, data in G.nodes(data=True):
        if not {"kind", "t", "pos"} <= data.keys():
            raise ValueError(f"G's node {node!r} needs 'kind', 't' and 'pos'; has {sorted(data)}")


def _math(text: str) -> str:
    return f"${text}$"


def _draw_node(ax, name: str, data: dict) -> Circle:
    edge = _STYLE["loss"][0] if data["kind"] == "L" else "0.2"
    face = {"x": "#e8f1fb", "y": "#e8f1fb", "a": "#fdf6e3", "z": "#eef7ee"}.get(data["kind"], "w")
    circle = Circle(data["pos"], _RADIUS, facecolor=face, edgecolor=edge, lw=1.4, zorder=3)
    ax.add_patch(circle)
    ax.text(*data["pos"], _math(name), ha="center", va="center", fontsize=12, zorder=4)
    return circle


def _arrow(ax, start: Circle, end: Circle, *, color, rad, text, dashed=False) -> None:
    """A (curved, when rad ≠ 0) arrow between two node circles, its label at the midpoint."""
    arrow = FancyArrowPatch(
        start.center,
        end.center,
        patchA=start,
        patchB=end,
        connectionstyle=f"arc3,rad={rad}",
        arrowstyle="-|>",
        mutation_scale=14,
        color=color,
        lw=1.3,
        linestyle="--" if dashed else "-",
        shrinkA=2,
        shrinkB=2,
        zorder=2,
    )
    ax.add_patch(arrow)
    if text:
        # arc3's control point is midpoint + rad·(dy, −dx); the curve passes halfway to it.
        (x1, y1), (x2, y2) = start.center, end.center
        mid = ((x1 + x2) / 2 + rad * (y2 - y1) / 2, (y1 + y2) / 2 - rad * (x2 - x1) / 2)
        vertical = dashed and x1 == x2  # then the label goes beside the bulge, off the column
        ax.text(
            mid[0] - 0.06 * vertical,
            mid[1],
            text,
            ha="right" if vertical else "center",
            va="center",
            fontsize=9 if dashed else 10,
            color=color,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
        )


def _frame(ax, G: nx.DiGraph, backward: bool) -> None:
    """Fit the limits to the nodes (arcs included), hide the axes, add a legend below."""
    xy = np.array([G.nodes[n]["pos"] for n in G])  # (N, 2)
    pad = _RADIUS + 0.25
    arc = abs(_STYLE["R"][1]) * _COLUMN_GAP / 2 + 0.2  # how far the recurrent arcs bulge
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - max(pad, arc), xy[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.axis("off")
    labels = {label for *_, label in G.edges(data="label")}
    handles = [Line2D([], [], color="0.25", label="forward: W, V")]
    if "R" in labels:
        handles.append(Line2D([], [], color=_STYLE["R"][0], label="recurrence R"))
    if labels - set("WRV"):
        loss = f"loss {G.graph.get('loss', '')}".strip()
        handles.append(Line2D([], [], color=_STYLE["loss"][0], label=loss))
    if backward:
        handles.append(Line2D([], [], color=_GRADIENT, ls="--", label="BPTT gradient"))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(handles),
        frameon=False,
        fontsize=9,
        handlelength=1.8,
    )
