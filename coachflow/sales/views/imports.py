"""The CSV import pages: upload → columns → check → import, with progress."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from coachflow.platform import progress
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.paging import paginate
from coachflow.platform.permissions import requires
from coachflow.platform.web import apply_domain_error, page_arg
from coachflow.sales import policy, services
from coachflow.sales.forms import UploadForm, columns_form, kind_choices
from coachflow.sales.models import ImportKind, ImportRun, ImportStatus
from coachflow.sales.records import FIELD_LABELS, FIELDS

bp = Blueprint("sales_imports", __name__, url_prefix="/sales/imports")

UPLOAD_ENDPOINTS = {"sales_imports.new"}


@bp.context_processor
def _labels() -> dict[str, object]:
    """Kinds and fields in the reader's words on every import page."""
    kinds = {choice.value: choice.label for choice in kind_choices()}
    return {
        "kind_label": lambda kind: str(kinds[ImportKind(kind).value]),
        "field_label": lambda name: _(FIELD_LABELS[name]) if name in FIELD_LABELS else name,
    }


@bp.route("/")
@requires(policy.IMPORT_SALES_DATA)
def index():
    page = paginate(
        services.runs(),
        page_arg(),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("sales/imports/index.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@requires(policy.IMPORT_SALES_DATA)
def new():
    form = UploadForm(mappings=services.saved_mappings(None))
    if form.validate_on_submit():
        kind = ImportKind(form.kind.data)
        mapping_kind, _sep, mapping_name = (form.mapping.data or "").partition(":")
        if mapping_name and mapping_kind != kind.value:
            form.mapping.errors.append(_("This mapping is for another kind of file."))
        else:
            upload = form.file.data
            try:
                run = services.start_upload(
                    kind,
                    upload.filename or "upload.csv",
                    upload.stream,
                    by=current_user,
                    mapping_name=mapping_name,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                return redirect(url_for("sales_imports.columns", run_id=run.id))
    return render_template("sales/imports/new.html", form=form, fields=FIELDS)


@bp.route("/<int:run_id>/columns", methods=["GET", "POST"])
@requires(policy.IMPORT_SALES_DATA)
def columns(run_id: int):
    run = db.get_or_404(ImportRun, run_id)
    form = columns_form(run.kind.value, run.header, run.columns)()
    if form.validate_on_submit():
        chosen = {
            spec.name: getattr(form, f"field_{spec.name}").data for spec in FIELDS[run.kind.value]
        }
        try:
            services.set_columns(
                run, chosen, remember_as=form.remember_as.data or "", by=current_user
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            services.start_check(run)
            return redirect(url_for("sales_imports.show", run_id=run.id))
    return render_template(
        "sales/imports/columns.html", run=run, form=form, specs=FIELDS[run.kind.value]
    )


@bp.route("/<int:run_id>")
@requires(policy.IMPORT_SALES_DATA)
def show(run_id: int):
    run = db.get_or_404(ImportRun, run_id)
    preview = services.preview(run) if services.ready_to_import(run) else []
    return render_template(
        "sales/imports/show.html",
        run=run,
        preview=preview,
        specs=FIELDS[run.kind.value],
        status=progress.read(f"import:{run.id}"),
        describe=services.describe,
        ready=services.ready_to_import(run),
        deletable=services.deletable(run),
    )


@bp.route("/<int:run_id>/start", methods=["POST"])
@requires(policy.IMPORT_SALES_DATA)
def start(run_id: int):
    run = db.get_or_404(ImportRun, run_id)
    if not services.ready_to_import(run):
        flash(_("Check the file and correct every problem before importing."), "error")
    else:
        services.start_import(run)
    return redirect(url_for("sales_imports.show", run_id=run.id))


@bp.route("/<int:run_id>/progress")
@requires(policy.IMPORT_SALES_DATA)
def progress_json(run_id: int):
    run = db.get_or_404(ImportRun, run_id)
    figures = progress.read(f"import:{run.id}")
    total = figures.get("total") or run.size_bytes or 1
    busy = run.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    rows = figures.get("rows", run.rows_done)
    return jsonify(
        status=run.status.value,
        busy=busy,
        rows=rows,
        message=ngettext("%(num)d row read so far.", "%(num)d rows read so far.", rows),
        percent=100 if not busy else min(99, round(100 * figures.get("bytes", 0) / total)),
    )


@bp.route("/<int:run_id>/delete", methods=["POST"])
@requires(policy.IMPORT_SALES_DATA)
def delete(run_id: int):
    run = db.get_or_404(ImportRun, run_id)
    try:
        services.delete_run(run, by=current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("sales_imports.show", run_id=run_id))
    flash(_("The import and its file were deleted."), "success")
    return redirect(url_for("sales_imports.index"))
