"""The dev server: HTTP, the file watcher and the live-reload script.

Knows nothing of the pipeline: it is handed a `rebuild` callable.
"""
