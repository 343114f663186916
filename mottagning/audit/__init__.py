"""The audit trail: the hash chain, its anchors and loggkontroll."""
