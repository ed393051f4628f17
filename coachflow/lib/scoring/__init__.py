"""Scorecard scoring, pure code: the quality-of-revenue index (``index``), empirical-Bayes
shrinkage of survey figures toward the team (``shrinkage``), and ranks on shrunk values
(``ranking``). Plain functions on plain numbers: no Flask, no database."""
