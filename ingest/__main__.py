"""``python -m ingest``: the documented command; the build itself lives in ``index``.

ingest/ only turns files into ParsedDocuments, and index/ depends on it, so this entry hands over by
module name instead of importing index (which would make the packages import each other).
"""
import runpy

runpy.run_module("index", run_name="__main__", alter_sys=True)
