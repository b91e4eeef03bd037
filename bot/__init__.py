"""policybot: answers graduates' employment-policy questions from the official notices."""

__version__ = "0.1.0"
