"""Convener: the leadership registry of a large scientific collaboration."""
