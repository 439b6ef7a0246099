"""Fixtures of the media tests: a real SeaweedFS server and S3 stores on it."""

from tests.support.s3_fixtures import s3_store, seaweed  # noqa: F401
