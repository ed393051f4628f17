"""factory_boy factories for test data, bound to Flask-SQLAlchemy's session."""

from __future__ import annotations

import factory
from werkzeug.security import generate_password_hash

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.platform.extensions import db

PASSWORD = "correct horse battery"
# One cheap hash for every test user: hashing is tested on its own, not in every fixture.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class TeamFactory(Base):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    territory = factory.Sequence(lambda n: f"Territory {n}")


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = Role.REP
    language = "en"
    password_hash = PASSWORD_HASH


class ProductLineFactory(Base):
    class Meta:
        model = ProductLine

    code = factory.Sequence(lambda n: f"PL{n}")
    name = factory.Sequence(lambda n: f"Line {n}")
