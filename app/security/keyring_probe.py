"""Read one keyring entry in a fresh process and print its SHA-256 (never the secret).

Run by :meth:`app.security.keyring_store.SecretStore.readable_by_fresh_process` as
``python -m app.security.keyring_probe NAME``: the keyring is chosen exactly as a later start
of Qorgau would choose it (including ``PYTHON_KEYRING_BACKEND`` and keyring's config file).
Exit status 0 with the digest, or 0 with an empty line when nothing was read.
"""

from __future__ import annotations

import hashlib
import sys

from app.security.keyring_store import SecretStore


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.security.keyring_probe NAME", file=sys.stderr)
        return 2
    secret = SecretStore().get(argv[0])
    print(hashlib.sha256(secret).hexdigest() if secret else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
