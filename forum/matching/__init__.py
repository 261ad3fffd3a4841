"""Partner matching: the pure domain core (numpy, scipy, scikit-learn only).

It takes plain data and returns plain data; it never imports Flask, SQLAlchemy or the app's
models (an import-linter contract in setup.cfg enforces this). The vectorizer and recommender
arrive with the Matching issue.
"""
