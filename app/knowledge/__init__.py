"""The knowledge base: bundled data files, their tables, loading, reading and the read API."""
