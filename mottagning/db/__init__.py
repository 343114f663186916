"""The database: URLs, engines, migrations and transactions (database.py), SQLCipher
encryption (crypto.py), keys in the keyring (keys.py), backup and restore (backup.py)."""
