"""The annual invoicing run: every member invoiced once or skipped with a reason, resumable after a
crash without a second invoice or a gap in the numbers, one run at a time, stalled runs re-planned.

Batches are Celery tasks sent on commit; tests run them eagerly by executing the commit callbacks.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

import modules.billing.services.runs as runs
from core.audit.models import AuditEntry
from core.errors import Conflict
from core.members.models import Member, MembershipStatus
from core.members.services import member_create
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing.models import (
    DeclarationCampaign,
    Invoice,
    InvoiceKind,
    InvoicingRun,
    NumberSeries,
    RunSkip,
    RunStatus,
)
from modules.billing.selectors import run_progress, run_skips
from modules.billing.services.runs import invoicing_batch_do, invoicing_run_start
from modules.billing.tasks import invoicing_runs_resume
from tests.concurrency import in_own_connection, race
from tests.world import siret_for

from .conftest import admin, declare, open_campaign, user
from .scratch import scratch_organisation, tasks_unrun

pytestmark = pytest.mark.django_db

NO_DECLARATION = "Aucune déclaration, ni antérieure pour l'estimer."


@pytest.fixture(scope="module")
def scratch(organisations, django_db_blocker):
    with scratch_organisation(django_db_blocker, "billing-runs") as organisation:
        yield organisation


def members_add(count: int, *, status=MembershipStatus.MEMBER, start: int = 500) -> list[Member]:
    return [
        member_create(actor=admin(), name=f"Adhérent {index:03d}", identifier=siret_for(index), status=status)
        for index in range(start, start + count)
    ]


def fixed_campaign(year: int = 2027):
    """A cotisation of 100 € for every member, declared or not (the rule needs no figure)."""
    return open_campaign(year, brackets=[], per_head_amount="0", fixed_amount="100", minimum="0", maximum="")


def invoiced_members(campaign) -> list[int]:
    return list(
        Invoice.objects.filter(campaign=campaign, kind=InvoiceKind.INVOICE)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def numbers() -> list[str]:
    return sorted(Invoice.objects.filter(kind=InvoiceKind.INVOICE).values_list("number", flat=True))


def consecutive(count: int) -> list[str]:
    return [f"FAC-{value:06d}" for value in range(1, count + 1)]


def started(campaign, capture, *, execute: bool = True) -> InvoicingRun:
    """Start (or resume) the run; with `execute`, its batches run as the commit would send them."""
    with capture(execute=execute):
        run = invoicing_run_start(actor=admin(), campaign=campaign)
    return InvoicingRun.objects.get(pk=run.pk)


def test_a_run_invoices_every_member_once_and_says_why_it_skipped_others(
    in_alpha, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(runs, "BATCH_SIZE", 2)  # several batches for a handful of members
    declare(open_campaign(2026), member_name="Société Deux", email="m2-admin@alpha.test", payroll="100000")
    campaign = open_campaign(2027)
    declare(campaign)
    (newcomer,) = members_add(1)
    members_add(1, status=MembershipStatus.PROSPECT, start=600)  # not a member: not invoiced

    run = started(campaign, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.DONE and run.finished_at is not None
    assert run.total == 3
    invoices = {invoice.member.name: invoice for invoice in Invoice.objects.filter(campaign=campaign)}
    assert set(invoices) == {"Société Un", "Société Deux"}
    assert not invoices["Société Un"].estimated and invoices["Société Deux"].estimated
    assert [(skip.member, skip.reason) for skip in run_skips(run=run)] == [(newcomer, NO_DECLARATION)]
    progress = run_progress(run=run)
    assert (progress.total, progress.invoiced, progress.skipped, progress.percent) == (3, 2, 1, 100)
    assert numbers() == consecutive(2)
    assert AuditEntry.objects.filter(action="billing.run_start").get().after == {"run": run.pk, "members": 3}
    assert AuditEntry.objects.filter(action="billing.run_done").get().after == {
        "run": run.pk,
        "invoiced": 2,
        "skipped": 1,
    }


def test_a_run_resumed_after_a_crash_invoices_each_member_once_without_gaps(
    in_alpha, django_capture_on_commit_callbacks
):
    campaign = fixed_campaign()
    members_add(5)
    everyone = list(Member.objects.filter(status="member").order_by("pk").values_list("pk", flat=True))
    # The run is created, then its worker dies after the first members: the batch never reports.
    run = started(campaign, django_capture_on_commit_callbacks, execute=False)
    assert run.status == RunStatus.RUNNING and run.total == 7
    assert invoicing_batch_do(run=run, member_ids=everyone[:3]) == 3
    assert InvoicingRun.objects.get(pk=run.pk).status == RunStatus.RUNNING

    resumed = started(campaign, django_capture_on_commit_callbacks)

    assert resumed.pk == run.pk and resumed.status == RunStatus.DONE
    assert invoiced_members(campaign) == everyone
    assert numbers() == consecutive(7)
    assert NumberSeries.objects.get(kind=InvoiceKind.INVOICE).next_value == 8
    assert AuditEntry.objects.filter(action="billing.run_resume").count() == 1
    assert run_progress(run=resumed).invoiced == 7


def test_an_invoice_the_database_refuses_is_reported_and_the_run_still_ends(
    in_alpha, django_capture_on_commit_callbacks
):
    campaign = open_campaign(2027)
    declare(campaign)
    declare(campaign, member_name="Société Deux", email="m2-admin@alpha.test", payroll="10000", headcount="1", fte="1")
    # A rule of the database the cotisation of Société Un (6 036 €) breaks, Société Deux's does not.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE billing_invoice ADD CONSTRAINT test_ceiling CHECK (total_gross < 1000)")

    run = started(campaign, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.DONE
    assert [invoice.member.name for invoice in Invoice.objects.filter(campaign=campaign)] == ["Société Deux"]
    ((skipped, reason),) = [(skip.member.name, skip.reason) for skip in run_skips(run=run)]
    assert skipped == "Société Un" and "test_ceiling" in reason
    assert numbers() == consecutive(1)  # the refused invoice gave its number back


def test_a_batch_delivered_twice_issues_nothing_the_second_time(in_alpha, django_capture_on_commit_callbacks):
    campaign = fixed_campaign()
    members_add(2)
    everyone = list(Member.objects.filter(status="member").order_by("pk").values_list("pk", flat=True))
    run = started(campaign, django_capture_on_commit_callbacks, execute=False)
    assert invoicing_batch_do(run=run, member_ids=everyone) == 4
    assert InvoicingRun.objects.get(pk=run.pk).status == RunStatus.DONE
    # Delivered again (a worker died before acknowledging it): the run is done, nothing happens.
    assert invoicing_batch_do(run=InvoicingRun.objects.get(pk=run.pk), member_ids=everyone) == 0
    # Even on a run still marked running, members already invoiced are not invoiced again.
    assert invoicing_batch_do(run=run, member_ids=everyone) == 0
    assert numbers() == consecutive(4)
    assert NumberSeries.objects.get(kind=InvoiceKind.INVOICE).next_value == 5


def test_a_second_run_on_the_same_campaign_creates_nothing(campaign, django_capture_on_commit_callbacks):
    declare(campaign)
    first = started(campaign, django_capture_on_commit_callbacks)
    assert first.status == RunStatus.DONE
    invoices_before = list(Invoice.objects.values_list("pk", "number"))

    second = started(campaign, django_capture_on_commit_callbacks)

    assert second.pk != first.pk and second.status == RunStatus.DONE
    assert list(Invoice.objects.values_list("pk", "number")) == invoices_before
    assert second.total == 1  # Société Deux, skipped again with its reason
    assert [skip.reason for skip in run_skips(run=second)] == [NO_DECLARATION]


def test_only_billing_staff_start_a_run(campaign, django_capture_on_commit_callbacks):
    for email in ("m1-admin@alpha.test", "jurist@alpha.test"):
        with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
            invoicing_run_start(actor=user(email), campaign=campaign)
    assert not InvoicingRun.objects.exists()


def test_no_run_before_the_organisation_gives_its_siret(campaign, django_capture_on_commit_callbacks):
    settings = module_settings_get("billing")
    module_settings_save(actor=admin(), key="billing", values={**settings, "seller_siret": ""})
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        invoicing_run_start(actor=admin(), campaign=campaign)
    assert not InvoicingRun.objects.exists() and not Invoice.objects.exists()


def test_a_stalled_run_is_planned_again(in_alpha, django_capture_on_commit_callbacks):
    campaign = fixed_campaign()
    run = started(campaign, django_capture_on_commit_callbacks, execute=False)
    # Its batches said something a minute ago: the run is not stalled, nothing is re-planned.
    with django_capture_on_commit_callbacks(execute=True):
        assert invoicing_runs_resume.delay().get() == 0
    assert not Invoice.objects.exists()

    InvoicingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert invoicing_runs_resume.delay().get() == 1  # one batch for the two members

    assert InvoicingRun.objects.get(pk=run.pk).status == RunStatus.DONE
    assert numbers() == consecutive(2)
    with django_capture_on_commit_callbacks(execute=True):
        assert invoicing_runs_resume.delay().get() == 0


def test_a_run_planned_again_is_left_alone_while_its_batches_wait(in_alpha, django_capture_on_commit_callbacks):
    campaign = fixed_campaign()
    run = started(campaign, django_capture_on_commit_callbacks, execute=False)
    InvoicingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=20))
    # The batches sent again wait in the queue (every worker busy): the next pass, ten minutes
    # later, does not pile a second copy of them behind the first.
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert invoicing_runs_resume.delay().get() == 1
        assert invoicing_runs_resume.delay().get() == 0
    assert len(sent) == 1
    assert not Invoice.objects.exists()


def test_a_batch_reads_the_billing_settings_once_whatever_its_size(in_alpha, django_capture_on_commit_callbacks):
    campaign = fixed_campaign()
    members_add(3)
    everyone = list(Member.objects.filter(status="member").order_by("pk").values_list("pk", flat=True))
    run = started(campaign, django_capture_on_commit_callbacks, execute=False)

    with CaptureQueriesContext(connection) as queries:
        assert invoicing_batch_do(run=run, member_ids=everyone) == 5

    settings_reads = [query for query in queries.captured_queries if "modules_modulesettings" in query["sql"]]
    assert len(settings_reads) == 1
    terms = set(Invoice.objects.values_list("payment_terms", flat=True))
    assert terms == {"Paiement à 30 jours à réception de facture."}  # from the settings read once


def test_two_runs_started_at_once_make_one_running_run(scratch, monkeypatch, mail_sink):
    created = in_own_connection(scratch, lambda: fixed_campaign(2030).pk)
    assert "error" not in created, created

    # The batches go to a queue nobody reads: the runs stay running, as in production while the
    # workers are busy, so both starts meet a run in progress or none at all.
    def start():
        return invoicing_run_start(actor=admin(), campaign=DeclarationCampaign.objects.get(pk=created["value"])).pk

    with tasks_unrun():
        outcomes = race(scratch, monkeypatch, module=runs, meeting_point="require", works=[start, start])
    assert all("error" not in outcome for outcome in outcomes), outcomes
    assert outcomes[0]["value"] == outcomes[1]["value"]
    with tenant_context(scratch):
        (run,) = InvoicingRun.objects.filter(campaign_id=created["value"])
        assert run.status == RunStatus.RUNNING and run.total == 2
        actions = sorted(AuditEntry.objects.filter(action__startswith="billing.run_").values_list("action", flat=True))
        assert actions == ["billing.run_resume", "billing.run_start"]
        assert not RunSkip.objects.exists()
