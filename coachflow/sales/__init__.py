"""Sales: customer accounts, contacts, deals, quotas; CSV imports."""

from __future__ import annotations

import random

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l


def register(app: Flask) -> None:
    """Add the sales domain to ``app``: pages, imports, jobs, commands, navigation, demo."""
    from coachflow.platform.demo import add_demo
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, PersonLink, add_navigation, add_person_link
    from coachflow.platform.permissions import allowed
    from coachflow.platform.web import allow_large_uploads
    from coachflow.sales import api, cli, demo, policy, services, tasks  # noqa: F401
    from coachflow.sales.views import imports, pages

    app.register_blueprint(imports.bp)
    app.register_blueprint(pages.bp)
    app.cli.add_command(cli.import_cli)
    allow_large_uploads(app, imports.UPLOAD_ENDPOINTS, app.config["IMPORT_MAX_BYTES"] + 1024 * 1024)
    add_navigation(
        app,
        # A rep is sent on from the overview to their own page.
        NavEntry(
            30, "sales.overview", _l("Sales"), policy.VIEW_SALES, ("sales.rep", "sales.account")
        ),
        NavEntry(
            80,
            "sales_imports.index",
            _l("Imports"),
            policy.IMPORT_SALES_DATA,
            ("sales_imports.new", "sales_imports.columns", "sales_imports.show"),
        ),
    )
    add_periodic(app, services.PURGE_UPLOADS, 3600.0)
    add_person_link(
        app,
        PersonLink(
            10,
            _l("Sales"),
            lambda person: url_for("sales.rep", rep_id=person.id),
            lambda viewer, person: allowed(viewer, policy.VIEW_SALES, person),
        ),
    )
    add_demo(app, lambda org, seed: demo.seed_sales(org, random.Random(f"sales:{seed}")).summary())
