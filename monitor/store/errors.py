"""The storage errors, in a module of their own so that callers can catch them
without importing SQLAlchemy (the CLI catches them around every command)."""


class DatabaseError(Exception):
    """The database could not be opened, migrated or written; the message says why."""


class MissingDatabase(DatabaseError):
    """A command that only reads was pointed at a database that does not exist.

    Why a class of its own: creating an empty database there would hide a
    mistyped path behind a page of zeros, so the CLI refuses it as a usage error.
    """


class StorageUnavailable(DatabaseError):
    """The database refuses to store anything: it is read-only or its disk is full.

    Why a class of its own: the condition holds for every write that follows, so
    handling it per document logged one traceback per document and still exited 0.
    It ends the cycle at the first write with one message; the service retries on
    its next cycle, and the CLI exits with status 1.
    """
