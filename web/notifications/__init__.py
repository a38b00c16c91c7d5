"""The bell and its list, one's notification choices and calendar feed, and the feed's public address."""
