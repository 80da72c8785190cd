"""Who may change what: roles, the acting user, and the refusals the write path raises.

Three roles: ``pimpinan`` views everything and changes nothing; ``analis`` is bound to one
unit (a kab/kota code, or the province ``36``, whose analysts may change every unit's data)
and uploads and rolls back only that unit's rows; ``admin`` may do everything, including
accounts and settings. The store checks these rules on every write (``Store.commit``,
``Store.rollback``), so the page and the command line cannot bypass them.

An actor is a ``User`` or a bare name. A bare name is a trusted caller inside the server
(sample data, synthetic data, scripts and tests) and acts with full rights; the pages and
the command line always pass a ``User``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ksln_metrics.reference import REGIONS, covers, region_name

PIMPINAN, ANALIS, ADMIN = "pimpinan", "analis", "admin"
ROLES: dict[str, str] = {PIMPINAN: "Pimpinan", ANALIS: "Analis", ADMIN: "Admin"}


@dataclass(frozen=True)
class User:
    """A logged-in account: its name, role and, for an analyst, the unit it works for."""

    name: str
    role: str
    kabkota: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if (self.role == ANALIS) != (self.kabkota is not None):
            raise ValueError("an analyst, and only an analyst, is bound to one unit")
        if self.kabkota is not None and self.kabkota not in REGIONS:
            raise ValueError(f"unknown unit {self.kabkota!r}")

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def can_change_data(self) -> bool:
        return self.role in (ANALIS, ADMIN)

    def may_change(self, region: str) -> bool:
        """True when this user may write rows of ``region``."""
        if self.role == ADMIN:
            return True
        return self.role == ANALIS and covers(self.kabkota, region)

    def describe(self) -> str:
        """``analis Kabupaten Lebak``, ``pimpinan``, ``admin``: how messages name the account."""
        if self.role == ANALIS:
            return f"analis {region_name(self.kabkota)}"
        return self.role


Actor = User | str


def actor_name(actor: Actor) -> str:
    return actor.name if isinstance(actor, User) else actor


def _regions_text(regions: Iterable[str]) -> str:
    return ", ".join(f"{region_name(r)} ({r})" for r in sorted(regions))


def data_change_refusal(actor: Actor, regions: Iterable[str]) -> str | None:
    """Why ``actor`` may not write rows of ``regions`` (message in Bahasa Indonesia), or None."""
    if not isinstance(actor, User):
        return None
    if not actor.can_change_data:
        return f"Akun {actor.name} ({actor.describe()}) hanya dapat melihat data. Tidak ada yang disimpan."
    foreign = {r for r in regions if not actor.may_change(r)}
    if not foreign:
        return None
    return (
        f"Berkas berisi data {_regions_text(foreign)}; akun {actor.describe()} hanya boleh mengubah data "
        f"{actor.kabkota}. Tidak ada yang disimpan."
    )


def rollback_refusal(actor: Actor, batch_id: int, regions: Iterable[str]) -> str | None:
    """Why ``actor`` may not roll back a batch that touched ``regions``, or None."""
    if not isinstance(actor, User):
        return None
    if not actor.can_change_data:
        return f"Akun {actor.name} ({actor.describe()}) hanya dapat melihat data; batch tidak dibatalkan."
    foreign = {r for r in regions if not actor.may_change(r)}
    if not foreign:
        return None
    return (
        f"Batch #{batch_id} berisi data {_regions_text(foreign)}; akun {actor.describe()} hanya boleh membatalkan "
        f"batch yang seluruhnya berisi data {actor.kabkota}. Batch tidak dibatalkan."
    )


def admin_refusal(actor: Actor, what: str) -> str | None:
    """Why ``actor`` may not do an admin-only thing (``what``, e.g. "mengubah pengaturan"), or None."""
    if not isinstance(actor, User) or actor.is_admin:
        return None
    return f"Hanya admin yang dapat {what}; akun {actor.name} adalah {actor.describe()}."
