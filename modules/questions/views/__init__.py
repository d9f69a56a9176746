"""Pages of the questions module: `member` (asking and following), `staff` (the jurists' work),
`themes` (the organisation's themes); `panel` (the jurists' panel on a question) and `files`
(limits on uploads, the printed question) serve them and the API."""
