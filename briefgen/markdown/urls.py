"""URL safety and root links in a brief's element tree.

Owns which links and attributes a page may keep: `javascript:`-like schemes
and event-handler or style attributes are dropped, and links from the site's
root ('/people/x/') become relative so the site works from any sub-path.
Works on one element at a time; must not know about entities, annotations,
headings, files or templates.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp", "ftps", "news", "irc", "xmpp", "sms"})
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")
URL_ATTRIBUTES = ("href", "src")


def safe_url(url: str) -> bool:
    """False for javascript:, vbscript:, data: and other schemes a page must not link.

    Character references are decoded first, as a browser decodes the
    attribute: Python-Markdown writes `&#106;avascript:` out as it is.
    """
    cleaned = CONTROL_AND_SPACE.sub("", html.unescape(url))
    match = SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def is_root_link(url: str) -> bool:
    """'/people/x/' is; '//cdn.example/x' (another host) and 'x/' are not."""
    return url.startswith("/") and not url.startswith("//")


def relative_root_link(url: str, root: str, link_index: bool) -> str:
    """'/people/x/' → root + 'people/x/index.html': the site works from any sub-path."""
    if not is_root_link(url):
        return url
    path, hash_mark, fragment = url[1:].partition("#")
    path, question, query = path.partition("?")
    if link_index and (path == "" or path.endswith("/")):
        path += "index.html"
    return root + path + question + query + hash_mark + fragment


def clean_links(element: etree.Element, root: str, link_index: bool) -> list[str]:
    """Drop `element`'s scripting attributes and unsafe URLs; make its root links relative.

    Returns the root links it had, as written (for checking that they lead
    to a page).
    """
    for attribute in list(element.attrib):
        if attribute.lower().startswith("on") or attribute.lower() == "style":
            del element.attrib[attribute]
    root_links = []
    for attribute in URL_ATTRIBUTES:
        url = element.get(attribute)
        if url is None:
            continue
        if not safe_url(url):
            del element.attrib[attribute]
            continue
        if is_root_link(url):
            root_links.append(url)
        element.set(attribute, relative_root_link(url, root, link_index))
    return root_links
