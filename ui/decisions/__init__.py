"""The decision screens: the proposal, Att signera, extensions and corrections."""
