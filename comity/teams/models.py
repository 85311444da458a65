"""Joint teams: tables."""
