"""The annual invoicing run at volume: 20,000 members invoiced in batches, then their Factur-X PDFs
printed across worker processes.

Run with `make bench` (or `python bench/invoicing.py`; `BENCH_MEMBERS` and `BENCH_PDFS` shrink it
for a quick check). Each run builds a scratch organisation (`bench-invoicing`) with the members, a
2027 campaign priced like the tests' (brackets on the payroll, a part per head, a fixed part,
bounds, VAT), an administrator per member (told of each invoice) and data sheets bulk-inserted
for most members (90 % declared, 5 % estimated from a 2026 data sheet, 5 % with nothing, which the
run skips), and drops it at the end: issued invoices
can never be deleted, so a second run needs a fresh organisation.

1. Records: the run is started through `invoicing_run_start` (its batch tasks go to a queue nobody
   reads), and its batches are run in this process by `invoicing_batch_do`, as a worker would run
   them one after the other: each member priced, numbered, invoiced, notified and audited in its
   own transaction, the PDF and e-mail tasks sent on commit (to the discarded queue).
2. PDFs: `invoice_pdf_ensure` (WeasyPrint, Factur-X XML embedded, file stored) for the first
   `BENCH_PDFS` invoices, spread over one process per core, each warmed up first (fonts and
   templates loaded once per process).

Figures go to docs/benchmarks.md.
"""

import multiprocessing
import os
import random
import shutil
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402
from stdnum import luhn  # noqa: E402

from bench.broker import discarded_tasks_drop, tasks_discarded  # noqa: E402
from bench.report import write_section  # noqa: E402
from config.celery_app import app  # noqa: E402
from core.access.models import MemberRole, Membership, MembershipKind, MembershipState  # noqa: E402
from core.accounts.models import User  # noqa: E402
from core.members.models import Member  # noqa: E402
from core.modules.settings import module_settings_get, module_settings_save  # noqa: E402
from modules.billing.models import (  # noqa: E402
    AnnualDeclaration,
    DeclarationCampaign,
    DeclarationStatus,
    Invoice,
    InvoiceDocument,
    InvoiceKind,
    InvoicingRun,
    RunSkip,
    RunStatus,
)
from modules.billing.services.declarations import campaign_open, rule_save  # noqa: E402
from modules.billing.services.invoices import invoice_pdf_ensure  # noqa: E402
from modules.billing.services.runs import BATCH_SIZE, invoicing_batch_do, invoicing_run_start  # noqa: E402
from tenants.models import Organisation  # noqa: E402
from tenants.services import OrganisationInput, organisation_create  # noqa: E402

SLUG = "bench-invoicing"
SCHEMA = SLUG.replace("-", "_")
ADMIN = f"admin@{SLUG}.example"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
PDFS = int(os.environ.get("BENCH_PDFS", "200"))
YEAR = 2027
RULE = dict(
    label=f"Cotisation annuelle {YEAR}",
    rate_basis="payroll",
    head_basis="headcount",
    brackets=[("0", "0.5"), ("500000", "0.3")],
    per_head_amount="15",
    fixed_amount="100",
    minimum="300",
    maximum="10000",
    vat_rate="20",
)
SELLER = dict(
    seller_name="Union du banc d'essai",
    seller_address="12 rue de la Paix\n75002 Paris",
    seller_siret="73282932000074",
    seller_vat_number="FR44732829320",
    iban="FR7630006000011234567890189",
    bic="AGRIFRPP",
)


def _siret(number: int) -> str:
    base = f"{number:013d}"
    return base + luhn.calc_check_digit(base)


def _drop() -> None:
    Organisation.objects.filter(slug=SLUG).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
    shutil.rmtree(Path(settings.MEDIA_ROOT) / SCHEMA, ignore_errors=True)


def _organisation() -> Organisation:
    _drop()  # left by an interrupted run
    return organisation_create(
        actor=None,
        data=OrganisationInput(
            name="Union du banc d'essai",
            slug=SLUG,
            kind="employers_union",
            identity_scheme="siret",
            admin_email=ADMIN,
            allowed_modules=["billing"],
            enabled_modules=["billing"],
        ),
    )


def _figures(rng: random.Random) -> dict:
    headcount = rng.choice([1, 2, 3, 5, 8, 12, 20, 35, 60, 150, 400])
    fte = min(Decimal(headcount), (Decimal(headcount) * Decimal(rng.uniform(0.6, 1.0))).quantize(Decimal("0.01")))
    payroll = (Decimal(headcount) * Decimal(rng.uniform(22000, 48000))).quantize(Decimal("0.01"))
    return {"payroll": payroll, "headcount": headcount, "contracts": headcount, "fte": fte}


