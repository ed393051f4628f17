"""HR's and admin's scorecard pages: closing periods, bulk exports, the download log, settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from coachflow.accounts.models import Team
from coachflow.lib.figures import period_choices
from coachflow.platform.extensions import db
from coachflow.platform.paging import paginate
from coachflow.platform.permissions import requires
from coachflow.platform.web import page_arg
from coachflow.scorecards import forms, policy, queries, services
from coachflow.scorecards.models import (
    BulkExport,
    ClosedPeriod,
    Download,
    DownloadKind,
    ExportStatus,
)
from coachflow.scorecards.views.helpers import period_arg, read_period, today

bp = Blueprint("scorecard_admin", __name__, url_prefix="/scorecards")


@bp.route("/periods")
@requires(policy.MANAGE_PERIODS)
def periods():
    rows = db.session.scalars(
        select(ClosedPeriod).order_by(ClosedPeriod.period_start.desc(), ClosedPeriod.id)
    ).all()
    return render_template(
        "scorecards/periods.html",
        rows=rows,
        form=forms.PeriodForm(),
        choices=period_choices(today()),
        chosen=period_arg(),
    )


@bp.route("/periods/close", methods=["POST"])
@requires(policy.MANAGE_PERIODS)
def close():
    form = forms.PeriodForm()
    if form.validate_on_submit():
        period = read_period(form.period.data)
        services.close_period(current_user, period, today=today())
        flash(_("The period is closed: its scorecards are frozen as they are now."), "success")
    return redirect(url_for(".periods"))


@bp.route("/periods/reopen", methods=["POST"])
@requires(policy.MANAGE_PERIODS)
def reopen():
    form = forms.PeriodForm()
    if form.validate_on_submit():
        services.reopen_period(current_user, read_period(form.period.data))
        flash(_("The period is open again; its scorecards say so."), "success")
    return redirect(url_for(".periods"))


@bp.route("/exports", methods=["GET", "POST"])
@requires(policy.EXPORT_SCORECARDS)
def exports():
    form = forms.ExportForm()
    form.teams.choices = [
        (t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))
    ]
    if form.validate_on_submit():
        export = services.start_export(current_user, read_period(form.period.data), form.teams.data)
        return redirect(url_for(".export", export_id=export.id))
    if not form.period.data:
        form.period.data = period_arg().label
    recent = paginate(select(BulkExport).order_by(BulkExport.id.desc()), page_arg(), 20)
    return render_template("scorecards/exports.html", form=form, recent=recent)


@bp.route("/downloads")
@requires(policy.VIEW_DOWNLOADS)
def downloads():
    page = paginate(select(Download).order_by(Download.id.desc()), page_arg(), 50)
    return render_template("scorecards/downloads.html", page=page)


@bp.route("/settings", methods=["GET", "POST"])
@requires(policy.EDIT_SCORECARD_SETTINGS)
def settings():
    saved = queries.settings()
    form = (
        forms.SettingsForm()
        if forms.SettingsForm().is_submitted()
        else forms.SettingsForm.showing(saved)
    )
    if form.validate_on_submit():
        services.save_settings(current_user, form.change())
        flash(_("Scorecard settings saved."), "success")
        return redirect(url_for(".settings"))
    return render_template("scorecards/settings.html", form=form, saved=saved)


@bp.route("/exports/<int:export_id>")
@requires(policy.EXPORT_SCORECARDS)
def export(export_id: int):
    export = db.get_or_404(BulkExport, export_id)
    return render_template(
        "scorecards/export.html", export=export, status=services.export_progress(export)
    )


@bp.route("/exports/<int:export_id>/progress")
@requires(policy.EXPORT_SCORECARDS)
def export_progress(export_id: int):
    export = db.get_or_404(BulkExport, export_id)
    status = services.export_progress(export)
    busy = export.status is ExportStatus.RUNNING
    return jsonify(
        busy=busy,
        percent=100 if not busy else min(99, 100 * status["done"] // max(1, status["total"])),
        message=ngettext(
            "%(num)d of %(total)d scorecards rendered.",
            "%(num)d of %(total)d scorecards rendered.",
            status["done"],
            total=status["total"],
        ),
    )


@bp.route("/exports/<int:export_id>.zip")
@requires(policy.EXPORT_SCORECARDS)
def export_zip(export_id: int):
    export = db.get_or_404(BulkExport, export_id)
    if export.status is not ExportStatus.READY:
        return redirect(url_for(".export", export_id=export.id))
    services.record_download(current_user, DownloadKind.BULK, export.period, export_id=export.id)
    return Response(
        stream_with_context(services.export_zip(export)),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="scorecards-{export.period.label}.zip"'
        },
    )
