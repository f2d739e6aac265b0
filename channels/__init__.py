"""One adapter per provider, translating between it and bot/messages.py."""
