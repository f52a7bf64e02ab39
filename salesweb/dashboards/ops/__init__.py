"""Sales operations' console under /ops/."""
