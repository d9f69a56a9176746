"""The annual invoicing run: staff start it, background batches invoice every member of the
campaign, and it can be resumed any number of times without a second invoice for anyone.

Each member is invoiced in its own transaction; the unique constraint "one cotisation invoice
per member and campaign" makes a resumed or doubled batch harmless. A member that cannot be
priced gets a `RunSkip` row saying why.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import Conflict
from core.jobs.dispatch import enqueue_on_commit
from core.members.models import Member

from ..models import DeclarationCampaign, Invoice, InvoiceKind, InvoicingRun, RunSkip, RunStatus
from ..policy import billing_policy
from ..selectors import run_progress
from .common import refusals_logged, require
from .invoices import InvoiceRefused, contribution_invoice, contributions_price, seller_check

BATCH_SIZE = 200


def _members_to_invoice(run: InvoicingRun):
    """Members of the campaign with neither an invoice for it nor a skip in this run, by id."""
    invoiced = Invoice.objects.filter(campaign=run.campaign, kind=InvoiceKind.INVOICE).values("member_id")
    skipped = RunSkip.objects.filter(run=run).values("member_id")
    return (
        Member.objects.filter(status="member")
        .exclude(pk__in=invoiced)
        .exclude(pk__in=skipped)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@refusals_logged
def invoicing_run_start(*, actor, campaign: DeclarationCampaign) -> InvoicingRun:
    """Start the campaign's run, or resume the one already running; its batches leave on commit."""
    require(actor, "billing.manage_billing")
    if not hasattr(campaign, "rule"):
        raise Conflict(_("Définissez d'abord la règle de cotisation de la campagne."))
    seller_check(vat_charged=campaign.rule.vat_rate > 0)
    with transaction.atomic():
        DeclarationCampaign.objects.select_for_update().get(pk=campaign.pk)
        run = InvoicingRun.objects.filter(campaign=campaign, status=RunStatus.RUNNING).first()
        if run is None:
            run = InvoicingRun.objects.create(campaign=campaign, started_by=actor, heartbeat_at=timezone.now())
            run.total = _members_to_invoice(run).count()
            run.save(update_fields=["total"])
            audit_record(
                actor=actor, action="billing.run_start", target=campaign, after={"run": run.pk, "members": run.total}
            )
        else:
            audit_record(actor=actor, action="billing.run_resume", target=campaign, after={"run": run.pk})
        invoicing_run_plan(run=run)
    return run


def invoicing_run_plan(*, run: InvoicingRun) -> int:
    """Send one task per batch of members still to do (on commit); returns the number of batches."""
    from ..tasks import invoicing_batch

    # Planned counts as a sign of life: batches still queued are not planned again by the next
    # pass of `invoicing_runs_resume` while they wait for a worker.
    InvoicingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    ids = list(_members_to_invoice(run))
    batches = [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]
    for batch in batches:
        enqueue_on_commit(invoicing_batch, run.pk, batch)
    if not batches:
        transaction.on_commit(lambda: invoicing_run_finish(run=run))
    return len(batches)


def _skip(run: InvoicingRun, member: Member, reason: str) -> None:
    try:
        with transaction.atomic():
            RunSkip.objects.create(run=run, member=member, reason=reason[:300])
    except IntegrityError:
        pass  # skipped already by an earlier pass of this batch


def invoicing_batch_do(*, run: InvoicingRun, member_ids: list[int]) -> int:
    """Invoice (or skip, with the reason) each member of the batch; returns invoices issued."""
    if run.status != RunStatus.RUNNING:
        return 0
    campaign = DeclarationCampaign.objects.select_related("rule").get(pk=run.campaign_id)
    members = list(Member.objects.filter(pk__in=member_ids).order_by("pk"))
    policy = billing_policy()  # the same terms and seller for the whole batch, read once
    issued = 0
    for priced in contributions_price(campaign=campaign, members=members):
        if priced.skip:
            _skip(run, priced.member, priced.skip)
            continue
        try:
            if contribution_invoice(actor=run.started_by, campaign=campaign, priced=priced, policy=policy):
                issued += 1
        except InvoiceRefused as refused:
            # Reported like any skip: the run still ends, and staff see which member and why.
            _skip(run, priced.member, str(refused))
    InvoicingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    invoicing_run_finish(run=run)
    return issued


def invoicing_run_finish(*, run: InvoicingRun) -> bool:
    """Mark the run done once every member is invoiced or skipped (checked under its row lock)."""
    with transaction.atomic():
        run = InvoicingRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.RUNNING or _members_to_invoice(run).exists():
            return False
        run.status, run.finished_at = RunStatus.DONE, timezone.now()
        run.save(update_fields=["status", "finished_at"])
        progress = run_progress(run=run)
        audit_record(
            actor=None,
            action="billing.run_done",
            target=run.campaign,
            after={"run": run.pk, "invoiced": progress.invoiced, "skipped": progress.skipped},
        )
    return True


def invoicing_runs_stalled(*, minutes: int = 15) -> list[InvoicingRun]:
    """Runs still marked running whose batches have said nothing for a while (a worker died)."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    return list(InvoicingRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff))
