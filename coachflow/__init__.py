"""CoachFlow: surveys, coaching and quality-of-revenue scorecards for sales organisations.

The package root imports nothing, so that `coachflow.lib` can be used without the web stack;
the application factory is `coachflow.app.create_app`.
"""
