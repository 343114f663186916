"""The skyddsbedömning screen."""
