"""Intake: submitted bytes → a checked, normalised table (reading, Great Expectations rules,
bilingual problems, templates). Depends only on :mod:`impact.core`.
"""
