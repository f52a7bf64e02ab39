"""Customer allocation: the console that balances books between reps."""
