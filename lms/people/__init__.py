"""Cadres' accounts, their unit and position, and bulk onboarding."""
