"""Markdown for briefs: the Python-Markdown extension and the text tools it needs.

A leaf below the pipeline: it knows nothing of files, templates or the site.
"""
