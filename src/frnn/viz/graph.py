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
from matplotlib.text import Text

from .._validate import check_choice, check_positive_int
from .elide import ELLIPSIS, elide
from .figures import new_figure

__all__ = ["build", "draw", "KINDS", "MAX_STEPS"]

# Rows from the bottom: inputs first, the losses above what they measure, and the targets
# (outside data, like the inputs) on top.
KINDS = ("x", "a", "z", "L", "y")
_ROW = {kind: row for row, kind in enumerate(KINDS)}
_LOSS_LABELS = {"bce": "BCE", "mse": "MSE"}
_COLUMN_GAP, _ROW_GAP, _RADIUS = 2.4, 1.7, 0.36  # data units; the axes keep aspect 1
# Longer names (a(10), a(100), ...) get wider circles, 0.085 units a character, up to this;
# beyond it the labels' font shrinks instead (see _fit_labels).
_MAX_RADIUS = 0.5
_STYLE = {  # edge colour and curvature (arc3 rad) by label; loss labels use "loss"
    "W": ("0.25", 0.0),
    "V": ("0.25", 0.0),
    "R": ("tab:blue", -0.28),
    "loss": ("tab:orange", 0.0),
}
_GRADIENT = "tab:red"
MAX_STEPS = 10  # drawn in full up to here; beyond, the first and last four steps, ⋯ between
_LABEL_MARGIN = 0.9  # a node label's corners stay within this fraction of the radius


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


def draw(
    G: nx.DiGraph,
    ax: Axes | None = None,
    *,
    backward: bool = False,
    max_steps: int | None = MAX_STEPS,
) -> Axes:
    """Draw a graph from :func:`build`: labelled nodes, labelled arrows, recurrence in blue.

    With ``backward=True`` the gradient flow of BPTT is drawn over it: each edge u → v out of
    a state or a logit gets a dashed red edge v → u labelled with what it carries back into
    u: Vᵀ ∂L/∂z(t) from z(t), Rᵀ δ(t+1) from a(t+1), where δ(t+1) = f′(s(t+1)) ⊙ ∂L/∂a(t+1)
    (the gradient passes through the activation before R); so the labels of the arrows into
    a(t) sum to ∂L/∂a(t).  Arrows out of L(t) are unlabelled (∂L/∂L = 1).

    Parameters
    ----------
    G : networkx.DiGraph
        Nodes with ``kind``, ``t`` and ``pos``; edges with ``label`` (as :func:`build` makes).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure on an Agg canvas, sized to the graph.
    backward : bool
        Overlay the backward pass.
    max_steps : int ≥ 3 or None
        Draw at most this many time steps: a longer graph shows its first and last
        (max_steps − 1) // 2 steps with a column of ellipses between, so the picture keeps
        its size and legible labels.  None draws every step.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_graph(G)
    G = elide(G, max_steps)
    if ax is None:
        columns = {G.nodes[n]["pos"][0] for n in G}
        rows = {G.nodes[n]["kind"] for n in G}
        ax = new_figure((1.75 * len(columns) + 0.6, 1.25 * len(rows) + 1.0)).add_subplot()
    circles, labels = {}, []
    radius = _radius(G)
    for n in G:
        circles[n], text = _draw_node(ax, n, G.nodes[n], radius)
        labels.append((text, circles[n]))
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
        for u, v, data in G.edges(data=True):
            if G.nodes[u]["kind"] in ("a", "z"):  # inputs and targets need no gradient
                rad = _STYLE["R"][1] if G.nodes[u]["kind"] == G.nodes[v]["kind"] else 0.3
                name = data["hidden"] if G.nodes[v].get(ELLIPSIS) else v  # a(…): a(t) it hides
                text = _carried(G.nodes[v]["kind"], name)
                _arrow(ax, circles[v], circles[u], color=_GRADIENT, rad=rad, text=text, dashed=True)
    _frame(ax, G, backward, radius)
    _fit_labels(ax, labels)
    return ax


def _carried(kind: str, name: str) -> str | None:
    """What the backward edge out of node ``name`` (of ``kind``) carries into its source:
    Vᵀ ∂L/∂z(t) down from a logit, Rᵀ δ(t+1) back from a state (δ = f′(s) ⊙ ∂L/∂a)."""
    if kind == "z":
        return rf"$V^\top\partial L/\partial {name}$"
    if kind == "a":
        return rf"$R^\top\delta{name[1:]}$"  # a(t+1) -> δ(t+1)
    return None


def _check_graph(G) -> None:
    if not isinstance(G, nx.DiGraph):
        raise TypeError(f"G must be a networkx.DiGraph from frnn.graph.build; got {type(G)}")
    for node, data in G.nodes(data=True):
        if not {"kind", "t", "pos"} <= data.keys():
            raise ValueError(f"G's node {node!r} needs 'kind', 't' and 'pos'; has {sorted(data)}")


def _math(text: str) -> str:
    return f"${text}$"


def _radius(G: nx.DiGraph) -> float:
    """The nodes' radius: 0.36 up to names of four characters, as a(1), wider for longer."""
    longest = max((len(n) for n, e in G.nodes(data=ELLIPSIS) if not e), default=0)
    return min(_MAX_RADIUS, max(_RADIUS, 0.085 * longest))


def _draw_node(ax, name: str, data: dict, radius: float) -> tuple[Circle, Text]:
    """The node's circle and its label; an ellipsis node is dots in an invisible circle
    (where the arrows into it end)."""
    edge = _STYLE["loss"][0] if data["kind"] == "L" else "0.2"
    face = {"x": "#e8f1fb", "y": "#e8f1fb", "a": "#fdf6e3", "z": "#eef7ee"}.get(data["kind"], "w")
    if data.get(ELLIPSIS):
        face = edge = "none"
    circle = Circle(data["pos"], radius, facecolor=face, edgecolor=edge, lw=1.4, zorder=3)
    ax.add_patch(circle)
    label, size = (r"$\cdots$", 18) if data.get(ELLIPSIS) else (_math(name), 12)
    text = ax.text(*data["pos"], label, ha="center", va="center", fontsize=size, zorder=4)
    return circle, text


def _fit_labels(ax, labels: list[tuple[Text, Circle]]) -> None:
    """Shrink the node labels, all alike, until each lies inside its circle (a(10) and
    longer names are wider than the 12-point a(1) the circles were sized for)."""
    ax.apply_aspect()  # the final data-to-pixel scale, as the canvas will draw it
    to_pixels = ax.transData.transform
    scale = 1.0
    for text, circle in labels:
        (x, y), radius = circle.center, circle.radius
        (cx, cy), (edge, _) = to_pixels([(x, y), (x + radius, y)])  # centre, rightmost point
        box = text.get_window_extent()  # pixels, scaled about the centre with the font
        reach = max(np.hypot(u - cx, v - cy) for u in (box.x0, box.x1) for v in (box.y0, box.y1))
        scale = min(scale, _LABEL_MARGIN * (edge - cx) / reach)
    for text, _ in labels:
        text.set_fontsize(text.get_fontsize() * scale)


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


def _frame(ax, G: nx.DiGraph, backward: bool, radius: float) -> None:
    """Fit the limits to the nodes (arcs included), hide the axes, add a legend below."""
    xy = np.array([G.nodes[n]["pos"] for n in G])  # (N, 2)
    pad = radius + 0.25
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
        handles.append(
            Line2D(
                [],
                [],
                color=_GRADIENT,
                ls="--",
                label=r"BPTT, $\delta = f'(s)\odot\partial L/\partial a$",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(handles),
        frameon=False,
        fontsize=9,
        handlelength=1.8,
    )
