"""Demo surveys: a relationship NPS and a CSAT after a closed deal, with a year of answers.

Built on the demo organisation and its sales data (``coachflow.sales.demo``); deterministic for a
seed and a day. The two surveys come from the ready templates (``templates_library``). Over the
last twelve months:

- **Relationship NPS** goes to every contact who has not opted out, at a random day of the year
  and again about six months later: an always-on programme, so every month has answers.
- **CSAT after a closed deal** goes to one contact of the account two to five days after each won
  deal; the invitation is about that deal (and its product line).
- No contact is invited twice within ``THROTTLE_DAYS`` (90), across both surveys, as the
  distribution's throttle does.

Each rep has a latent quality the numbers follow: a few reps near NPS +60, most between +20 and
+40, a couple below zero; their CSAT and the "understood our needs" agreement item move with it.
A rep's response rate lies between 30% and 45%. Answers arrive mostly within a day, some after
the reminder; invitations nobody answered expire after 30 days, a few were unsubscribed or
failed. Comments, in the contact's language, come from short lists matching the score.

Rows go in with bulk INSERTs, a batch of reps at a time, so memory stays flat for any ``--reps``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, insert, select, update

from coachflow.accounts.demo import DemoOrg
from coachflow.accounts.models import User
from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.questionnaires.templates_library import (
    CSAT_CLOSED_DEAL,
    RELATIONSHIP_NPS,
    Template,
    fill,
)
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage
from coachflow.surveys.models import Answer, Invitation, InvitationStatus, Response

DAYS = 365
THROTTLE_DAYS = 90
INVITATION_DAYS = 30
REMINDER_DAYS = 4
RESPONSE_RATE = (0.30, 0.45)
BATCH_REPS = 50
# Rows per multi-row INSERT: psycopg parses very long statements slowly, so pages stay short.
INSERT_PAGE_ROWS = 50

# Comments customers leave, per language and band: NPS promoter / passive / detractor.
NPS_COMMENTS = {
    "en": {
        "promoter": [
            "Always responsive and knows our business well.",
            "Great advice, and the delivery was on time.",
            "Our rep goes the extra mile every single time.",
            "Reliable partner, we recommend you to everyone.",
            "Quick answers and fair prices.",
        ],
        "passive": [
            "Good overall, but quotes take a while.",
            "Fine products; support could be faster.",
            "Solid, nothing special.",
            "We are happy, though prices went up this year.",
        ],
        "detractor": [
            "We waited three weeks for a reply.",
            "The delivery was late and nobody told us.",
            "Too expensive for what we get.",
            "Our contact changed twice this year; we keep starting over.",
            "Invoices were wrong several times.",
        ],
    },
    "de": {
        "promoter": [
            "Immer erreichbar und kennt unser Geschäft genau.",
            "Sehr gute Beratung, Lieferung pünktlich.",
            "Unser Ansprechpartner tut jedes Mal mehr als nötig.",
            "Verlässlicher Partner, wir empfehlen Sie gern weiter.",
            "Schnelle Antworten und faire Preise.",
        ],
        "passive": [
            "Insgesamt gut, aber Angebote dauern lange.",
            "Gute Produkte, der Support könnte schneller sein.",
            "Solide, nichts Besonderes.",
            "Wir sind zufrieden, auch wenn die Preise gestiegen sind.",
        ],
        "detractor": [
            "Wir haben drei Wochen auf eine Antwort gewartet.",
            "Die Lieferung kam zu spät, und niemand hat uns informiert.",
            "Zu teuer für das, was wir bekommen.",
            "Unser Ansprechpartner hat zweimal gewechselt, wir fangen immer neu an.",
            "Die Rechnungen waren mehrfach falsch.",
        ],
    },
    "fr": {
        "promoter": [
            "Toujours disponible et connaît bien notre activité.",
            "Très bons conseils, livraison dans les délais.",
            "Notre commercial en fait toujours plus que prévu.",
            "Partenaire fiable, nous vous recommandons volontiers.",
            "Réponses rapides et prix corrects.",
        ],
        "passive": [
            "Bien dans l'ensemble, mais les devis prennent du temps.",
            "Bons produits, le support pourrait être plus rapide.",
            "Correct, sans plus.",
            "Satisfaits, même si les prix ont augmenté cette année.",
        ],
        "detractor": [
            "Nous avons attendu trois semaines une réponse.",
            "La livraison était en retard et personne ne nous a prévenus.",
            "Trop cher pour ce que nous recevons.",
            "Notre interlocuteur a changé deux fois cette année.",
            "Les factures étaient erronées à plusieurs reprises.",
        ],
    },
}
# After a deal: satisfied (4–5) / neutral (3) / unhappy (1–2).
CSAT_COMMENTS = {
    "en": {
        "promoter": [
            "Smooth from quote to delivery.",
            "Exactly what we needed, thank you.",
            "Installation went perfectly.",
        ],
        "passive": [
            "The order was fine, the paperwork less so.",
            "Delivery took longer than promised.",
        ],
        "detractor": [
            "Parts were missing from the delivery.",
            "Nobody followed up after we signed.",
        ],
    },
    "de": {
        "promoter": [
            "Vom Angebot bis zur Lieferung reibungslos.",
            "Genau das, was wir brauchten, danke.",
            "Die Installation lief perfekt.",
        ],
        "passive": [
            "Der Auftrag war in Ordnung, die Unterlagen weniger.",
            "Die Lieferung dauerte länger als zugesagt.",
        ],
        "detractor": [
            "In der Lieferung fehlten Teile.",
            "Nach der Unterschrift hat sich niemand mehr gemeldet.",
        ],
    },
    "fr": {
        "promoter": [
            "Tout s'est bien passé, du devis à la livraison.",
            "Exactement ce qu'il nous fallait, merci.",
            "L'installation s'est parfaitement déroulée.",
        ],
        "passive": [
            "La commande était correcte, l'administratif moins.",
            "La livraison a pris plus de temps que prévu.",
        ],
        "detractor": [
            "Il manquait des pièces à la livraison.",
            "Personne ne nous a recontactés après la signature.",
        ],
    },
}
COMMENT_ODDS = {"promoter": 0.35, "passive": 0.3, "detractor": 0.6}


@dataclass
class SurveyDemo:
    """How many rows the seed wrote."""

    surveys: int = 0
    invitations: int = 0
    responses: int = 0
    answers: int = 0

    def summary(self) -> str:
        return (
            f"Demo surveys: {self.surveys} surveys, {self.invitations} invitations, "
            f"{self.responses} responses, {self.answers} answers."
        )


class EvenRolls:
    """Numbers in [0, 1) spread evenly (the golden-ratio sequence from a random start).

    Used in place of ``random()`` for a rep's bands, ratings and answers: after n rolls the share
    below any threshold is within about 1/n of it, so a rep's figures follow their profile
    closely (as the sales demo's stratified draws do) while single answers still look random.
    """

    STEP = 0.6180339887498949

    def __init__(self, start: float) -> None:
        self.value = start

    def __call__(self) -> float:
        self.value = (self.value + self.STEP) % 1.0
        return self.value


@dataclass
class RepProfile:
    """What a rep's customers think of them, unknown to anything but this seed; its rolls
    decide, answer by answer, the band, the rating and whether the customer replies."""

    nps: float  # the NPS their customers would give in the long run, −1…1
    response_rate: float
    passives: float  # share of passives
    bands: EvenRolls
    ratings: EvenRolls
    replies: EvenRolls


def rep_profiles(count: int, rng: random.Random) -> list[RepProfile]:
    """About 12% of reps near NPS +60, about 8% (a couple) below zero, the rest +20…+40.

    From four reps on, both ends have at least one rep each, so every demo shows the spread.
    """
    high = max(1, round(count * 0.12)) if count >= 4 else 0
    low = max(1, round(count * 0.08)) if count >= 4 else 0
    targets = (
        [rng.gauss(0.6, 0.04) for _ in range(high)]
        + [rng.gauss(-0.15, 0.06) for _ in range(low)]
        + [rng.uniform(0.2, 0.4) for _ in range(count - high - low)]
    )
    rng.shuffle(targets)
    return [
        RepProfile(
            nps=t,
            response_rate=rng.uniform(*RESPONSE_RATE),
            passives=rng.uniform(0.22, 0.32),
            bands=EvenRolls(rng.random()),
            ratings=EvenRolls(rng.random()),
            replies=EvenRolls(rng.random()),
        )
        for t in targets
    ]


def nps_score(profile: RepProfile, rng: random.Random) -> int:
    """A 0–10 score: the band from the rep's shares, the score within it as people give them."""
    promoters = (1 - profile.passives + profile.nps) / 2
    roll = profile.bands()
    if roll < promoters:
        return rng.choices((9, 10), weights=(45, 55))[0]
    if roll < promoters + profile.passives:
        return rng.choices((7, 8), weights=(40, 60))[0]
    return rng.choices(range(7), weights=(3, 2, 3, 5, 7, 12, 14))[0]


def csat_rating(profile: RepProfile, rng: random.Random) -> int:
    """A 1–5 rating; the share of 4–5 rises with the rep's quality (about 66% … 90%)."""
    satisfied = min(0.97, max(0.35, 0.72 + 0.3 * profile.nps))
    if profile.ratings() < satisfied:
        return 5 if rng.random() < 0.5 + 0.25 * profile.nps else 4
    return rng.choices((1, 2, 3), weights=(15, 25, 60))[0]


def _band(score: int, scale_top: int) -> str:
    if scale_top == 10:
        return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    return "promoter" if score >= 4 else "passive" if score == 3 else "detractor"


@dataclass(frozen=True)
class _Invite:
    survey: str  # "nps" or "csat"
    contacts: tuple[tuple, ...]  # who may receive it: (id, account id, email, language)
    sent_at: datetime.datetime
    deal_id: int | None = None


@dataclass
class _DemoSurvey:
    id: int
    version_id: int
    questions: dict[QuestionType, int] = field(default_factory=dict)


def _survey(
    template: Template, name: str, owner: User | None, created: datetime.datetime
) -> Survey:
    """An active survey copied from ``template`` (as the builder does, without committing)."""
    survey = Survey(
        name=name,
        kind=template.kind,
        status=SurveyStatus.ACTIVE,
        default_language="en",
        owner_id=owner.id if owner else None,
        invitation_days=INVITATION_DAYS,
        reminder_days=REMINDER_DAYS,
        max_reminders=1,
        created_at=created,
    )
    version = SurveyVersion(
        survey=survey, number=1, texts=template.survey_texts(None), created_at=created
    )
    for position, spec in enumerate(template.questions):
        version.questions.append(
            Question(
                position=position,
                type=spec.type,
                required=spec.required,
                texts={lang: fill(text, lang, None) for lang, text in spec.texts.items()},
                options=[],
            )
        )
    db.session.add(survey)
    return survey


class _Seeder:
    """Generates one rep's year at a time; ``flush`` writes what has been generated."""

    def __init__(
        self, rng: random.Random, now: datetime.datetime, surveys: dict[str, _DemoSurvey]
    ) -> None:
        self.rng = rng
        self.now = now
        self.start = now - datetime.timedelta(days=DAYS)
        self.surveys = surveys
        self.secret = current_app.config["SECRET_KEY"]
        self.counts = SurveyDemo(surveys=len(surveys))
        self.invitations: list[dict] = []
        self.responses: list[tuple[int, dict]] = []  # (invitation index, row)
        self.answers: list[tuple[int, dict]] = []  # (response index, row)
        self.opted_out: dict[int, datetime.datetime] = {}  # contact id → when they unsubscribed
        self.opted_out_written = 0

    # Which invitations go out --------------------------------------------------------------------

    def _sending_time(self, day: datetime.date) -> datetime.datetime:
        minutes = self.rng.randint(7 * 60, 11 * 60)  # a morning mail-out, UTC
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC) + (
            datetime.timedelta(minutes=minutes)
        )

    def rep_year(
        self, rep: User, profile: RepProfile, contacts: Sequence[tuple], deals: Sequence[tuple]
    ) -> None:
        """One rep's invitations of the year in time order: throttled per contact, none after a
        contact unsubscribed."""
        rng = self.rng
        first_day = self.start.date()
        candidates: list[_Invite] = []
        for contact in contacts:
            offset = rng.randint(0, 182)
            for day in (offset, offset + 182 + rng.randint(-12, 12)):
                if 0 <= day < DAYS:
                    candidates.append(
                        _Invite(
                            "nps",
                            (contact,),
                            self._sending_time(first_day + datetime.timedelta(days=day)),
                        )
                    )
        by_account: dict[int, list[tuple]] = {}
        for contact in contacts:
            by_account.setdefault(contact[1], []).append(contact)
        for deal_id, account_id, closed_on in deals:
            day = closed_on + datetime.timedelta(days=rng.randint(2, 5))
            people = by_account.get(account_id)
            if people and first_day <= day < self.now.date():
                candidates.append(_Invite("csat", tuple(people), self._sending_time(day), deal_id))
        candidates.sort(key=lambda c: (c.sent_at, c.survey, c.deal_id or 0))
        last: dict[int, datetime.datetime] = {}
        gap = datetime.timedelta(days=THROTTLE_DAYS)
        for invite in candidates:
            free = [
                p
                for p in invite.contacts
                if p[0] not in self.opted_out
                and (p[0] not in last or invite.sent_at - last[p[0]] >= gap)
            ]
            if not free or invite.sent_at >= self.now:
                continue
            contact = free[0] if len(free) == 1 else rng.choice(free)
            last[contact[0]] = invite.sent_at
            self.invitation(rep, profile, invite, contact)

    # What became of each invitation ---------------------------------------------------------------

    def _answer_delay(self) -> datetime.timedelta:
        roll = self.rng.random()
        if roll < 0.6:
            hours = self.rng.expovariate(1 / 5)
        elif roll < 0.85:
            hours = self.rng.uniform(24, REMINDER_DAYS * 24)
        else:  # after the reminder
            hours = REMINDER_DAYS * 24 + self.rng.expovariate(1 / 30)
        return datetime.timedelta(minutes=max(3, round(hours * 60)))

    def invitation(self, rep: User, profile: RepProfile, invite: _Invite, contact: tuple) -> None:
        rng = self.rng
        survey = self.surveys[invite.survey]
        contact_id, _account, email, language = contact
        sent = invite.sent_at
        expires = sent + datetime.timedelta(days=INVITATION_DAYS)
        row = {
            "survey_id": survey.id,
            "version_id": survey.version_id,
            "contact_id": contact_id,
            "email": email,
            "language": language,
            "rep_id": rep.id,
            "team_id": rep.team_id,
            "deal_id": invite.deal_id,
            "token_salt": f"{rng.getrandbits(128):032x}",
            "token_hash": f"demo-{self.counts.invitations}",
            "created_at": sent,
            "expires_at": expires,
            "sent_at": sent,
            "opened_at": None,
            "answered_at": None,
            "attempts": 1,
            "next_attempt_at": None,
            "last_error": "",
            "reminders_sent": 0,
        }
        answered_at = sent + self._answer_delay()
        reminded = sent + datetime.timedelta(days=REMINDER_DAYS)
        if rng.random() < 0.004:
            row.update(
                status=InvitationStatus.FAILED,
                sent_at=None,
                attempts=5,
                last_error="550 5.1.1 Mailbox unavailable",
            )
        elif profile.replies() < profile.response_rate and answered_at < self.now:
            row.update(
                status=InvitationStatus.ANSWERED,
                answered_at=answered_at,
                opened_at=answered_at - datetime.timedelta(minutes=rng.randint(1, 3)),
                reminders_sent=int(answered_at > reminded),
            )
            self.response(len(self.invitations), rep, profile, invite.survey, language, answered_at)
        else:
            if rng.random() < 0.015:
                status = InvitationStatus.UNSUBSCRIBED
                self.opted_out[contact_id] = min(self.now, sent + self._answer_delay())
            elif expires <= self.now:
                status = InvitationStatus.EXPIRED
            elif rng.random() < 0.3:
                status = InvitationStatus.OPENED
                row["opened_at"] = min(self.now, sent + self._answer_delay())
            else:
                status = InvitationStatus.SENT
            row.update(status=status, reminders_sent=int(reminded <= self.now))
        self.counts.invitations += 1
        self.invitations.append(row)

    def response(
        self,
        invitation: int,
        rep: User,
        profile: RepProfile,
        kind: str,
        language: str,
        at: datetime.datetime,
    ) -> None:
        rng = self.rng
        survey = self.surveys[kind]
        index = len(self.responses)
        self.responses.append(
            (
                invitation,
                {
                    "survey_id": survey.id,
                    "version_id": survey.version_id,
                    "rep_id": rep.id,
                    "team_id": rep.team_id,
                    "language": language,
                    "submitted_at": at,
                },
            )
        )
        if kind == "nps":
            score = nps_score(profile, rng)
            scores = {QuestionType.NPS: score}
            band, comments = _band(score, 10), NPS_COMMENTS
        else:
            rating = csat_rating(profile, rng)
            understood = min(5, max(1, rating + rng.choice((-1, 0, 0, 0, 1))))
            scores = {QuestionType.RATING: rating, QuestionType.AGREEMENT: understood}
            band, comments = _band(rating, 5), CSAT_COMMENTS
        for qtype, value in scores.items():
            self.answers.append(
                (
                    index,
                    {
                        "question_id": survey.questions[qtype],
                        "score": value,
                        "choices": None,
                        "text": None,
                    },
                )
            )
        if QuestionType.TEXT in survey.questions and rng.random() < COMMENT_ODDS[band]:
            self.answers.append(
                (
                    index,
                    {
                        "question_id": survey.questions[QuestionType.TEXT],
                        "score": None,
                        "choices": None,
                        "text": rng.choice(comments[language][band]),
                    },
                )
            )

    # Writing -------------------------------------------------------------------------------------

    def flush(self) -> None:
        # Core inserts on the tables: every row of a batch has the same columns, so each goes
        # in as a few multi-row INSERTs (the ORM would split rows whose None columns differ).
        if not self.invitations:
            return
        invitations = Invitation.__table__
        ids = db.session.scalars(
            insert(invitations)
            .returning(invitations.c.id, sort_by_parameter_order=True)
            .execution_options(insertmanyvalues_page_size=INSERT_PAGE_ROWS),
            self.invitations,
        ).all()
        # The link token is HMAC(secret, id + salt): known only once the row has its id.
        db.session.execute(
            update(invitations)
            .where(invitations.c.id == bindparam("invitation_id"))
            .values(token_hash=bindparam("hash")),
            [
                {
                    "invitation_id": id_,
                    "hash": tokens.hash_token(tokens.derive(self.secret, id_, row["token_salt"])),
                }
                for id_, row in zip(ids, self.invitations, strict=True)
            ],
        )
        if self.responses:
            responses = Response.__table__
            response_ids = db.session.scalars(
                insert(responses)
                .returning(responses.c.id, sort_by_parameter_order=True)
                .execution_options(insertmanyvalues_page_size=INSERT_PAGE_ROWS),
                [{**row, "invitation_id": ids[i]} for i, row in self.responses],
            ).all()
            self.counts.responses += len(response_ids)
            if self.answers:
                db.session.execute(
                    insert(Answer.__table__).execution_options(
                        insertmanyvalues_page_size=INSERT_PAGE_ROWS
                    ),
                    [{**row, "response_id": response_ids[i]} for i, row in self.answers],
                )
                self.counts.answers += len(self.answers)
        if len(self.opted_out) > self.opted_out_written:
            contacts = Contact.__table__
            db.session.execute(
                update(contacts)
                .where(contacts.c.id == bindparam("contact_id"))
                .values(opted_out_at=bindparam("at")),
                [
                    {"contact_id": id_, "at": at}
                    for id_, at in list(self.opted_out.items())[self.opted_out_written :]
                ],
            )
            self.opted_out_written = len(self.opted_out)
        self.invitations, self.responses, self.answers = [], [], []


