"""Pages of logging in, getting back in, and of one's own account."""
