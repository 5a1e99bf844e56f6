"""Key material: the master key, key slots and the recovery key.

The master key is 32 random bytes. It never touches the disk in the clear:
``vault.keys`` holds it wrapped (AES-256-GCM) once per *slot*:

* ``passphrase``: key-encryption key from Argon2id(passphrase);
* ``recovery``: key-encryption key from HKDF(recovery key) — the recovery key
  already has 256 random bits, so no slow KDF is needed;
* any named secret slot (e.g. ``keychain``): HKDF(random secret kept elsewhere).

The file is written twice (``vault.keys`` and ``vault.keys.b``) with a
generation number, a checksum that catches accidental damage before any KDF
runs, and a MAC under a key derived from the master key that catches edits.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from safediary.core.errors import (
    InvalidInput,
    InvalidRecoveryKey,
    NotAVault,
    VaultCorrupted,
    VaultTooNew,
    WrongPassphrase,
)
from safediary.core.fsutil import atomic_write

KEYS_FILE = "vault.keys"
KEYS_COPY = "vault.keys.b"
FORMAT = "safediary-keys"
FORMAT_VERSION = 2  # 2: the database's chain length and head are recorded (issue 14)
KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters (stored with each passphrase slot)."""

    time_cost: int = 2
    memory_kib: int = 262144
    parallelism: int = 2

    @classmethod
    def fast(cls) -> KdfParams:
        """Cheap parameters for tests only: the same algorithm, less work."""
        return cls(time_cost=1, memory_kib=8192, parallelism=1)


# Bounds for costs read from a key file, checked before any work: a planted file with
# a 16 GiB or 2**31 cost must not hang unlock. The budget allows 4x today's default.
KDF_TIME_MAX = 10
KDF_MEMORY_MIN_KIB = 8192
KDF_MEMORY_MAX_KIB = 1 << 20  # 1 GiB
KDF_LANES_MAX = 16
KDF_WORK_MAX = 4 * 2 * 262144  # time_cost x memory_kib
KEYS_FILE_MAX = 256 * 1024  # bytes; a real key file is about 2 KB


def checked_kdf_params(kdf: Any) -> KdfParams:
    """Argon2 costs from a key file, refused (ValueError) unless plain ints within bounds."""
    if not isinstance(kdf, dict) or kdf.get("alg", "argon2id") != "argon2id":
        raise ValueError("unknown key derivation")
    t, m, p = kdf.get("t"), kdf.get("m"), kdf.get("p")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (t, m, p)):
        raise ValueError("Argon2 costs must be whole numbers")
    assert isinstance(t, int) and isinstance(m, int) and isinstance(p, int)
    if not (1 <= t <= KDF_TIME_MAX and 1 <= p <= KDF_LANES_MAX):
        raise ValueError("Argon2 time or lanes out of bounds")
    if not (KDF_MEMORY_MIN_KIB <= m <= KDF_MEMORY_MAX_KIB and m >= 8 * p):
        raise ValueError("Argon2 memory out of bounds")
    if t * m > KDF_WORK_MAX:
        raise ValueError("Argon2 work out of bounds")
    return KdfParams(t, m, p)


#: Tuned to about 0.4–0.5 s on a 2-core machine; a module attribute so tests
#: can lower the cost without stubbing the algorithm.
DEFAULT_KDF = KdfParams()


