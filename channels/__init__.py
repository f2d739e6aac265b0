"""One adapter per provider, translating between it and bot/messages.py, and how each kind
of channel shows what the engine says (presentations.py, registered when this loads)."""

from channels import presentations as presentations