def _contacts_and_deals(
    rep_ids: Sequence[int],
    since: datetime.date,
) -> tuple[dict[int, list[tuple]], dict[int, list[tuple]]]:
    """Per rep: the contacts of the accounts they own who may be surveyed, and their won deals
    since ``since`` (two queries per batch of reps)."""
    contacts: dict[int, list[tuple]] = {}
    for owner, *contact in db.session.execute(
        select(
            CustomerAccount.owner_id,
            Contact.id,
            Contact.account_id,
            Contact.email,
            Contact.language,
        )
        .join(CustomerAccount, CustomerAccount.id == Contact.account_id)
        .where(CustomerAccount.owner_id.in_(rep_ids), Contact.opted_out_at.is_(None))
        .order_by(Contact.id)
    ):
        contacts.setdefault(owner, []).append(tuple(contact))
    deals: dict[int, list[tuple]] = {}
    for rep_id, *deal in db.session.execute(
        select(Deal.rep_id, Deal.id, Deal.account_id, Deal.closed_on)
        .where(Deal.rep_id.in_(rep_ids), Deal.stage == DealStage.WON, Deal.closed_on >= since)
        .order_by(Deal.closed_on, Deal.id)
    ):
        deals.setdefault(rep_id, []).append(tuple(deal))
    return contacts, deals


