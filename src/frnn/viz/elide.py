"""Which time steps a drawing of the unrolled graph shows: all of them up to a limit, else
the first and the last few with a column of ellipses between, as textbooks draw
x(1), x(2), …, x(T).  The picture then keeps a bounded width, and legible labels, whatever
the number of steps T.
"""

from __future__ import annotations

import networkx as nx

from .._validate import Interval

__all__ = ["ELLIPSIS", "elide"]

ELLIPSIS = "ellipsis"  # the node attribute that marks a stand-in for the hidden steps
_MAX_STEPS = Interval("int", 3)  # one step each side of the ellipsis, at the least


def elide(G: nx.DiGraph, max_steps: int | None) -> nx.DiGraph:
    """``G`` itself when it has at most ``max_steps`` time steps (or ``max_steps`` is None);
    else a new graph of the first and last (max_steps − 1) // 2 steps, shifted left to
    close the gap, and per row one ellipsis node "kind(…)" where the hidden steps were.

    An edge between a shown and a hidden node runs to the ellipsis of the hidden node's
    row instead (the recurrence a(4) → a(5) becomes a(4) → a(…)); its attribute
    ``hidden`` names the node it stands for, so the backward pass can name ∂L/∂a(5).
    Edges between hidden nodes are dropped.
    """
    steps = sorted({t for _, t in G.nodes(data="t") if t >= 1})  # t = 0: a(0), always shown
    if max_steps is None or len(steps) <= _MAX_STEPS.check(max_steps, "max_steps"):
        return G
    keep = (max_steps - 1) // 2
    hidden = set(steps[keep:-keep])
    first_hidden, first_tail = steps[keep], steps[-keep]
    x_hidden, x_tail = (_column_x(G, t) for t in (first_hidden, first_tail))
    gap = x_hidden - _column_x(G, steps[keep - 1])  # the distance between two columns
    shift = x_tail - x_hidden - gap  # the tail moves left, one column after the ellipses
    H = nx.DiGraph(**G.graph)
    stand_in = {}
    for node, data in G.nodes(data=True):
        if data["t"] not in hidden:
            x, y = data["pos"]
            H.add_node(node, **{**data, "pos": (x - shift * (data["t"] >= first_tail), y)})
        elif data["kind"] not in stand_in:
            name = stand_in[data["kind"]] = f"{data['kind']}(…)"
            H.add_node(name, kind=data["kind"], t=first_hidden, pos=(x_hidden, data["pos"][1]))
            H.nodes[name][ELLIPSIS] = True
    for u, v, data in G.edges(data=True):
        u_hidden, v_hidden = (G.nodes[n]["t"] in hidden for n in (u, v))
        if u_hidden and v_hidden:
            continue
        if u_hidden or v_hidden:
            far = u if u_hidden else v
            data = {**data, "hidden": far}
            u, v = (
                (stand_in[G.nodes[far]["kind"]], v)
                if u_hidden
                else (u, stand_in[G.nodes[v]["kind"]])
            )
        H.add_edge(u, v, **data)
    return H


def _column_x(G: nx.DiGraph, t: int) -> float:
    return next(data["pos"][0] for _, data in G.nodes(data=True) if data["t"] == t)
