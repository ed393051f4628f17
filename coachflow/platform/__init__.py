"""Shared infrastructure every domain uses. Imports no domain."""
