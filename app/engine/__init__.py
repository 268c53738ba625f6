"""The scoring engine: plain Python, no I/O, no web framework, no database.

``recommend(profile, snapshot)`` takes a validated :class:`ProjectProfile` and an immutable
:class:`KnowledgeSnapshot` and returns a :class:`Recommendation`.
"""
