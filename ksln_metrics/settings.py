"""Deployment settings: which province (or the national view) this installation serves.

The province is configuration, never code:

* the environment variable ``KSLN_PROVINSI`` (``36``, ``32``, ... or ``nasional``) wins;
* otherwise the deployment config file, ``data/ksln.toml`` (another file through ``KSLN_CONFIG``)::

      [wilayah]
      provinsi = "32"

* otherwise the default, ``36`` (Banten, the original installation).

``configured_scope_code()`` returns the validated code; ``ksln_metrics.reference.scope()`` turns it into
names, units and titles. Both are read once and cached; ``reload()`` forgets the cache (tests that change
the environment call it, see ``reference.use_scope``).
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from ksln_metrics.paths import DATA_DIR

PROVINSI_ENV = "KSLN_PROVINSI"
CONFIG_ENV = "KSLN_CONFIG"
DEFAULT_CONFIG = DATA_DIR / "ksln.toml"
DEFAULT_PROVINSI = "36"
NASIONAL = "nasional"


class SettingsError(ValueError):
    """A setting that cannot be used; the message (Bahasa Indonesia) says where and what."""


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def _config_provinsi(path: Path) -> str | None:
    if not path.is_file():
        if os.environ.get(CONFIG_ENV):
            raise SettingsError(f"Berkas konfigurasi {path} ({CONFIG_ENV}) tidak ditemukan.")
        return None
    try:
        with path.open("rb") as handle:
            config = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"Berkas konfigurasi {path} tidak dapat dibaca: {error}") from None
    wilayah = config.get("wilayah", {})
    if not isinstance(wilayah, dict):
        raise SettingsError(f"Berkas konfigurasi {path}: [wilayah] harus berupa tabel, mis. provinsi = \"32\".")
    value = wilayah.get("provinsi")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SettingsError(f"Berkas konfigurasi {path}: [wilayah] provinsi harus kode provinsi, mis. \"32\", "
                            f"atau \"{NASIONAL}\".")
    return str(value)


def validated_scope_code(raw: str, where: str) -> str:
    """'32', ' 32 ', 32, 'Nasional' -> '32' / 'nasional'; SettingsError naming ``where`` otherwise."""
    from ksln_metrics.reference import province_names

    text = str(raw).strip()
    if text.lower() == NASIONAL:
        return NASIONAL
    text = text.removesuffix(".0") if text.endswith(".0") else text
    names = province_names()
    if text.isdigit() and len(text) == 1:
        text = f"0{text}"
    if text in names:
        return text
    choices = ", ".join(f"{code} ({name})" for code, name in names.items())
    raise SettingsError(f"{where}: '{raw}' bukan kode provinsi. Pilih '{NASIONAL}' atau salah satu kode: {choices}.")


@lru_cache(maxsize=1)
def configured_scope_code() -> str:
    """'36', '32', ... or 'nasional', validated against data/wilayah/provinsi.csv."""
    raw = os.environ.get(PROVINSI_ENV, "").strip()
    if raw:
        return validated_scope_code(raw, f"Variabel lingkungan {PROVINSI_ENV}")
    path = config_path()
    from_file = _config_provinsi(path)
    if from_file is not None and from_file.strip():
        return validated_scope_code(from_file, f"Berkas konfigurasi {path}, [wilayah] provinsi")
    return DEFAULT_PROVINSI


def reload() -> None:
    """Read the environment and the config file again on next use (and forget everything derived)."""
    configured_scope_code.cache_clear()
    from ksln_metrics import reference

    reference.reset_scope()
