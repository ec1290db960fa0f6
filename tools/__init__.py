"""What the agent can call: typed functions over the corpus and the spotters."""
