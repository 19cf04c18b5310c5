"""Authoring tools: `init`, `new` and `import`, and the suggestions `import` makes.

A leaf beside the pipeline: it writes a writer's source files, never the built site.
"""
