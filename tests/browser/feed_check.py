#!/usr/bin/env python3
"""Checks an RSS or Atom feed with a real feed parser (feedparser), for the browser tests.

    python3 feed_check.py URL-or-FILE

Exits 0 and prints the entries' titles as a JSON array (newest first, as the feed lists them)
when the feed is well formed (feedparser's `bozo` is false), has a title and a link, and every
entry has a title, a link and a published date. Otherwise says what is wrong on stderr and
exits 1. scripts/test installs feedparser (pinned) when it is missing.
"""

import json
import sys

import feedparser


def problems(d):
    """What is wrong with the parsed feed `d`, as a list of sentences (empty when nothing)."""
    found = []
    # bozo is set on any XML or encoding error; feedparser still parses what it can, so a
    # broken feed would otherwise pass unnoticed.
    if d.bozo:
        found.append(f"bozo (not well formed, or not fetched): {d.get('bozo_exception')!r}")
    status = d.get("status")
    if status is not None and status != 200:
        found.append(f"answered HTTP {status}")
    if not d.get("version"):
        found.append("not recognised as RSS or Atom")
    feed = d.feed
    if not feed.get("title", "").strip():
        found.append("the feed has no title")
    if not feed.get("link", "").strip():
        found.append("the feed has no link")
    for i, e in enumerate(d.entries):
        name = e.get("title") or f"entry {i + 1}"
        if not e.get("title", "").strip():
            found.append(f"entry {i + 1} has no title")
        if not e.get("link", "").startswith(("http://", "https://")):
            found.append(f"{name}: no absolute link ({e.get('link')!r})")
        # published_parsed is only set when the date parsed, not merely when the element exists.
        if not e.get("published_parsed"):
            found.append(f"{name}: no published date that parses ({e.get('published')!r})")
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    source = argv[1]
    d = feedparser.parse(source)
    found = problems(d)
    if found:
        print(f"{source} ({d.get('version') or 'unknown format'}):", file=sys.stderr)
        for p in found:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(json.dumps([e.title for e in d.entries], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