def seed_surveys(
    org: DemoOrg, rng: random.Random, *, today: datetime.date | None = None
) -> SurveyDemo:
    """Add the two demo surveys and a year of invitations and answers for every rep of ``org``.

    Needs the sales demo first (contacts and won deals). The caller commits. ``today`` anchors the
    year (default: today, UTC); times are counted from its midnight, so a day's seed is stable.
    """
    day = today or datetime.datetime.now(datetime.UTC).date()
    now = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    created = now - datetime.timedelta(days=DAYS + 7)
    owner = org.managers[0] if org.managers else None
    models = {
        # Names that read the same in every language: a survey has one name.
        "nps": _survey(RELATIONSHIP_NPS, "NPS", org.hr, created),
        "csat": _survey(CSAT_CLOSED_DEAL, "CSAT", owner, created),
    }
    db.session.flush()
    surveys = {}
    for key, survey in models.items():
        version = survey.versions[0]
        surveys[key] = _DemoSurvey(survey.id, version.id, {q.type: q.id for q in version.questions})
    seeder = _Seeder(rng, now, surveys)
    profiles = rep_profiles(len(org.reps), rng)
    for first in range(0, len(org.reps), BATCH_REPS):
        batch = org.reps[first : first + BATCH_REPS]
        contacts, deals = _contacts_and_deals([r.id for r in batch], seeder.start.date())
        for rep, profile in zip(batch, profiles[first : first + BATCH_REPS], strict=True):
            seeder.rep_year(rep, profile, contacts.get(rep.id, []), deals.get(rep.id, []))
        seeder.flush()
    return seeder.counts
