"""The WSGI entry point: ``gunicorn wsgi:app``; Celery workers use ``celery -A wsgi.celery``."""

from coachflow.app import create_app

app = create_app()
celery = app.extensions["celery"]
