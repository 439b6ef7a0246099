"""The API's side of the evidence object store (the store itself is top-level ``media/``):
objects of the local directory store served through signed URLs (``controller.py``) and
``verval media gc --dry-run``, the objects no photo row references (``cli.py``)."""