def _fill(admin: User):
    """The members, the 2026 and 2027 campaigns with their rule, and the data sheets (bulk)."""
    print(f"Creating {MEMBERS} members and their data sheets…", flush=True)
    module_settings_save(actor=admin, key="billing", values={**module_settings_get("billing"), **SELLER})
    members = Member.objects.bulk_create(
        [Member(name=f"Adhérent {index:05d}", siret=_siret(10_000 + index)) for index in range(MEMBERS)],
        batch_size=2000,
    )
    # Each member has its administrator, who is told of the invoice (in-app and outbox e-mail).
    people = User.objects.bulk_create(
        [User(email=f"contact-{index:05d}@{SLUG}.example", password="!") for index in range(MEMBERS)],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=person,
                member=member,
                role=MemberRole.ADMINISTRATOR,
                kind=MembershipKind.CONTACT,
                state=MembershipState.ACTIVE,
            )
            for person, member in zip(people, members, strict=True)
        ],
        batch_size=2000,
    )
    earlier = campaign_open(actor=admin, year=YEAR - 1, deadline=date(YEAR - 2, 12, 31))
    rule_save(actor=admin, campaign=earlier, **{**RULE, "label": f"Cotisation annuelle {YEAR - 1}"})
    campaign = campaign_open(actor=admin, year=YEAR, deadline=date(YEAR - 1, 12, 31))
    rule_save(actor=admin, campaign=campaign, **RULE)
    rng, now, declarations = random.Random(42), timezone.now(), []
    for index, member in enumerate(members):
        kind = index % 20
        if kind == 1:
            continue  # never declared: skipped by the run
        declarations.append(
            AnnualDeclaration(
                campaign=earlier if kind == 0 else campaign,  # kind 0: estimated from last year's
                member=member,
                status=DeclarationStatus.SUBMITTED,
                submitted_at=now,
                **_figures(rng),
            )
        )
    AnnualDeclaration.objects.bulk_create(declarations, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member; ANALYZE access_membership; ANALYZE billing_annualdeclaration")
    return DeclarationCampaign.objects.select_related("rule").get(pk=campaign.pk)


def _records(admin: User, campaign) -> dict:
    """Start the run, then run every batch here, one after the other; timings per batch."""
    start = time.perf_counter()
    run = invoicing_run_start(actor=admin, campaign=campaign)
    started = time.perf_counter() - start
    run = InvoicingRun.objects.select_related("campaign", "started_by").get(pk=run.pk)
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    batches = [ids[index : index + BATCH_SIZE] for index in range(0, len(ids), BATCH_SIZE)]
    timings, issued, queries = [], 0, 0
    total_start = time.perf_counter()
    for number, batch in enumerate(batches):
        with CaptureQueriesContext(connection) as captured:
            batch_start = time.perf_counter()
            issued += invoicing_batch_do(run=run, member_ids=batch)
            timings.append(time.perf_counter() - batch_start)
        if number == 0:
            queries = len(captured)
        if number % 10 == 0:
            print(f"  batch {number + 1}/{len(batches)}: {issued} invoices so far", flush=True)
    elapsed = time.perf_counter() - total_start
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        raise SystemExit(f"The run is {run.status} after every batch: nothing written.")
    return {
        "start": started,
        "elapsed": elapsed,
        "issued": issued,
        "skipped": RunSkip.objects.filter(run=run).count(),
        "estimated": Invoice.objects.filter(campaign=campaign, estimated=True).count(),
        "batches": timings,
        "queries": queries,
        "first_batch_size": len(batches[0]) if batches else 0,
    }


def _print_share(invoice_ids: list[int], barrier, results) -> None:
    """One process: warm up, wait for the others, then print its share of the invoices."""
    from modules.billing.pdf import invoice_pdf_bytes  # WeasyPrint loads here, before the clock

    organisation = Organisation.objects.get(slug=SLUG)
    with tenant_context(organisation):
        invoice_pdf_bytes(invoice_id=invoice_ids[0])  # fonts, templates, XML schema: once per process
        invoices = list(Invoice.objects.filter(pk__in=invoice_ids).order_by("pk"))
        barrier.wait()
        timings, sizes = [], []
        start = time.perf_counter()
        for invoice in invoices:
            one = time.perf_counter()
            document = invoice_pdf_ensure(invoice=invoice)
            timings.append(time.perf_counter() - one)
            sizes.append(document.file.size)
        results.put({"elapsed": time.perf_counter() - start, "timings": timings, "sizes": sizes})
    connections.close_all()


def _pdfs(invoice_ids: list[int]) -> dict:
    processes = os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared connection or fonts
    barrier, results = context.Barrier(processes + 1), context.Queue()
    shares = [invoice_ids[index::processes] for index in range(processes)]
    workers = [context.Process(target=_print_share, args=(share, barrier, results)) for share in shares if share]
    connections.close_all()
    for worker in workers:
        worker.start()
    barrier.wait(timeout=600)  # every process warmed up
    start = time.perf_counter()
    outcomes = [results.get(timeout=3600) for _ in workers]
    wall = time.perf_counter() - start
    for worker in workers:
        worker.join()
    timings = [timing for outcome in outcomes for timing in outcome["timings"]]
    sizes = [size for outcome in outcomes for size in outcome["sizes"]]
    return {"processes": len(workers), "count": len(timings), "wall": wall, "timings": timings, "sizes": sizes}


def _thousands(number: float, decimals: int = 0) -> str:
    return f"{number:,.{decimals}f}".replace(",", "\u202f")


def main() -> None:
    call_command("migrate_schemas", interactive=False, verbosity=0)
    app.conf.task_always_eager = False
    tasks_discarded()
    organisation = _organisation()
    try:
        with tenant_context(organisation):
            admin = User.objects.get(email=ADMIN)
            campaign = _fill(admin)
            print("Invoicing…", flush=True)
            records = _records(admin, campaign)
            invoice_ids = list(
                Invoice.objects.filter(kind=InvoiceKind.INVOICE).order_by("pk").values_list("pk", flat=True)[:PDFS]
            )
        print(f"Printing {len(invoice_ids)} PDFs…", flush=True)
        pdfs = _pdfs(invoice_ids)
        with tenant_context(organisation):
            stored = InvoiceDocument.objects.count()
        if stored != pdfs["count"]:
            raise SystemExit(f"{stored} PDFs stored for {pdfs['count']} printed: nothing written.")
    finally:
        connection.set_schema_to_public()
        _drop()
        discarded_tasks_drop()

    batch_ms = [value * 1000 for value in records["batches"]]
    per_second = records["issued"] / records["elapsed"]
    pdf_ms = [value * 1000 for value in pdfs["timings"]]
    pdf_rate = pdfs["count"] / pdfs["wall"]
    lines = [
        f"A scratch organisation with {_thousands(MEMBERS)} members (an administrator each), one campaign "
        "priced on brackets of the payroll, a part per head, a fixed part, bounds and VAT; data sheets for "
        "90 % of the members, 5 % "
        "estimated from the previous year's, 5 % with nothing (skipped). On this machine "
        f"({os.cpu_count()} cores), PostgreSQL and Redis local.",
        "",
        f"**Records.** The run's batches of {BATCH_SIZE} members run one after the other in one process, as one "
        "worker would (`invoicing_batch_do`): each member priced, numbered under the series' lock, invoiced, "
        "notified (in-app row and outbox e-mail) and audited in its own transaction; PDF and e-mail tasks sent "
        "on commit.",
        "",
        "| run | figure |",
        "|---|---|",
        f"| invoices issued | {_thousands(records['issued'])} ({_thousands(records['estimated'])} estimated) |",
        f"| members skipped (with their reason) | {_thousands(records['skipped'])} |",
        f"| starting the run (counting members, planning batches) | {records['start']:.2f} s |",
        f"| all batches | {records['elapsed']:.1f} s |",
        f"| **invoices per second** (one process) | **{_thousands(per_second, 1)}** |",
        f"| one batch of {BATCH_SIZE}: median / slowest | {statistics.median(batch_ms):.0f} ms / "
        f"{max(batch_ms):.0f} ms |",
        f"| SQL statements for the first batch ({records['first_batch_size']} members) | "
        f"{_thousands(records['queries'])} ({records['queries'] / max(1, records['first_batch_size']):.1f} "
        "per member) |",
        "",
        f"**PDFs.** `invoice_pdf_ensure` (WeasyPrint PDF/A-3, Factur-X XML embedded and checked against its "
        f"schema, file stored) for {_thousands(pdfs['count'])} invoices over {pdfs['processes']} processes (one "
        "per core), each warmed up first.",
        "",
        "| PDFs | figure |",
        "|---|---|",
        f"| wall time | {pdfs['wall']:.1f} s |",
        f"| PDFs per second, all processes | {_thousands(pdf_rate, 1)} |",
        f"| **PDFs per second per core** | **{_thousands(pdf_rate / pdfs['processes'], 2)}** |",
        f"| one PDF: median / fastest / slowest | {statistics.median(pdf_ms):.0f} ms / {min(pdf_ms):.0f} ms / "
        f"{max(pdf_ms):.0f} ms |",
        f"| size: median | {statistics.median(pdfs['sizes']) / 1024:.0f} KiB |",
        "",
        f"At these rates the records of {_thousands(MEMBERS)} members take "
        f"{_thousands(MEMBERS / per_second / 60, 1)} min on one worker, and their PDFs "
        f"{_thousands(MEMBERS / pdf_rate / 60, 1)} min on {pdfs['processes']} cores. PDFs spread over more "
        "workers; invoice records much less so, since each member's transaction takes its number first and "
        "holds the series' row lock until it commits (numbers without gaps), so writes queue on that lock.",
    ]
    write_section("Invoicing: annual run and Factur-X PDFs", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
