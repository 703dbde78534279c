"""Data: the built-in synthetic tasks, the bundled UCR sets and the file readers."""
