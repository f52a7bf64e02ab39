"""Products, quotes, their approval and their printout. Signed-in users only; each view checks the role and the
deal's scope."""
