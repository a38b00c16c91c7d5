"""Organisations and persons: the directory the procedures run on, with the access rule of each read and edit."""
