"""Views by subject, mirroring the rule modules: cases, audits, transfers, penalties, leads."""
