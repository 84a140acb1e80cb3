"""Trainer tiers and certification, cohorts with sessions and attendance, and the cascade."""
