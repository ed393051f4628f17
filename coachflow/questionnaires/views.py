"""The survey builder's pages: the list, a new survey, the editor, and the respondent's preview."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from coachflow.platform.errors import DomainError
from coachflow.platform.i18n import LANGUAGE_NAMES
from coachflow.platform.permissions import get_or_404, requires
from coachflow.platform.web import apply_domain_error, page_arg
from coachflow.questionnaires import links, policy, queries, services
from coachflow.questionnaires.forms import (
    BLANK,
    KIND_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    ActionForm,
    MoveForm,
    NewSurveyForm,
    QuestionForm,
    SettingsForm,
    TextsForm,
    kind_choices,
)
from coachflow.questionnaires.models import Survey, SurveyKind, SurveyStatus
from coachflow.questionnaires.templates_library import TEMPLATES

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

# The customer's answer page (its questions are ``questionnaires/_questions.html``); the preview
# renders it disabled, so the builder sees exactly what a respondent gets.
RESPONDENT_TEMPLATE = "public/survey_form.html"


@bp.app_context_processor
def survey_labels() -> dict[str, object]:
    return {
        "survey_kind_labels": KIND_LABELS,
        "survey_status_labels": STATUS_LABELS,
        "question_type_labels": TYPE_LABELS,
        "language_names": LANGUAGE_NAMES,
    }


def _ui_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _enum_arg(name: str, enum_type: type) -> object | None:
    value = request.args.get(name, "")
    return enum_type(value) if value in enum_type._value2member_map_ else None


# The list and a new survey ------------------------------------------------------------------------


@bp.route("")
@requires(policy.MANAGE_SURVEYS)
def index():
    status = _enum_arg("status", SurveyStatus)
    kind = _enum_arg("kind", SurveyKind)
    result = queries.survey_list(
        current_user,
        status=status,
        kind=kind,
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "questionnaires/builder/index.html",
        result=result,
        built_in={s.id: note for s in result.page.items if (note := links.built_in_note(s))},
        filters={"status": status.value if status else "", "kind": kind.value if kind else ""},
        kinds=kind_choices(),
        statuses=list(SurveyStatus),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(policy.MANAGE_SURVEYS)
def new():
    language = _ui_language()
    form = NewSurveyForm(
        templates=[(key, template.name(language)) for key, template in TEMPLATES.items()],
        start=request.args.get("template") if request.args.get("template") in TEMPLATES else BLANK,
        default_language=language,
        company=current_app.config.get("COMPANY_NAME", ""),
    )
    if form.validate_on_submit():
        try:
            if form.start.data == BLANK:
                survey = services.create_survey(
                    form.kind.data, form.name.data, form.default_language.data, current_user
                )
            else:
                survey = services.create_from_template(
                    form.start.data,
                    name=form.name.data,
                    owner=current_user,
                    company=form.company.data,
                    default_language=form.default_language.data,
                )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Survey “%(name)s” created as a draft.", name=survey.name), "success")
            return redirect(url_for("surveys.edit", survey_id=survey.id))
    descriptions = {key: template.description(language) for key, template in TEMPLATES.items()}
    counts = {key: len(template.questions) for key, template in TEMPLATES.items()}
    return render_template(
        "questionnaires/builder/new.html",
        form=form,
        descriptions=descriptions,
        question_counts=counts,
        templates=TEMPLATES,
    )


# The editor ---------------------------------------------------------------------------------------


def _editor(
    survey: Survey,
    *,
    question_form: QuestionForm | None = None,
    texts_form: TextsForm | None = None,
    settings_form: SettingsForm | None = None,
):
    """The editor page; the forms not being submitted are filled from the survey."""
    state = services.editor_state(survey)
    if question_form is None:
        question_form = QuestionForm(formdata=None)
    question_form.add_blank_option_rows()
    if texts_form is None:
        texts_form = TextsForm(formdata=None, data=TextsForm.data_of(state.version.texts))
    if settings_form is None:
        settings_form = SettingsForm(formdata=None, obj=survey)
    return render_template(
        "questionnaires/builder/edit.html",
        survey=survey,
        state=state,
        question_form=question_form,
        texts_form=texts_form,
        settings_form=settings_form,
        action_form=ActionForm(formdata=None),
        links=links.survey_links(survey, current_user),
        built_in=links.built_in_note(survey),
    )


def _back(survey: Survey, anchor: str | None = None):
    return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=anchor))


@bp.route("/<int:survey_id>")
@requires(policy.MANAGE_SURVEYS)
def edit(survey_id: int):
    return _editor(get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS))


@bp.route("/<int:survey_id>/questions", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def add_question(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = services.add_question(survey, form.to_input(), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Question %(number)d added.", number=question.position + 1), "success")
            return _back(survey, "questions")
    return _editor(survey, question_form=form)


def _question_or_back(survey: Survey, question_id: int):
    """The current version's question, 404 when it is not the survey's; or a redirect to the
    editor when the page showed an earlier version."""
    try:
        question = services.find_question(survey, question_id)
    except DomainError as error:
        flash(error.message, "error")
        return None, _back(survey, "questions")
    if question is None:
        abort(404)
    return question, None


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@requires(policy.MANAGE_SURVEYS)
def edit_question(survey_id: int, question_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    question, redirect_back = _question_or_back(survey, question_id)
    if redirect_back is not None:
        return redirect_back
    form = QuestionForm()
    if request.method == "GET":
        form.load(question)
    elif form.validate_on_submit():
        try:
            saved = services.edit_question(survey, question.id, form.to_input(), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Question %(number)d saved.", number=saved.position + 1), "success")
            return _back(survey, "questions")
    form.add_blank_option_rows()
    return render_template(
        "questionnaires/builder/question.html",
        survey=survey,
        question=question,
        form=form,
        has_answers=queries.has_answers(question.version),
    )


@bp.route("/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def delete_question(survey_id: int, question_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    if ActionForm().validate_on_submit():
        try:
            services.remove_question(survey, question_id, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Question removed."), "success")
    return _back(survey, "questions")


@bp.route("/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def move_question(survey_id: int, question_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Choose whether to move the question up or down."), "error")
        return _back(survey, "questions")
    try:
        services.move_question(
            survey, question_id, -1 if form.direction.data == "up" else 1, by=current_user
        )
    except DomainError as error:
        flash(error.message, "error")
    return _back(survey, f"question-{question_id}")


@bp.route("/<int:survey_id>/texts", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def texts(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    form = TextsForm()
    if form.validate_on_submit():
        try:
            services.set_texts(survey, form.to_input(), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Texts saved."), "success")
            return _back(survey, "texts")
    return _editor(survey, texts_form=form)


@bp.route("/<int:survey_id>/settings", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def settings(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            services.update_settings(survey, form.to_input(), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Settings saved."), "success")
            return _back(survey, "settings")
    return _editor(survey, settings_form=form)


@bp.route("/<int:survey_id>/activate", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def activate(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    if ActionForm().validate_on_submit():
        try:
            services.activate(survey, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _("The survey is active: invitations can go out and answers are accepted."),
                "success",
            )
    return _back(survey)


@bp.route("/<int:survey_id>/close", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def close(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    if ActionForm().validate_on_submit():
        try:
            services.close(survey, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _("The survey is closed: it accepts no more answers. Its results stay."), "success"
            )
    return _back(survey)


# The preview --------------------------------------------------------------------------------------


@bp.route("/<int:survey_id>/preview")
@requires(policy.MANAGE_SURVEYS)
def preview(survey_id: int):
    """The respondent's own page (``public/survey_form.html``), disabled, in the language asked
    for (as a contact reading it would get it), falling back like the real page."""
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    page = services.preview_page(survey, request.args.get("lang"))
    with force_locale(page.language):
        return render_template(
            RESPONDENT_TEMPLATE,
            page=page,
            token=None,
            errors={},
            values={},
            preview=True,
            back_url=url_for("surveys.edit", survey_id=survey.id),
        )
