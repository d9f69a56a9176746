"""Pages of access: a member's people, the validation link, "changer d'adhérent", the team."""