def hkdf(key: bytes | bytearray, info: bytes, salt: bytes | None = None) -> bytes:
    """Derive a 32-byte subkey from ``key`` for the purpose named by ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(
        bytes(key)
    )


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC-normalise and encode a passphrase; reject empty ones."""
    if not isinstance(passphrase, str):
        raise InvalidInput("The passphrase must be text.")
    if not passphrase.strip():
        raise InvalidInput("The passphrase cannot be empty.")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def argon2id(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id key-encryption key for a passphrase."""
    return hash_secret_raw(
        normalize_passphrase(passphrase),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


# --- recovery key -----------------------------------------------------------

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_RECOVERY_CHARS = 55  # (32 key bytes + 2 checksum bytes) * 8 / 5, rounded up


def new_recovery_key() -> tuple[str, bytes]:
    """Return (printable recovery key, its 32 raw bytes)."""
    raw = secrets.token_bytes(KEY_BYTES)
    return format_recovery_key(raw), raw


def format_recovery_key(raw: bytes) -> str:
    """Render 32 bytes plus a 2-byte checksum as groups of five characters."""
    data = raw + hashlib.sha256(raw).digest()[:2]
    number = int.from_bytes(data, "big") << (_RECOVERY_CHARS * 5 - len(data) * 8)
    chars = [_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(_RECOVERY_CHARS))]
    text = "".join(chars)
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def parse_recovery_key(text: str) -> bytes:
    """Parse a typed recovery key (any case, spaces or dashes) and check its checksum."""
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -\t\r\n")
    if len(cleaned) != _RECOVERY_CHARS:
        raise InvalidRecoveryKey(
            f"A recovery key has {_RECOVERY_CHARS} letters and digits; "
            f"this one has {len(cleaned)}. Please check it."
        )
    number = 0
    for ch in cleaned:
        if ch not in _DECODE:
            raise InvalidRecoveryKey(f"The character {ch!r} cannot appear in a recovery key.")
        number = (number << 5) | _DECODE[ch]
    number >>= _RECOVERY_CHARS * 5 - (KEY_BYTES + 2) * 8
    data = number.to_bytes(KEY_BYTES + 2, "big")
    raw, check = data[:KEY_BYTES], data[KEY_BYTES:]
    if hashlib.sha256(raw).digest()[:2] != check:
        raise InvalidRecoveryKey("This recovery key has a typing mistake. Please check it.")
    return raw


# --- slot file ----------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _aad(vault_id: str, slot: str) -> bytes:
    return f"safediary-slot|{vault_id}|{slot}".encode()


@dataclass
class SlotFile:
    """The parsed content of ``vault.keys``: slots plus bookkeeping."""

    vault_id: str
    generation: int
    slots: dict[str, dict[str, Any]]
    mac: str = ""
    #: The diary database's chain as last seen, {"count": n, "head": hash}, so an
    #: older diary.db put in its place is noticed (version 2 files only).
    db: dict[str, Any] | None = None
    version: int = FORMAT_VERSION

    # -- building slots --------------------------------------------------
    def set_passphrase_slot(
        self, master: bytes | bytearray, passphrase: str, params: KdfParams
    ) -> None:
        salt = secrets.token_bytes(16)
        kek = argon2id(passphrase, salt, params)
        kdf = {
            "alg": "argon2id",
            "t": params.time_cost,
            "m": params.memory_kib,
            "p": params.parallelism,
            "salt": _b64(salt),
        }
        self._wrap("passphrase", master, kek, kdf)

    def set_secret_slot(self, name: str, master: bytes | bytearray, secret: bytes) -> None:
        salt = secrets.token_bytes(16)
        kek = hkdf(secret, b"safediary/slot/" + name.encode(), salt)
        self._wrap(name, master, kek, {"alg": "hkdf-sha256", "salt": _b64(salt)})

    def _wrap(self, name: str, master: bytes | bytearray, kek: bytes, kdf: dict[str, Any]) -> None:
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(kek).encrypt(nonce, bytes(master), _aad(self.vault_id, name))
        self.slots[name] = {"kdf": kdf, "nonce": _b64(nonce), "wrapped": _b64(wrapped)}

    # -- opening slots -----------------------------------------------------
    def open_passphrase(self, passphrase: str) -> bytearray:
        slot = self.slots.get("passphrase")
        if slot is None:
            raise VaultCorrupted("The vault's passphrase slot is missing.")
        try:
            params = checked_kdf_params(slot["kdf"])
            salt = _unb64(slot["kdf"]["salt"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultCorrupted("The vault's key file is damaged.") from exc
        try:
            kek = argon2id(passphrase, salt, params)
        except HashingError as exc:  # e.g. a salt Argon2 refuses: the file was tampered with
            raise VaultCorrupted("The vault's key file is damaged.") from exc
        return self._unwrap("passphrase", kek, WrongPassphrase("That passphrase is not right."))

    def open_secret(self, name: str, secret: bytes, wrong: Exception) -> bytearray:
        slot = self.slots.get(name)
        if slot is None:
            raise wrong
        try:
            salt = _unb64(slot["kdf"]["salt"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultCorrupted("The vault's key file is damaged.") from exc
        kek = hkdf(secret, b"safediary/slot/" + name.encode(), salt)
        return self._unwrap(name, kek, wrong)

    def _unwrap(self, name: str, kek: bytes, wrong: Exception) -> bytearray:
        slot = self.slots[name]
        try:
            nonce, wrapped = _unb64(slot["nonce"]), _unb64(slot["wrapped"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultCorrupted("The vault's key file is damaged.") from exc
        try:
            master = AESGCM(kek).decrypt(nonce, wrapped, _aad(self.vault_id, name))
        except InvalidTag:
            raise wrong from None
        return bytearray(master)

    # -- integrity -----------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        body = {
            "format": FORMAT,
            "version": self.version,
            "vault_id": self.vault_id,
            "generation": self.generation,
            "slots": self.slots,
        }
        if self.version >= 2:
            body["db"] = self.db
        return body

    def compute_mac(self, master: bytes | bytearray) -> str:
        key = hkdf(master, b"safediary/keys-mac")
        return hmac.new(key, _canonical(self._body()), hashlib.sha256).hexdigest()

    def check_mac(self, master: bytes | bytearray) -> bool:
        return hmac.compare_digest(self.compute_mac(master), self.mac)

    def to_bytes(self) -> bytes:
        body = self._body() | {"mac": self.mac}
        body["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
        return json.dumps(body, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SlotFile:
        """Parse one copy; ValueError if it is damaged, VaultTooNew if from the future."""
        obj = json.loads(data.decode("utf-8"))
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise ValueError("not a SafeDiary key file")
        if int(obj.get("version", 0)) > FORMAT_VERSION:
            raise VaultTooNew(
                "This diary was made by a newer version of SafeDiary. Please update SafeDiary."
            )
        checksum = obj.pop("checksum", None)
        if checksum != hashlib.sha256(_canonical(obj)).hexdigest():
            raise ValueError("checksum mismatch")
        slots = obj["slots"]
        if not isinstance(slots, dict) or not all(isinstance(v, dict) for v in slots.values()):
            raise ValueError("bad slots")
        db = obj.get("db")
        if db is not None and not (
            isinstance(db, dict)
            and isinstance(db.get("count"), int)
            and isinstance(db.get("head"), str)
        ):
            raise ValueError("bad database record")
        return cls(
            str(obj["vault_id"]),
            int(obj["generation"]),
            slots,
            str(obj.get("mac", "")),
            db=db,
            version=int(obj.get("version", 1)),
        )

    # -- disk ----------------------------------------------------------------
    def save(self, folder: Path, master: bytes | bytearray) -> None:
        """Bump the generation, MAC, and write both copies one after the other."""
        self.generation += 1
        self.version = FORMAT_VERSION
        self.mac = self.compute_mac(master)
        data = self.to_bytes()
        atomic_write(folder / KEYS_FILE, data)
        atomic_write(folder / KEYS_COPY, data)


def load_slot_files(folder: Path) -> list[SlotFile]:
    """Return the readable copies of the key file, newest generation first.

    Raises NotAVault when there is none at all and VaultCorrupted when every
    copy is damaged.
    """
    found: list[SlotFile] = []
    present = 0
    for name in (KEYS_FILE, KEYS_COPY):
        path = folder / name
        try:
            data = read_small_file(path, KEYS_FILE_MAX)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise VaultCorrupted(
                f"The vault's key file could not be read ({exc.strerror})."
            ) from exc
        present += 1
        with contextlib.suppress(
            ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError, OverflowError
        ):
            found.append(SlotFile.from_bytes(data))
    if not present:
        raise NotAVault(f"There is no SafeDiary vault in {folder}.")
    if not found:
        raise VaultCorrupted(
            "The vault's key file is damaged and its spare copy too. "
            "Nothing has been changed. Please restore from a backup."
        )
    found.sort(key=lambda s: s.generation, reverse=True)
    return found


def read_small_file(path: Path, limit: int) -> bytes:
    """Read a file that must be small and regular: never blocks, follows no link.

    A FIFO, a device, a folder, a symlink or anything over ``limit`` bytes raises
    OSError (a planted FIFO once hung the app at start).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "it is a link, which SafeDiary does not follow") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file")
        if info.st_size > limit:
            raise OSError(errno.EFBIG, "it is far too large")
        parts, size = [], 0
        while size <= limit:
            part = os.read(fd, limit + 1 - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
        data = b"".join(parts)
        if len(data) > limit:
            raise OSError(errno.EFBIG, "it is far too large")
        return data
    finally:
        os.close(fd)


def wipe(buffer: bytearray | None) -> None:
    """Overwrite a key buffer in place (best effort in Python)."""
    if buffer is not None:
        for i in range(len(buffer)):
            buffer[i] = 0
