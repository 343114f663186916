"""Who may do what: sign-in, users, signatures, drafts of unfinished forms."""
