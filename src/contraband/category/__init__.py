"""Categories: where a listing belongs, learned from labelled listings (see model.py).

The category tree and the items' designated categories are policy data (policy pack); this
package holds the model that predicts a listing's category from its words.
"""
