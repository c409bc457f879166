"""The Harmonized System and the trade reference data every stage shares.

This package is the bottom layer: it imports nothing of ours. It holds
the HS nomenclature (:mod:`hs.nomenclature`), the parsing and normalisation
of written codes (:mod:`hs.codes`) and countries and market groups
(:mod:`hs.markets`).
"""
