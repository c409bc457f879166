"""Storage: SQLModel tables, the engine and small query functions.

store/ imports config and hs/ only; stages meet here, never in each other.
"""
