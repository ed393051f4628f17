"""The respondent's pages: answer a survey from an emailed link, thank-you, unsubscribe.

No account and no session: the token in the URL is the credential, so the answer and unsubscribe
POSTs are exempt from CSRF (the one-click ``List-Unsubscribe-Post`` of RFC 8058 carries no
cookie either). Every page renders in the invitation's language, sets
``Referrer-Policy: no-referrer`` (the URL holds the token) and loads nothing from another site.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import force_locale

from coachflow.platform.extensions import csrf
from coachflow.platform.permissions import PUBLIC, requires
from coachflow.questionnaires.answers import AnswersRefused, SurveyPage
from coachflow.surveys.services import answering
from coachflow.surveys.services.answering import LinkProblem

bp = Blueprint("public", __name__)


def _render(template: str, page: SurveyPage | None, status: int = 200, **context):
    """Render in the survey's language (the browser's when the link is unknown)."""
    if page is None:
        return render_template(template, page=page, **context), status
    with force_locale(page.language):
        return render_template(template, page=page, **context), status


@bp.errorhandler(LinkProblem)
def link_problem(error: LinkProblem):
    g.token_link = True
    return _render("public/link_problem.html", error.page, error.status_code, error=error)


@bp.route("/s/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
def answer(token: str):
    g.token_link = True
    if request.method == "POST":
        try:
            answering.submit(token, request.form.to_dict(flat=False))
        except AnswersRefused as refused:
            return _render(
                "public/survey_form.html",
                refused.page,
                refused.status_code,
                token=token,
                errors=refused.problems,
                values=request.form.to_dict(flat=False),
            )
        return redirect(url_for("public.thanks", token=token), code=303)
    page = answering.open_invitation(token)
    return _render("public/survey_form.html", page, token=token, errors={}, values={})


@bp.route("/s/<token>/thanks")
@requires(PUBLIC)
def thanks(token: str):
    g.token_link = True
    page = answering.thanks(token)
    if page is None:  # not answered yet: the form is where to go
        return redirect(url_for("public.answer", token=token), code=303)
    return _render("public/thanks.html", page)


@bp.route("/s/<token>/unsubscribe", methods=["GET", "POST"])
@requires(PUBLIC)
def unsubscribe(token: str):
    """GET asks for confirmation (mail scanners open links); POST unsubscribes, also as the
    RFC 8058 one-click target (body ``List-Unsubscribe=One-Click``). No redirect after the POST:
    a one-click client does not follow one."""
    g.token_link = True
    if request.method == "POST":
        page = answering.unsubscribe(token)
        return _render("public/unsubscribed.html", page)
    page = answering.unsubscribe_page(token)
    return _render("public/unsubscribe.html", page, token=token)


csrf.exempt(answer)
csrf.exempt(unsubscribe)
