"""Embedded task: a cartpole seen by two RGB cameras, runnable kitless (Newton) with no asset server."""
