"""Ingest: load → clean → parse → chunk → index, one module per stage."""
