"""The hosted payment page of localpay: HTML in French, its stylesheet, amounts and field checks.

No script and no inline style (the same Content-Security-Policy rules as Adhera); every field has
its label; errors are announced (role="alert") and tied to their field (aria-describedby).
"""

import html

from aiohttp import web

STYLESHEET_PATH = "/checkout/assets/checkout.css"
TEST_CARD_NUMBER = "4242 4242 4242 4242"
TEST_CARD_EXPIRY = "12/34"
TEST_CARD_CVC = "123"
TEST_IBAN = "FR1420041010050500013M02606"
TEST_ACCOUNT_HOLDER = "Jean Dupont"
FIELDS = ("card_number", "card_expiry", "card_cvc", "iban", "account_holder")
DEFAULTS = {
    "card_number": TEST_CARD_NUMBER,
    "card_expiry": TEST_CARD_EXPIRY,
    "card_cvc": TEST_CARD_CVC,
    "iban": TEST_IBAN,
    "account_holder": TEST_ACCOUNT_HOLDER,
}
METHOD_LABELS = {"card": "Carte bancaire", "sepa_debit": "Prélèvement SEPA"}
CLOSED_MESSAGES = {
    "complete": "Ce paiement a déjà été effectué.",
    "expired": "Cette session de paiement a expiré.",
}
DECLINE_MESSAGES = {
    "card_declined": "Votre carte a été refusée.",
    "payment_intent_authentication_failure": "L'authentification de votre carte a échoué.",
}
# Form posts redirect to the merchant's site, so form-action must allow it (Chrome checks redirects).
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
_SYMBOLS = {"eur": "€", "usd": "$", "gbp": "£", "chf": "CHF"}

STYLESHEET = """\
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; color: #1b1f24; background: #f4f5f7; }
main { max-width: 32rem; margin: 0 auto; padding: 1rem; }
.test-mode { background: #fff3cd; border: 1px solid #c9a227; padding: .5rem .75rem; border-radius: .25rem; }
h1 { font-size: 1.6rem; margin: 1rem 0; }
h2 { font-size: 1.1rem; margin: 1rem 0 .5rem; }
ul.items { list-style: none; padding: 0; margin: 0 0 1rem; }
ul.items li { display: flex; justify-content: space-between; gap: 1rem; border-bottom: 1px solid #d0d4da;
  padding: .4rem 0; }
fieldset { border: 1px solid #c3c8cf; border-radius: .25rem; margin: 0 0 1rem; padding: .75rem; background: #fff; }
legend { font-weight: 600; padding: 0 .25rem; }
.choice { display: flex; align-items: center; gap: .5rem; padding: .25rem 0; }
.field { margin: 0 0 .75rem; }
.field label { display: block; font-weight: 500; }
input[type=text] { width: 100%; font: inherit; padding: .6rem; border: 1px solid #7a828c; border-radius: .25rem; }
input[aria-invalid=true] { border-color: #b00020; outline: 2px solid #b00020; }
input[type=radio] { width: 1.25rem; height: 1.25rem; }
.hint { font-size: .9rem; color: #454c55; margin: .25rem 0 0; }
.error { color: #fff; background: #b00020; padding: .5rem .75rem; border-radius: .25rem; }
.actions { display: flex; flex-direction: column; gap: .5rem; }
button { font: inherit; width: 100%; min-height: 2.75rem; padding: .6rem 1rem; border-radius: .25rem;
  border: 1px solid #0b5cad; background: #0b5cad; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #0b5cad; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
"""


def amount_text(amount, currency):
    """`12345, "eur"` → "123,45 €" (plain spaces, so tests can look for the text as written)."""
    currency = currency.lower()
    if currency in _ZERO_DECIMAL:
        text = f"{amount:,}".replace(",", " ")
    else:
        units, cents = divmod(amount, 100)
        text = f"{units:,}".replace(",", " ") + f",{cents:02d}"
    return f"{text} {_SYMBOLS.get(currency, currency.upper())}"


def luhn_valid(number):
    """The card number's check digit is right (Stripe refuses the number before any charge otherwise)."""
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def iban_valid(iban):
    """ISO 13616 check (mod 97) on an IBAN without spaces."""
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        return False
    return int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1


def decline_message(error):
    """A French message for a Stripe error dict (code, message)."""
    return DECLINE_MESSAGES.get(error.get("code"), "Le paiement a été refusé.")


def response(text, status=200):
    return web.Response(text=text, status=status, content_type="text/html", headers=HEADERS)


def _layout(title, body):
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} – localpay</title>\n"
        # No favicon to fetch: a browser's request for one would be refused (no API key) and logged.
        f'<link rel="icon" href="data:,">\n<link rel="stylesheet" href="{STYLESHEET_PATH}">\n</head>\n<body>\n<main>\n'
        '<p class="test-mode">Paiement de test (localpay) : aucun argent ne circule.</p>\n'
        f"{body}</main>\n</body>\n</html>\n"
    )


