"""Requests: tables."""
