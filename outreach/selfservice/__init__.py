"""Liaison self-service: a personal link with which a liaison, who has no account, confirms,
corrects or hands over their entry (issue 7)."""
