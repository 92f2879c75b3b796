"""Recognition (表彰): once a year the liaisons with a year of error-free upkeep, proposed,
confirmed by an admin, thanked by SMS and given a printable certificate (issue 20)."""
