"""HTTP and command line over ``auth``'s accounts: sign-in, the caller's own account and
user administration (``controller.py``), ``verval users`` (``cli.py``). The rules stay
in ``auth/``, which imports nothing from here."""
