"""The evaluation suite: datasets, exact scorers and the runner."""
