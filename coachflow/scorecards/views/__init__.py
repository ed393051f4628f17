"""The scorecard pages: scorecards on screen and as PDF, periods, bulk exports, settings."""
