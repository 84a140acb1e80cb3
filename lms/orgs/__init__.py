"""Organisations and their unit tree (central → province → grassroots → branch)."""
