"""One run at a time per output folder (docs/robustness.md)."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import socket
from pathlib import Path

from curation.errors import OutputLockedError, UserError

LOCK_NAME = ".curate.lock"


class OutputLock:
    """Refuse a second concurrent run into the same output folder.

    ``flock`` on ``DIR/.curate.lock``: the kernel releases it when the owner dies, SIGKILL
    included, so a lock is never stale and no pid has to be checked (a pid means nothing on
    another host). On NFS, Linux maps flock to a POSIX lock that the server arbitrates across
    hosts. flock, not lockf: lockf locks belong to the process, so a second attempt inside the
    same process would succeed, and closing any descriptor of the file would drop the lock. The
    file names the owner (pid and host) for the error message only; it is removed on exit.
    Object stores have no such lock: there, unique job names keep runs apart."""

    def __init__(self, out_dir: str | os.PathLike):
        self.path = Path(out_dir) / LOCK_NAME
        self.fd = None

    def __enter__(self):
        for _ in range(5):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                owner = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown"
                os.close(fd)
                pid, _, host = owner.partition(" ")
                where = f"pid {pid} on {host}" if host else f"pid {pid}"
                raise OutputLockedError(f"--output {self.path.parent}: another curate run ({where}) is writing here") from None
            # The previous owner may have removed the file between our open and our lock: then
            # we hold a lock on a deleted file, and must lock the one now at the path instead.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
                self.fd = fd
                return self
            os.close(fd)
        raise UserError(f"--output {self.path.parent}: cannot take the lock {self.path}")

    def _open(self) -> int:
        """The lock file, never through a symlink (O_NOFOLLOW) and only if it is a regular file:
        a link planted at the lock path must not get another file truncated and overwritten."""
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UserError(f"--output {self.path.parent}: {LOCK_NAME} is a symlink; curate never writes through "
                                "one: remove it") from None
            raise UserError(f"--output {self.path.parent}: cannot open the lock {self.path}: {e.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UserError(f"--output {self.path.parent}: {LOCK_NAME} is not a regular file: remove it")
        return fd

    def __exit__(self, *exc):
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # before closing: nobody can lock it in between
            os.close(self.fd)
            self.fd = None
