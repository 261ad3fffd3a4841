"""The ceiling of the load benchmark: a bare Flask app with one route, served by the same gunicorn.

    .venv/bin/python -m gunicorn -c gunicorn.conf.py --workers 4 tests.benchmarks.load.bare_app:app

run_load.py serves it with the same gunicorn.conf.py and worker count as the forum and loads it the same way.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello from a bare Flask app."
