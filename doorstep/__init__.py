"""The composition root: settings, the Flask app and the ``doorstep`` command. Owns nothing."""
