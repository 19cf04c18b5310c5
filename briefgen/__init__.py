"""briefgen: a static site generator for annotated news briefs."""

__version__ = "0.1.0"
