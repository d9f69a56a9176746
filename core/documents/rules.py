"""Rights on documents: staff add and delete them; seeing them is `members.view_documents`."""

import rules

from core.access.rules import is_organisation_staff

rules.set_perm("documents.add_document", is_organisation_staff)
rules.set_perm("documents.delete_document", is_organisation_staff)
