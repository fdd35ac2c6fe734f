"""Items: which policy item a listing is about when it names no term (see model.py)."""
