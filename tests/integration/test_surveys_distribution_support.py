"""Helpers the distribution tests share: customers, contacts, deals, surveys in several languages,
an SMTP server that can refuse addresses and counts connections, and moving time forward.

No tests here; pytest collects the module and finds none.
"""

from __future__ import annotations

import datetime
import re
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey, SurveyKind
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage
from coachflow.surveys.models import Invitation
from tests.conftest import free_port
from tests.survey_factories import make_survey

GERMAN = {
    "title": "Wie war die Zusammenarbeit?",
    "intro": "Zwei kurze Fragen zu Ihrem Ansprechpartner.",
    "thanks": "Danke!",
}
ENGLISH = {
    "title": "How did we do?",
    "intro": "Two quick questions about your contact person.",
    "thanks": "Thank you!",
}


def customer(owner_id: int | None, ext: str, name: str | None = None) -> CustomerAccount:
    account = CustomerAccount(external_id=ext, name=name or f"Company {ext}", owner_id=owner_id)
    db.session.add(account)
    db.session.flush()
    return account


def person(
    account: CustomerAccount,
    email: str,
    *,
    name: str | None = None,
    language: str = "en",
    opted_out: bool = False,
    ext: str | None = None,
) -> Contact:
    contact = Contact(
        account_id=account.id,
        email=email,
        name=name or email.split("@")[0].title(),
        language=language,
        external_id=ext,
        opted_out_at=utcnow() if opted_out else None,
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def won_deal(
    account: CustomerAccount,
    rep_id: int,
    line_id: int,
    closed_on: datetime.date,
    ext: str,
    stage: DealStage = DealStage.WON,
) -> Deal:
    deal = Deal(
        external_id=ext,
        account_id=account.id,
        rep_id=rep_id,
        product_line_id=line_id,
        amount_minor=100_000,
        currency="EUR",
        stage=stage,
        closed_on=closed_on,
    )
    db.session.add(deal)
    db.session.flush()
    return deal


def survey_in(
    owner_id: int,
    *,
    languages: dict | None = None,
    name: str = "Customer NPS",
    kind: SurveyKind = SurveyKind.CUSTOMER_NPS,
    **settings: object,
) -> Survey:
    """An active customer survey whose texts exist in ``languages`` (English and German)."""
    survey = make_survey(owner_id=owner_id, kind=kind, name=name)
    survey.current_version.texts = languages or {"en": ENGLISH, "de": GERMAN}
    for key, value in settings.items():
        setattr(survey, key, value)
    db.session.flush()
    return survey


def age(invitation_ids: list[int] | int, **changes: object) -> None:
    """Set columns of invitations directly, as time passing would have (committed)."""
    ids = [invitation_ids] if isinstance(invitation_ids, int) else invitation_ids
    db.session.execute(update(Invitation).where(Invitation.id.in_(ids)).values(**changes))
    db.session.commit()


def make_due(invitation_ids: list[int] | int) -> None:
    """As if the wait before the next attempt (or reminder) had passed."""
    age(invitation_ids, next_attempt_at=utcnow() - datetime.timedelta(seconds=1))


def invitations_of(survey_id: int) -> list[Invitation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Invitation).where(Invitation.survey_id == survey_id).order_by(Invitation.id)
        )
    )


def link_token(message: EmailMessage) -> str:
    """The token of the answer link in a message's plain text."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/s/([\w-]+)(?:\s|$)", text)
    assert match, text
    return match.group(1)


# An SMTP server that refuses some addresses and counts connections ---------------------------


@dataclass
class Server:
    """What a test SMTP server received; ``refused`` addresses get 550 at RCPT."""

    port: int = 0
    refused: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)
    peers: set[tuple] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
            self.peers.add(session.peer)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    @property
    def connections(self) -> int:
        with self.lock:
            return len(self.peers)


def serve_smtp(app, **options):
    """A fresh SMTP server for one test, which ``app`` sends to (a fixture's body); ``options``
    go to aiosmtpd's server (``enable_SMTPUTF8=True``)."""
    server = Server(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port, **options)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5
    )
    yield server
    controller.stop()
