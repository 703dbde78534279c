"""The engine: losses, activations, init / forward / backward and the loops that run them.

Nothing here knows about estimators, files or pictures; every other layer calls into it.
"""
