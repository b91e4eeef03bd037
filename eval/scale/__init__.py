"""The scale benchmark: look-alike distractor notices, a cheap embeddings server, and the harness that times
policybot's command line as the corpus grows (`policybot bench --scale`)."""
