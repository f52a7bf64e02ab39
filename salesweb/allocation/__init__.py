"""Customer allocation: the console that balances books between reps, ops's for every owner (`ops_bp`, /ops/...)
and a manager's for their subtree (`manager_bp`, /manager/...); the rep each region's new customers go to (ops)."""
