"""The data contract (``docs/contract.md``): one field specification, everything derived.

============  =====================================================================
module        job
============  =====================================================================
spec          the vocabulary: :class:`Field`, :class:`Order`, :class:`Table`
fields        the contract itself: every column of every table, written once
cells         raw cells to typed columns, unreadable cells marked
columns       the tables as pandera schemas (bounds, allowed values, order rules)
keys          duplicate keys and references across tables
raw           :class:`RawTable`: cells as read, with row numbers as a person counts
tables        raw tables checked against the contract, every problem collected
canonical     the canonical frames and the :class:`Dataset`
datasets      raw tables (files, uploads) to one validated :class:`Dataset`
============  =====================================================================

Import from the modules; this package imports nothing, so the light ones (``fields``,
``canonical``) stay free of pandera.
"""
