"""Textual screens: layout, keys and events only; rules live in domain/ and services/."""
