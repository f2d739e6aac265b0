"""Events and RSVPs."""
