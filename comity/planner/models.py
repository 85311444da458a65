"""Planner: tables."""
