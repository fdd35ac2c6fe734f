"""Files in and out: listing readers and verdict files, shared by every adapter.

`listings` streams records from JSONL, CSV and Parquet; `verdicts` writes and reads verdict
files (JSONL, Parquet, or a directory of Parquet parts) through the codec of
`contraband.verdict`, atomically: a verdict file exists whole or not at all.
"""
