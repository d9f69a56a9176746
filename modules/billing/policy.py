"""The organisation's billing settings (seller identity, bank details, terms, reminders), read once."""

from dataclasses import dataclass

from core.modules.settings import module_settings_get


def reminder_days_parse(text: str) -> tuple[int, ...]:
    """ "15, 7,1" → (15, 7, 1): the reminder offsets the organisation typed."""
    return tuple(sorted({int(part) for part in str(text).replace(";", ",").split(",") if part.strip()}, reverse=True))


@dataclass(frozen=True)
class BillingPolicy:
    """What the organisation set in the module's settings form, typed."""

    seller_name: str
    seller_address: str
    seller_siret: str
    seller_vat_number: str
    mention_late_penalties: str
    mention_recovery_fee: str
    mention_discount: str
    legal_mentions: str  # any other mention the organisation adds
    iban: str
    bic: str
    payment_terms_days: int
    online_payment: bool
    declaration_fields: tuple[str, ...]
    declaration_required: tuple[str, ...]
    declaration_reminder_days: tuple[int, ...]  # days before the deadline
    overdue_reminder_days: tuple[int, ...]  # days after the due day

    @property
    def mentions(self) -> list[str]:
        """Every mention printed at the foot of an invoice, the legal ones first."""
        return [
            text
            for text in (
                self.mention_late_penalties,
                self.mention_recovery_fee,
                self.mention_discount,
                self.legal_mentions,
            )
            if text
        ]

    @property
    def seller_identified(self) -> bool:
        """A SIRET to put on invoices (EN 16931 and the French rules need the seller's identity)."""
        return bool(self.seller_siret)

    @property
    def payment_terms(self) -> str:
        return f"Paiement à {self.payment_terms_days} jours à réception de facture."


def billing_policy() -> BillingPolicy:
    """The organisation's billing settings, defaults filled in (one query: callers issuing many
    invoices read it once and pass it down)."""
    values = module_settings_get("billing")
    return BillingPolicy(
        seller_name=values["seller_name"],
        seller_address=values["seller_address"],
        seller_siret=values["seller_siret"],
        seller_vat_number=values["seller_vat_number"],
        mention_late_penalties=values["mention_late_penalties"],
        mention_recovery_fee=values["mention_recovery_fee"],
        mention_discount=values["mention_discount"],
        legal_mentions=values["legal_mentions"],
        iban=values["iban"],
        bic=values["bic"],
        payment_terms_days=int(values["payment_terms_days"]),
        online_payment=bool(values["online_payment"]),
        declaration_fields=tuple(values["declaration_fields"]),
        declaration_required=tuple(values["declaration_required"]),
        declaration_reminder_days=reminder_days_parse(values["declaration_reminder_days"]),
        overdue_reminder_days=reminder_days_parse(values["overdue_reminder_days"]),
    )
