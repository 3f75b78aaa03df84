"""Bizinfo (기업마당) announcement import and programme-type classification, pure.

``importer`` turns the feed's frame into contract programme rows with evidence,
``classify`` decides the programme type by keyword rules given as data (the rules of
``type_rules.toml``, checked by ``parse_type_rules``). Reading the feed, the rules file
and caseworkers' overrides, and keeping a catalogue, are adapters:
``recommender.adapters.bizinfo`` (``feed``, ``rules``, ``overrides``, ``filestore``,
``dbstore``).
"""

from recommender.bizinfo.classify import TypeRules, parse_type_rules
from recommender.bizinfo.importer import (
    announcements_to_programmes,
    check_announcements,
    merge_catalogue,
    validate_programmes,
)

__all__ = [
    "TypeRules",
    "announcements_to_programmes",
    "check_announcements",
    "merge_catalogue",
    "parse_type_rules",
    "validate_programmes",
]
