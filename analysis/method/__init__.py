"""The method: verdicts, statistics, stories, the two questions."""
