"""Records management: weeding (gallring) with a dry run and a protocol."""
