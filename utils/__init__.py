"""Helper package shared by the course notebooks: one module per concern (see README)."""
