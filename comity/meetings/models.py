"""Meetings: tables."""
