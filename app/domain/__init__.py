"""The domain layer: stable codes, the status workflow, taxonomy, IIN and name search keys.

Pure Python with no database and no Qt; services and the UI build on it.
"""
