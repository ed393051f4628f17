"""Pure code: plain functions on plain values. Imports no Flask, SQLAlchemy, Werkzeug or Jinja."""
