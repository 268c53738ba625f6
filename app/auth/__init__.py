"""API keys: creation, verification and the Bearer dependency that guards routes by scope."""
