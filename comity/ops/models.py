"""Operations: tables."""
