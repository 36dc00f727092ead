"""Subscriptions: the feeds a profile follows, in folders, and what is known of their health."""
