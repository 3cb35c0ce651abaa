"""Core: what every stage shares — settings, errors, periods, the catalog, texts, column contracts, files.

Nothing in ``impact.core`` imports another stage.
"""
