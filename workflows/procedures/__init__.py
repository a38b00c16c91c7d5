"""The procedures as data: one module per procedure (its states, steps, rules with their legal sources, deadlines), the rules they share, and the registry from procedure name to definition."""
