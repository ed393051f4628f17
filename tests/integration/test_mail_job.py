"""A single mail (a password link) without a broker: its job waits between tries, as a worker
would, and the message goes out once the server is back."""

from __future__ import annotations

from coachflow.platform import mailing


def test_without_a_broker_a_mail_waits_between_tries_until_the_server_takes_it(app, monkeypatch):
    app.config["JOBS_INLINE"] = False  # as in `make run`: the job runs on a thread of its own
    tries: list[str] = []
    waits: list[float] = []

    def deliver(message):
        tries.append(message["to"])
        if len(tries) < 3:
            raise mailing.ConnectionLost("Connection refused")

    monkeypatch.setattr(mailing, "deliver", deliver)
    monkeypatch.setattr(mailing.time, "sleep", waits.append)
    with app.app_context():
        mailing.send_mail.apply(args=({"to": "anna@example.com"},))
    assert tries == ["anna@example.com"] * 3
    assert waits == [30, 60]


def test_a_mail_refused_for_good_is_not_tried_again(app, monkeypatch):
    tries: list[str] = []

    def deliver(message):
        tries.append(message["to"])
        raise mailing.MessageRefused("550 no such user", transient=False)

    monkeypatch.setattr(mailing, "deliver", deliver)
    with app.app_context():
        mailing.send_mail.apply(args=({"to": "nobody@example.com"},))
    assert tries == ["nobody@example.com"]
