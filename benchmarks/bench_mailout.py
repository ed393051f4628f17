"""Survey mail-out: 10,000 invitations to a local SMTP server, beside plain smtplib as the ceiling.

The SMTP server (aiosmtpd, accepting everything) runs in a process of its own, so it competes
with neither side for the interpreter. The mail-out is ``sending.send_due()`` as one worker
process runs it: claim a batch of 500, render what the messages share once per language, build
each message with the ``email`` package, send it over the batch's one connection and record it
as sent (one commit per message, so a crash re-sends at most one); again until nothing is due.
The ceiling is smtplib sending the very same bytes over one connection, nothing else. Target:
at least 300 messages a second per worker. Also shown: what building one message costs.
"""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time
from email import message_from_bytes, policy
from unittest import mock

from sqlalchemy import func, insert, select

from benchmarks.common import fresh_app, kinds
from coachflow.accounts.models import Role, Team, User
from coachflow.lib import emails
from coachflow.platform import mailing
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey, SurveyKind, SurveyStatus, SurveyVersion
from coachflow.sales.models import Contact, CustomerAccount
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import distribution, sending
from coachflow.surveys.services.distribution import Recipient

INVITATIONS = 10_000
REPS, ACCOUNTS = 50, 2_000
TEXTS = {
    "en": {"title": "How did we do?", "intro": "Two quick questions about your contact person."},
    "de": {"title": "Wie war die Zusammenarbeit?", "intro": "Zwei kurze Fragen, bitte."},
    "fr": {"title": "Comment était-ce ?", "intro": "Deux questions rapides."},
}

SINK = """
import socket
import sys
from aiosmtpd.controller import Controller

class Count:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        Count.received += 1
        return "250 OK"

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
controller = Controller(Count(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
for line in sys.stdin:  # each line asks how many messages arrived so far
    print(Count.received, flush=True)
controller.stop()
"""


class Sink:
    """A local SMTP server in a process of its own, counting what it receives."""

    def __enter__(self) -> Sink:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.port = int(self.process.stdout.readline())
        return self

    def received(self) -> int:
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def __exit__(self, *exc: object) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def seed(app) -> int:
    """Reps, accounts, a contact per invitation and an active survey; the survey's id."""
    with app.app_context():
        manager = User(email="manager@example.com", name="Manager", role=Role.MANAGER)
        db.session.add(manager)
        db.session.flush()
        team = Team(name="North", manager_id=manager.id)
        db.session.add(team)
        db.session.flush()
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"rep{n}@example.com",
                    "name": f"Rep Number {n}",
                    "role": Role.REP,
                    "team_id": team.id,
                    "language": "en",
                    "active": True,
                    "session_version": 1,
                    "created_at": now,
                }
                for n in range(REPS)
            ],
        )
        reps = db.session.scalars(select(User.id).where(User.role == Role.REP)).all()
        db.session.execute(
            insert(CustomerAccount),
            [
                {
                    "external_id": f"A{n:05d}",
                    "name": f"Account {n}",
                    "owner_id": reps[n % REPS],
                    "territory": "",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(ACCOUNTS)
            ],
        )
        accounts = db.session.scalars(select(CustomerAccount.id)).all()
        db.session.execute(
            insert(Contact),
            [
                {
                    "account_id": accounts[n % ACCOUNTS],
                    "name": f"Customer Person {n}",
                    "email": f"customer{n}@example.com",
                    "language": ("en", "de", "fr")[n % 3],
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(INVITATIONS)
            ],
        )
        survey = Survey(
            name="Relationship NPS",
            kind=SurveyKind.CUSTOMER_NPS,
            status=SurveyStatus.ACTIVE,
            owner_id=manager.id,
            default_language="en",
        )
        survey.versions.append(SurveyVersion(number=1, texts=TEXTS))
        db.session.add(survey)
        db.session.commit()
        return survey.id


def create(app, survey_id: int) -> float:
    """Create the invitations (left queued); the seconds it took."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = db.session.scalar(select(User).where(User.role == Role.MANAGER))
        rows = db.session.execute(
            select(
                Contact.id, Contact.email, Contact.name, Contact.language, CustomerAccount.owner_id
            ).join(CustomerAccount, CustomerAccount.id == Contact.account_id)
        ).all()
        recipients = [
            Recipient(
                email=r.email, name=r.name, contact_id=r.id, language=r.language, rep_id=r.owner_id
            )
            for r in rows
        ]
        started = time.perf_counter()
        with mock.patch("coachflow.platform.jobs.start"):  # the benchmark sends them itself
            distribution.create_invitations(survey, recipients, manager)
        return time.perf_counter() - started


Sent = tuple[str, list[str], bytes, tuple[str, ...]]  # envelope from, to, bytes, options


def mail_out(app) -> tuple[float, float, list[Sent]]:
    """Send every queued invitation as the worker does; the seconds (wall clock, and the CPU
    time of this worker process) and what went on the wire."""
    sent: list[Sent] = []
    original = smtplib.SMTP.sendmail

    def keep(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        sent.append((from_addr, to_addrs, msg, tuple(mail_options)))
        return original(self, from_addr, to_addrs, msg, mail_options, rcpt_options)

    with app.app_context(), mock.patch.object(smtplib.SMTP, "sendmail", keep):
        started, cpu = time.perf_counter(), time.process_time()
        report = sending.send_due()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.sent == INVITATIONS, report
        done = db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.status == InvitationStatus.SENT)
        )
        assert done == INVITATIONS, done
    return elapsed, cpu, sent


def smtplib_ceiling(port: int, sent: list[Sent]) -> float:
    """The same bytes over one plain smtplib connection; the seconds it took."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for from_addr, to_addrs, data, options in sent:
            connection.sendmail(from_addr, to_addrs, data, options)
    return time.perf_counter() - started


def building(data: bytes, n: int = 2_000) -> str:
    """Messages built and written out per second by ``mailing.compose`` from one message's
    texts (the mail-out shares the parsed sender and subject headers the same way)."""
    parsed = message_from_bytes(data, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    subject, unsubscribe = str(parsed["Subject"]), str(parsed["List-Unsubscribe"])
    to = emails.check(str(parsed["To"]))
    started = time.perf_counter()
    for _ in range(n):
        mailing.compose(
            to=to,
            subject=subject,
            text=text,
            html=html,
            language="en",
            message_id="<1@localhost>",
            headers=[("List-Unsubscribe", unsubscribe)],
            from_="CoachFlow <no-reply@localhost>",
        ).as_bytes(policy=mailing.SMTP)
    return f"building one message (email package): {n / (time.perf_counter() - started):,.0f}/s"


def run() -> list[str]:
    lines = []
    for kind in kinds():
        with Sink() as sink, fresh_app(kind, "bench_mailout") as app:
            app.config.update(
                MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False
            )
            survey_id = seed(app)
            created = create(app, survey_id)
            elapsed, cpu, sent = mail_out(app)
            assert sink.received() == INVITATIONS
            ceiling = smtplib_ceiling(sink.port, sent)
            assert sink.received() == 2 * INVITATIONS
            ours, plain = INVITATIONS / elapsed, INVITATIONS / ceiling
            lines.append(
                f"{kind:<10} {INVITATIONS:,} invitations: created {INVITATIONS / created:,.0f}/s; "
                f"mail-out {ours:,.0f} msg/s per worker (target >= 300; "
                f"{INVITATIONS / cpu:,.0f} per second of the worker's own CPU), "
                f"smtplib ceiling {plain:,.0f} msg/s, ratio {ours / plain:.2f}"
            )
            if kind == "sqlite":
                lines.append(building(sent[0][2]))
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
