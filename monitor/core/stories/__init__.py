"""Stories: grouping reprints, rewrites, translations and updates of the same event as they arrive.

text.py turns an article into story features (Qt-free, store-free); grouping.py joins each new article to a
story through the store's story index (storage/story_index.py).
"""
