"""The sales pages: figures by rep, team and account, and CSV imports."""
