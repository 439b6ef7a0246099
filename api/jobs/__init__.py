"""Background jobs: the photo-analysis queue (procrastinate on PostgreSQL) and its runners."""
