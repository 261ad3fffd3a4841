"""Meeting scheduling: the pure domain core.

It takes plain data and returns plain data; it never imports Flask, SQLAlchemy or the app's
models (an import-linter contract in setup.cfg enforces this). The solver and the constraint
checker arrive with the Meetings and scheduler issue.
"""
