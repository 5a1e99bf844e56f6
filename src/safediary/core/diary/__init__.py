"""The diary itself: entries, the people in them, court orders."""
