"""Bytes to plain data: the feedparser adapter, HTML to text, the sanitiser, OPML, the seed corpus."""
