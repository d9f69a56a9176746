"""Pages of the questions module: `member` (asking and following), `staff` (the jurists' work),
`themes` (the organisation's themes)."""
