"""The `contraband` command line."""
