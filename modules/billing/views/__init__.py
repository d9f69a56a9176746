"""Pages of billing: member.py (invoices, balance, data sheet), checkout.py and webhook.py (online
payment), runs.py (campaigns, rules, invoicing runs) and ledger.py (invoices, payments, exports)."""