def not_found():
    return _layout("Session introuvable", "<h1>Session de paiement introuvable</h1>\n")


def _field(name, label, values, error_field, *, autocomplete, inputmode=None, hint=None):
    attributes = [f'id="{name}"', f'name="{name}"', 'type="text"', f'autocomplete="{autocomplete}"']
    if inputmode:
        attributes.append(f'inputmode="{inputmode}"')
    described = [f"{name}-hint"] if hint else []
    if error_field == name:
        attributes.append('aria-invalid="true"')
        described.append("payment-error")
    if described:
        attributes.append(f'aria-describedby="{" ".join(described)}"')
    attributes.append(f'value="{html.escape(values.get(name, ""))}"')
    hint_html = f'<p class="hint" id="{name}-hint">{html.escape(hint)}</p>' if hint else ""
    return (
        f'<div class="field"><label for="{name}">{html.escape(label)}</label>'
        f"<input {' '.join(attributes)}>{hint_html}</div>\n"
    )


def _items(session):
    rows = "".join(
        f"<li><span>{html.escape(item['description'])} × {item['quantity']}</span>"
        f"<span>{html.escape(amount_text(item['amount_total'], item['currency']))}</span></li>\n"
        for item in session._line_items
    )
    return f'<h2>Détail</h2>\n<ul class="items">\n{rows}</ul>\n'


def session_page(session, *, error=None, error_field=None, values=None):
    """The page of a session: the payment form while open, else what became of it."""
    total = amount_text(session.amount_total, session.currency)
    if session.status != "open":
        # Refusing a payment on a closed session only needs the heading: it says why.
        body = f"<h1>{html.escape(CLOSED_MESSAGES[session.status])}</h1>\n" + _items(session)
        if session.status == "complete":
            link = html.escape(session._success_redirect())
            body += f'<p><a href="{link}">Revenir sur le site</a></p>\n'
        elif session.cancel_url:
            body += f'<p><a href="{html.escape(session.cancel_url)}">Revenir sur le site</a></p>\n'
        return _layout(CLOSED_MESSAGES[session.status], body)

    values = {**DEFAULTS, **{k: v for k, v in (values or {}).items() if v}}
    methods = session.payment_method_types
    chosen = values.get("payment_method_type")
    if chosen not in methods:
        chosen = methods[0]
    body = f"<h1>Payer {html.escape(total)}</h1>\n" + _items(session)
    if session.customer_email:
        body += f"<p>Reçu envoyé à {html.escape(session.customer_email)}</p>\n"
    if error:
        body += f'<p class="error" role="alert" id="payment-error">{html.escape(error)}</p>\n'
    body += f'<form method="post" action="/checkout/{session.id}/pay">\n'
    body += "<fieldset><legend>Moyen de paiement</legend>\n"
    for method in methods:
        checked = " checked" if method == chosen else ""
        body += (
            f'<div class="choice"><input type="radio" id="method-{method}" name="payment_method_type" '
            f'value="{method}"{checked}><label for="method-{method}">{METHOD_LABELS[method]}</label></div>\n'
        )
    body += "</fieldset>\n"
    if "card" in methods:
        body += "<fieldset><legend>Coordonnées de la carte</legend>\n"
        body += _field(
            "card_number", "Numéro de carte", values, error_field, autocomplete="cc-number", inputmode="numeric"
        )
        body += _field(
            "card_expiry", "Date d'expiration (MM/AA)", values, error_field, autocomplete="cc-exp", inputmode="numeric"
        )
        body += _field(
            "card_cvc",
            "Cryptogramme (3 chiffres au dos)",
            values,
            error_field,
            autocomplete="cc-csc",
            inputmode="numeric",
        )
        body += "</fieldset>\n"
    if "sepa_debit" in methods:
        body += "<fieldset><legend>Compte à débiter</legend>\n"
        body += _field(
            "iban",
            "IBAN",
            values,
            error_field,
            autocomplete="off",
            hint="En payant par prélèvement, vous signez un mandat SEPA ; le compte est débité sous quelques jours.",
        )
        body += _field("account_holder", "Titulaire du compte", values, error_field, autocomplete="name")
        body += "</fieldset>\n"
    body += '<div class="actions"><button type="submit">Payer</button></div>\n</form>\n'
    if session.cancel_url:
        body += (
            f'<form method="post" action="/checkout/{session.id}/cancel" class="actions">'
            '<button type="submit" class="secondary">Annuler</button></form>\n'
        )
    return _layout(f"Payer {total}", body)
