"""The conversation engine: channel-neutral, knows no web framework and no provider."""
