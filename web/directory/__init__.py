"""Organisations and persons pages."""
