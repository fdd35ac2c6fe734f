"""contraband: product-compliance enforcement for marketplaces."""

__version__ = "0.1.0"
