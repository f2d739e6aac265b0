"""The participation services staff use: booking events and walks, publishing polls,
registering repairs, and composing and queueing the notices each sends tenants.

They sit between the edges (the console, the API, the scheduler) and the
conversation engine: each step changes the records and queues what tenants hear
in the caller's transaction, through the engine's own outbox (bot.notices), so a
page, an API call and a due task all do the same thing.
"""
