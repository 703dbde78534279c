"""Pictures: the unrolled computational graph, the teaching plots and the figure writer.

These modules import matplotlib and networkx, so nothing in the engine imports them.
"""
