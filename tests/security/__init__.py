"""Attacks replayed: each test acts as a lost laptop, a compromised or buggy mission, a revoked
officer or a hostile file would, and shows the attack refused with the data unchanged."""
