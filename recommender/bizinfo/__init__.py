"""Bizinfo (기업마당) announcement import and programme-type classification.

``importer`` turns the feed into contract programme rows with evidence, ``classify``
decides the programme type by the keyword rules of ``type_rules.toml``, ``filestore``
keeps a catalogue directory (with caseworkers' overrides) for the ``catalogue`` command.
"""

from recommender.bizinfo.classify import TypeRules, load_type_rules
from recommender.bizinfo.importer import (
    announcements_to_programmes,
    merge_catalogue,
    read_announcements,
    validate_programmes,
)

__all__ = [
    "TypeRules", "announcements_to_programmes", "load_type_rules", "merge_catalogue",
    "read_announcements", "validate_programmes",
]
