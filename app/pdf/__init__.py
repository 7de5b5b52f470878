"""PDF output shared by every document (archival PDF/A)."""
