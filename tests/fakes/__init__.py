"""Offline stand-ins for the SMS and Telegram providers, driven by the real client libraries."""
