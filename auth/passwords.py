"""Argon2id password hashing.

Parameters: RFC 9106's second recommended option scaled for a 2-core server:
64 MiB memory, 3 passes, 2 lanes (about 50-80 ms a hash here). Memory-hardness is
what makes stolen hashes expensive to crack on GPUs; the time keeps login cheap
enough that throttling, not CPU, is what limits guessing.
"""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2, type=Type.ID)
# Verifying against this keeps a login for an unknown username as slow as a real one.
_DUMMY_HASH = _hasher.hash("verval-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# Off the event loop: a hash takes 50-80 ms of CPU (argon2-cffi releases the GIL), and a
# burst of sign-ins at the start of a field day must not stall every other request.


async def hash_password_off_loop(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str) -> str | None:
    """A reason the password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters."
    if username and username.lower() in password.lower():
        return "Password must not contain the username."
    return None
