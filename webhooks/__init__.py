"""Flask blueprints for what comes in: verify, parse, persist, hand to the engine."""
