"""Fixtures of the questions tests: alpha's people as users, a theme, a question asked by M1."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.members.models import Member
from modules.questions.models import Theme
from modules.questions.services import question_submit

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def pdf_file(name: str = "contrat.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def in_alpha(alpha):
    """Run the test inside alpha's schema."""
    with tenant_context(alpha):
        yield alpha


def user(email: str) -> User:
    return User.objects.get(email=email)


def member(name: str = "Société Un") -> Member:
    return Member.objects.get(name=name)


def theme(name: str = "Contrat de travail") -> Theme:
    return Theme.objects.get(name=name)


def ask(*, email: str = "m1-admin@alpha.test", member_name: str = "Société Un", **fields):
    """A question submitted through the service (inside the current schema)."""
    values = {"subject": "Période d'essai", "body": "Peut-on renouveler la période d'essai ?", **fields}
    values.setdefault("theme_id", theme().pk)
    return question_submit(actor=user(email), member=member(member_name), **values)
