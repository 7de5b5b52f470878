"""Services: the only way the UI and the CLI reach the data. They return plain dataclasses."""
