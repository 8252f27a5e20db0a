"""Figures. Plotting only: every number is computed elsewhere and passed in."""
