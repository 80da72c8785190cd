"""The store's refusals: messages in Bahasa Indonesia for the user (re-exported by ksln_metrics.store)."""


class StoreError(Exception):
    """A refused store operation, with a message in Bahasa Indonesia for the user."""


class StoreBusy(StoreError):
    """Another process holds the store: the DuckDB file's lock, or PostgreSQL's data-write lock for too long."""


BUSY_MESSAGE = ("Data sedang diperbarui oleh proses lain (mis. impor dari baris perintah). Coba lagi sebentar lagi; "
                "halaman ini mencoba lagi dengan sendirinya.")
