"""Validated workspace definitions, kept by the content hash of the files they come from.

Opening a workspace parses onpace.yml and every KPI file (with line numbers for
errors), validates each KPI, runs the definition rules and checks the driver trees
and funnels: a few hundred milliseconds for the built-in catalog, paid by every
command. The result depends only on the text of those files and on the onpace
code that reads them, so it is kept in ``.onpace/cache/`` of the workspace under a
hash of both: any edit of a definition file, a file added or removed, another
onpace version (or, in a source checkout, any change of its files) gives another
hash and the files are read again (so does another Python or pydantic version).

The cache holds Python objects (pickled), and unpickling runs code, so an entry is
signed with a key that stays outside the workspace (in the user's cache folder):
an entry that came with a copied or checked-out workspace does not verify and is
ignored, never loaded. Any problem with the cache (no such folder, no permission,
a damaged entry) means reading the files as if there were none.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

CACHE_FILE = Path(".onpace") / "cache" / "definitions.pickle"
KEY_FILE = "definitions.key"
_DIGEST = hashlib.sha256().digest_size


def definitions_key(root: Path, files: Sequence[Path]) -> str:
    """The hash of everything the validated definitions of ``root`` depend on."""
    digest = hashlib.sha256()
    digest.update(_code_stamp().encode())
    digest.update(str(root.resolve()).encode())
    for file in files:
        data = file.read_bytes()
        digest.update(f"\0{file}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def load_definitions(root: Path, key: str) -> Any | None:
    """The definitions stored for ``key`` in ``root``'s cache, or None."""
    secret = _secret()
    if secret is None:
        return None
    try:
        blob = (root / CACHE_FILE).read_bytes()
    except OSError:
        return None
    signature, body = blob[:_DIGEST], blob[_DIGEST:]
    if not hmac.compare_digest(signature, hmac.digest(secret, body, "sha256")):
        return None
    try:
        stored_key, definitions = pickle.loads(body)  # signed by this user: see _secret
    except Exception:  # a damaged entry is only a miss
        return None
    return definitions if stored_key == key else None


def save_definitions(root: Path, key: str, definitions: Any) -> None:
    """Keep ``definitions`` for ``key`` (replacing the previous entry atomically)."""
    secret = _secret()
    if secret is None:
        return
    target = root / CACHE_FILE
    try:
        body = pickle.dumps((key, definitions), protocol=pickle.HIGHEST_PROTOCOL)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".definitions-")
        with os.fdopen(fd, "wb") as out:
            out.write(hmac.digest(secret, body, "sha256") + body)
        os.replace(tmp, target)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


@cache
def _code_stamp() -> str:
    """The onpace version and, for a source checkout, the state of every file it reads;
    with the Python and pydantic versions the pickled models were made by."""
    import pydantic

    import onpace

    package = Path(onpace.__file__).parent
    digest = hashlib.sha256(f"{onpace.__version__}\0{sys.version}\0{pydantic.VERSION}".encode())
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".yml", ".yaml")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{stat.st_mtime_ns}\0{stat.st_size}\0".encode())
    return digest.hexdigest()


def _key_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "onpace"


@cache
def _secret() -> bytes | None:
    """This user's signing key (made on first use, readable by the user alone)."""
    file = _key_dir() / KEY_FILE
    try:
        return file.read_bytes() or None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        return file.read_bytes()
    except FileExistsError:  # another process made it first
        with contextlib.suppress(OSError):
            return file.read_bytes() or None
        return None
    except OSError:
        return None
