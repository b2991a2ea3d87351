"""C14 Citizen portal: residents' GOV.UK pages (report a problem, track by reference)."""
