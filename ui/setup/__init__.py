"""Part of the Qorgau desktop app."""
