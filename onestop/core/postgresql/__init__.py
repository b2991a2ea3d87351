"""OneStop's PostgreSQL database backend: Django's own, with a health check that costs no
round trip (``base.DatabaseWrapper``).  ``DATABASE_URL=postgresql://…`` selects it."""
