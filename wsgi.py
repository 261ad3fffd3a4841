"""WSGI entry point for gunicorn: ``gunicorn wsgi:app`` (its settings are in gunicorn.conf.py)."""

from forum import create_app

app = create_app()
