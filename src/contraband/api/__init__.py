"""The HTTP service: FastAPI routes with roles over the screener and the ledger."""
