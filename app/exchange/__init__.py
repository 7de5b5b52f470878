"""Exchange bundles between installations: format, packing, checking and merging.

Pure of services: ``package`` reads and writes bundles without a database, ``merge`` writes a
verified bundle into a session given to it. ``app.services.exchange`` puts them together.
"""

from app.exchange.format import FORMAT, FORMAT_VERSION, BundleKind, Limits
from app.exchange.package import BundleRefused, VerifiedBundle, read_bundle

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "BundleKind",
    "BundleRefused",
    "Limits",
    "VerifiedBundle",
    "read_bundle",
]
