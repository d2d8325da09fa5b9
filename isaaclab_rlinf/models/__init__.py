"""Policy bridges installed into RLinf's model tables, one package or module per model family.

Cheap to import: each bridge loads its heavy dependencies (rlinf, torch, the model's own package) on use.
"""
